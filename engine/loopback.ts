import { isIP } from 'node:net';

/**
 * Loopback as the harness defines it: 127.0.0.0/8, ::1 (also IPv4-mapped 127.x) and the name
 * localhost. Load, and the samples about it, go nowhere else unless the user allows remote targets.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./i.test(host);
  return false;
}

function complementOfPrefix(bits: number[], keepLength: number): { bits: number[]; length: number }[] {
  // The CIDRs covering everything outside the prefix: at each bit of the prefix, the other branch.
  return Array.from({ length: keepLength }, (_, i) => ({ bits: [...bits.slice(0, i), 1 - bits[i]], length: i + 1 }));
}

function ipv4Cidr(bits: number[], length: number): string {
  const padded = [...bits, ...new Array(32 - bits.length).fill(0)];
  const octets = [0, 1, 2, 3].map((o) => Number.parseInt(padded.slice(o * 8, o * 8 + 8).join(''), 2));
  return `${octets.join('.')}/${length}`;
}

function ipv6Cidr(bits: number[], length: number): string {
  const padded = [...bits, ...new Array(128 - bits.length).fill(0)];
  const groups = Array.from({ length: 8 }, (_, g) => Number.parseInt(padded.slice(g * 16, g * 16 + 16).join(''), 2).toString(16));
  return `${groups.join(':')}/${length}`;
}

/**
 * Every address outside loopback as CIDRs (IPv4 except 127.0.0.0/8, IPv6 except ::1), for k6's
 * --blacklist-ip: the same loopback rule as isLoopbackHost when a script runs on real k6.
 */
export function nonLoopbackCidrs(): string[] {
  const v4 = (127).toString(2).padStart(8, '0').split('').map(Number);
  const v6 = [...new Array(127).fill(0), 1];
  return [
    ...complementOfPrefix(v4, 8).map((c) => ipv4Cidr(c.bits, c.length)),
    ...complementOfPrefix(v6, 128).map((c) => ipv6Cidr(c.bits, c.length)),
  ];
}
