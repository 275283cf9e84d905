// k6's localIPs pool and the pre-flight check of the OS limits for one connection per VU.
import { describe, expect, it } from 'vitest';
import { IPPool, localIPsOption } from '../../engine/modules/http/local-ips.ts';
import {
  checkConnectionCapacity,
  parseOpenFileLimit,
  parsePortRange,
  peakVUs,
  transportOptionProblems,
} from '../../engine/modules/http/os-limits.ts';
import { normalizeScenario } from '../../engine/options/scenarios.ts';

describe('localIPs (k6 IPPool)', () => {
  it('gives VU n the address n-1 over ranges, CIDRs and single addresses in order, round robin', () => {
    // The same pool k6 v1.3 spread 5 VUs over with --local-ips (checked by hand against the target's peers).
    const pool = IPPool.parse('127.0.0.2-127.0.0.3,127.0.1.0/30');
    expect(pool.size).toBe(4n);
    expect([0, 1, 2, 3, 4].map((i) => pool.addressFor(i))).toEqual(['127.0.0.2', '127.0.0.3', '127.0.1.1', '127.0.1.2', '127.0.0.2']);
    expect(IPPool.parse('127.0.0.9').addresses(3)).toEqual(['127.0.0.9']);
    expect(IPPool.parse('127.0.0.0/31').addresses(5)).toEqual(['127.0.0.0', '127.0.0.1']);
    expect(IPPool.parse('fd00::1-fd00::2').addresses(2)).toEqual(['fd00:0:0:0:0:0:0:1', 'fd00:0:0:0:0:0:0:2']);
  });

  it("refuses what k6 refuses, with k6's messages", () => {
    expect(() => IPPool.parse('127.0.0.5-127.0.0.1')).toThrow('negative IP range: 127.0.0.5-127.0.0.1');
    expect(() => IPPool.parse('127.0.0.1-::1')).toThrow('mixed IP range format');
    expect(() => IPPool.parse('nonsense')).toThrow('nonsense is not a valid IP, IP range or CIDR');
    expect(() => IPPool.parse('127.0.0.0/40')).toThrow('parseCIDR() failed parsing 127.0.0.0/40');
    expect(localIPsOption(undefined)).toBeNull();
    expect(transportOptionProblems({ localIPs: '1.2.3' })).toEqual(['localIPs: 1.2.3 is not a valid IP, IP range or CIDR']);
    expect(transportOptionProblems({ tlsVersion: 'tls9', tlsCipherSuites: ['TLS_NOPE'] })).toEqual([
      'tlsVersion: unknown TLS version "tls9" (use one of tls1.0, tls1.1, tls1.2, tls1.3)',
      'tlsCipherSuites: unknown cipher suite "TLS_NOPE"',
    ]);
  });
});

describe('OS limits for one connection per VU', () => {
  const limits = `Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\n`;

  it('reads RLIMIT_NOFILE and the ephemeral port range', () => {
    expect(parseOpenFileLimit(limits)).toEqual({ soft: 1024, hard: 20000 });
    expect(parseOpenFileLimit('Max open files            unlimited            unlimited            files')).toEqual({
      soft: Infinity,
      hard: Infinity,
    });
    expect(parsePortRange('32768\t60999\n')).toBe(28232);
  });

  it('raises the soft limit to what the VUs need when the hard limit allows it', () => {
    const asked: number[] = [];
    const { notes } = checkConnectionCapacity({
      vus: 5000,
      limits: { openFiles: { soft: 1024, hard: 20000 }, ephemeralPorts: 28232 },
      sourceAddresses: 1,
      raise: (n) => asked.push(n) > 0,
    });
    expect(asked).toEqual([5256]);
    expect(notes).toEqual([{ level: 'info', message: 'raised the open-file limit from 1024 to 5256 for 5000 VUs (one connection each)' }]);
  });

  it('says what to change when the hard limit or the ports are too few', () => {
    const { notes } = checkConnectionCapacity({
      vus: 50_000,
      limits: { openFiles: { soft: 20000, hard: 20000 }, ephemeralPorts: 28232 },
      sourceAddresses: 1,
      raise: () => true,
    });
    expect(notes.map((n) => n.level)).toEqual(['warn', 'warn']);
    expect(notes[0].message).toContain('50000 VUs need about 50256 open files');
    expect(notes[0].message).toContain('ulimit -n 50256');
    expect(notes[1].message).toContain('--local-ips 127.0.0.2-127.0.0.4');
    expect(
      checkConnectionCapacity({
        vus: 50_000,
        limits: { openFiles: { soft: 60000, hard: 60000 }, ephemeralPorts: 28232 },
        sourceAddresses: 49,
      }).notes,
    ).toEqual([]);
  });

  it('counts the peak VUs of all scenarios', () => {
    const scenarios = [
      normalizeScenario('a', { executor: 'constant-vus', vus: 10, duration: '1s' }),
      normalizeScenario('b', {
        executor: 'ramping-vus',
        startVUs: 2,
        stages: [
          { duration: '1s', target: 30 },
          { duration: '1s', target: 5 },
        ],
      }),
      normalizeScenario('c', { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 3, maxVUs: 7 }),
    ];
    expect(peakVUs(scenarios)).toBe(47);
  });
});
