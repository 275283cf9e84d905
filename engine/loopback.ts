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
