// http.batch's concurrency as k6 limits it: at most `batch` requests of one call in flight, and at
// most `batchPerHost` to one host (k6's SlotLimiter and MultiSlotLimiter; 0 = no limit). Since a
// VU's connections are only as many as its concurrent requests, this is also what bounds the
// connections a batch opens.

class Slots {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  acquire(): Promise<void> | null {
    if (this.size <= 0 || this.inUse < this.size) {
      this.inUse++;
      return null;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.inUse--;
  }
}

/** The limits of one http.batch call. */
export class BatchLimiter {
  private readonly all: Slots;
  private readonly hosts = new Map<string, Slots>();

  constructor(
    batch: number,
    private readonly batchPerHost: number,
  ) {
    this.all = new Slots(batch);
  }

  /** Starts `request` when a slot overall and one for its host are free, in the order of the calls. */
  async run<T>(url: string, request: () => Promise<T>): Promise<T> {
    const host = hostOf(url);
    let hostSlots = this.hosts.get(host);
    if (hostSlots === undefined) {
      hostSlots = new Slots(this.batchPerHost);
      this.hosts.set(host, hostSlots);
    }
    await this.all.acquire();
    await hostSlots.acquire();
    try {
      return await request();
    } finally {
      hostSlots.release();
      this.all.release();
    }
  }
}

function hostOf(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  if (match === null) return url;
  const authority = match[1];
  return authority.slice(authority.lastIndexOf('@') + 1).toLowerCase();
}

/** The URL of an http.batch entry in any of its forms: "url", http.url``, [method, url, ...], { method, url, ... }. */
export function batchItemURL(item: unknown): string {
  if (typeof item === 'string') return item;
  if (Array.isArray(item)) return batchItemURL(item[1]);
  if (item && typeof item === 'object' && 'url' in item) return batchItemURL((item as { url: unknown }).url);
  return String(item);
}

const countOption = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;

/** k6's `batch` (default 20) and `batchPerHost` (default 6) options. */
export function batchOptions(options: Record<string, unknown>): { batch: number; batchPerHost: number } {
  return { batch: countOption(options.batch, 20), batchPerHost: countOption(options.batchPerHost, 6) };
}

/** A limiter for one http.batch call. */
export function batchLimiter(options: Record<string, unknown>): BatchLimiter {
  const { batch, batchPerHost } = batchOptions(options);
  return new BatchLimiter(batch, batchPerHost);
}
