// Before a test starts: will the OS let every VU hold its own connection? Each connection is a file
// descriptor (RLIMIT_NOFILE) and, towards one target from one source address, an ephemeral port
// (net.ipv4.ip_local_port_range). The soft open-file limit is raised to the hard one in place
// (util-linux `prlimit --pid`, as Node has no setrlimit); what cannot be fixed from here is said
// plainly, with what to change.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { scenarioMaxVUs } from '../../executors/registry.ts';
import type { Scenario } from '../../options/scenarios.ts';
import { localIPsOption } from './local-ips.ts';
import { tlsOptionProblems } from './tls.ts';

export interface OpenFileLimit {
  soft: number;
  hard: number;
}

export interface OsLimits {
  openFiles: OpenFileLimit | null;
  /** How many ephemeral ports one source address has towards one destination. */
  ephemeralPorts: number | null;
}

type ReadText = (file: string) => string;
const readText: ReadText = (file) => readFileSync(file, 'utf8');

const limitValue = (text: string) => (text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text));

/** RLIMIT_NOFILE from /proc/self/limits ("Max open files  20000  20000  files"). */
export function parseOpenFileLimit(limits: string): OpenFileLimit | null {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  return match === null ? null : { soft: limitValue(match[1]), hard: limitValue(match[2]) };
}

/** net.ipv4.ip_local_port_range ("32768\t60999") → how many ports. */
export function parsePortRange(range: string): number | null {
  const [low, high] = range.trim().split(/\s+/).map(Number);
  return Number.isInteger(low) && Number.isInteger(high) && high >= low ? high - low + 1 : null;
}

export function readOsLimits(read: ReadText = readText): OsLimits {
  const attempt = <T>(fn: () => T): T | null => {
    try {
      return fn();
    } catch {
      return null;
    }
  };
  return {
    openFiles: attempt(() => parseOpenFileLimit(read('/proc/self/limits'))),
    ephemeralPorts: attempt(() => parsePortRange(read('/proc/sys/net/ipv4/ip_local_port_range'))),
  };
}

/** The most VUs the scenarios can have at once (scenarios may overlap, so their sum). */
export function peakVUs(scenarios: readonly Scenario[]): number {
  return scenarios.reduce((total, s) => total + scenarioMaxVUs(s), 0);
}

/** Descriptors the engine needs besides its VUs' connections (worker threads, pipes, outputs, the loop). */
const BASE_DESCRIPTORS = 256;

/** Raises this process's soft open-file limit to `wanted` with prlimit (no privilege needed up to the hard limit). */
export function raiseOpenFileLimit(wanted: number, pid = process.pid): boolean {
  try {
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${wanted}:`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface ConnectionCapacityInput {
  vus: number;
  limits: OsLimits;
  /** Source addresses the VUs spread over (k6's localIPs), 1 without it. */
  sourceAddresses: number;
  raise?: (wanted: number) => boolean;
}

export interface ConnectionCapacity {
  /** Lines for the log before the test starts: what was changed, what the user has to change. */
  notes: { level: 'info' | 'warn'; message: string }[];
}

/** Checks (and where allowed fixes) the limits for `vus` VUs with one connection each. */
export function checkConnectionCapacity({
  vus,
  limits,
  sourceAddresses,
  raise = raiseOpenFileLimit,
}: ConnectionCapacityInput): ConnectionCapacity {
  const notes: ConnectionCapacity['notes'] = [];
  const needed = vus + BASE_DESCRIPTORS;
  const files = limits.openFiles;
  if (files !== null && needed > files.soft) {
    const target = Math.min(needed, files.hard);
    const raised = target > files.soft && raise(target);
    if (raised)
      notes.push({
        level: 'info',
        message: `raised the open-file limit from ${files.soft} to ${target} for ${vus} VUs (one connection each)`,
      });
    if (needed > files.hard || (!raised && needed > files.soft)) {
      const have = raised ? target : files.soft;
      notes.push({
        level: 'warn',
        message:
          `${vus} VUs need about ${needed} open files (a connection each), but this process may open ${have} (RLIMIT_NOFILE soft ${files.soft}, hard ${files.hard}): ` +
          `requests beyond that fail with "too many open files". Raise the limit before the run: \`ulimit -n ${needed}\` (the hard limit needs root: ` +
          `/etc/security/limits.conf, systemd LimitNOFILE=, docker run --ulimit nofile=${needed}:${needed}), or run fewer VUs per process.`,
      });
    }
  }
  const ports = limits.ephemeralPorts;
  if (ports !== null && vus > ports * sourceAddresses) {
    notes.push({
      level: 'warn',
      message:
        `${vus} VUs with a connection each need more than the ${ports} ephemeral ports (net.ipv4.ip_local_port_range) of ` +
        `${sourceAddresses === 1 ? 'one source address' : `${sourceAddresses} source addresses`} towards one target: spread the VUs over source addresses ` +
        `with --local-ips (e.g. --local-ips 127.0.0.2-127.0.0.${Math.min(254, Math.ceil(vus / ports) + 2)}), aim at several target addresses, ` +
        'or widen the range (sysctl -w net.ipv4.ip_local_port_range="1024 65535").',
    });
  }
  return { notes };
}

/** The transport options' problems (exit 104 before the run, as k6): TLS options and localIPs. */
export function transportOptionProblems(options: Record<string, unknown>): string[] {
  const problems = tlsOptionProblems(options);
  try {
    localIPsOption(options.localIPs);
  } catch (error) {
    problems.push(`localIPs: ${(error as Error).message}`);
  }
  return problems;
}

/** The pre-flight check runTest does: limits for the run's peak VUs, logged. */
export function prepareConnections(
  scenarios: readonly Scenario[],
  options: Record<string, unknown>,
  log: (level: 'info' | 'warn', message: string) => void,
): void {
  const vus = peakVUs(scenarios);
  const pool = localIPsOption(options.localIPs);
  const sourceAddresses = pool === null ? 1 : Number(pool.size < BigInt(vus) ? pool.size : BigInt(Math.max(1, vus)));
  for (const note of checkConnectionCapacity({ vus, limits: readOsLimits(), sourceAddresses }).notes) log(note.level, note.message);
}
