// k6's localIPs (`--local-ips`, K6_LOCAL_IPS): a comma list of addresses, ranges (a-b) and CIDRs;
// VU n sends from the pool's address n-1, modulo the pool's size (k6's IPPool). IPv4 CIDRs wider
// than /31 leave out their network and broadcast addresses, as k6 does.
import { isIP } from 'node:net';

interface Block {
  first: bigint;
  count: bigint;
  ipv6: boolean;
}

function toBigInt(ip: string): bigint {
  if (isIP(ip) === 4) return ip.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
  const [head, tail = ''] = ip.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  let left = groups(head);
  let right = ip.includes('::') ? groups(tail) : [];
  // An IPv4 tail (::ffff:1.2.3.4) is two groups.
  const last = (right.length > 0 ? right : left).at(-1) ?? '';
  if (last.includes('.')) {
    const v4 = toBigInt(last);
    const pair = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    if (right.length > 0) right = [...right.slice(0, -1), ...pair];
    else left = [...left.slice(0, -1), ...pair];
  }
  const zeros = Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function fromBigInt(n: bigint, ipv6: boolean): string {
  if (!ipv6) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

function rangeBlock(text: string, a: string, b: string): Block {
  const fa = isIP(a);
  const fb = isIP(b);
  if (fa === 0 || fb === 0) throw new Error(`wrong IP range format: ${text}`);
  if (fa !== fb) throw new Error(`mixed IP range format: ${text}`);
  const first = toBigInt(a);
  const count = toBigInt(b) - first + 1n;
  if (count <= 0n) throw new Error(`negative IP range: ${text}`);
  return { first, count, ipv6: fa === 6 };
}

function cidrBlock(text: string): Block {
  const [address, bits] = text.split('/');
  const family = isIP(address);
  const width = family === 4 ? 32 : 128;
  const prefix = Number(bits);
  if (family === 0 || !/^\d+$/.test(bits ?? '') || prefix > width)
    throw new Error(`parseCIDR() failed parsing ${text}: invalid CIDR address: ${text}`);
  const size = 1n << BigInt(width - prefix);
  const first = (toBigInt(address) / size) * size;
  // IPv4 networks larger than two addresses: not the network and broadcast addresses.
  if (family === 4 && size > 2n) return { first: first + 1n, count: size - 2n, ipv6: false };
  return { first, count: size, ipv6: family === 6 };
}

export class IPPool {
  private constructor(
    private readonly blocks: readonly Block[],
    readonly size: bigint,
  ) {}

  /** k6's syntax; throws with k6's message on a bad entry. */
  static parse(text: string): IPPool {
    const blocks = text.split(',').map((raw) => {
      const part = raw.trim();
      if (part.includes('-')) {
        const [a, b] = part.split('-', 2);
        return rangeBlock(part, a.trim(), b.trim());
      }
      if (part.includes('/')) return cidrBlock(part);
      if (isIP(part) === 0) throw new Error(`${part} is not a valid IP, IP range or CIDR`);
      return rangeBlock(part, part, part);
    });
    return new IPPool(
      blocks,
      blocks.reduce((n, b) => n + b.count, 0n),
    );
  }

  /** The address for index `i` (k6: the VU's number minus one), round robin over the pool. */
  addressFor(i: number): string {
    let index = BigInt(Math.max(0, i)) % this.size;
    for (const block of this.blocks) {
      if (index < block.count) return fromBigInt(block.first + index, block.ipv6);
      index -= block.count;
    }
    throw new Error('unreachable: index within the pool size');
  }

  /** The distinct addresses the first `vus` VUs use (at most the pool's size). */
  addresses(vus: number): string[] {
    const n = Number(this.size < BigInt(vus) ? this.size : BigInt(vus));
    return Array.from({ length: n }, (_, i) => this.addressFor(i));
  }
}

/** k6's localIPs option (string) → a pool, or null when not set. */
export function localIPsOption(value: unknown): IPPool | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string')
    throw new Error(`localIPs must be a string like "127.0.0.2-127.0.0.50,127.0.1.0/24", got ${JSON.stringify(value)}`);
  return IPPool.parse(value);
}
