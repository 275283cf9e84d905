export interface StoreLimits {
  maxEntries: number;
  /** Bound on the estimated size of the entries (keys and values), see `stringBytes`. */
  maxBytes: number;
}

export type EvictionReason = 'capacity' | 'expired' | 'with_document';

/** What /metrics reads from a store: its size, its bounds and how many entries it had to forget. */
export interface MeteredStore {
  readonly name: string;
  readonly size: number;
  readonly bytes: number;
  readonly limits: StoreLimits;
  readonly evictions: ReadonlyMap<EvictionReason, number>;
}

export interface BoundedStoreOptions<K, V> {
  /** Estimated bytes of one entry; default a flat 64 per entry. */
  sizeOf?: (key: K, value: V) => number;
  /** Entries older than this are gone; setting a key again restarts its time. */
  ttlMs?: number;
  onEvict?: (key: K, value: V, reason: EvictionReason) => void;
  now?: () => number;
}

interface Slot<V> {
  value: V;
  bytes: number;
  storedAtMs: number;
}

/** V8 keeps a string of Latin-1 text in one byte per character and others in two; count two to stay an upper bound. */
export function stringBytes(...values: (string | undefined)[]): number {
  let bytes = 0;
  for (const value of values) if (value !== undefined) bytes += 16 + 2 * value.length;
  return bytes;
}

/** Per-entry cost of the Map slot and of the value object's header, on top of its strings. */
export const ENTRY_OVERHEAD_BYTES = 96;

/**
 * A map with a bound on its entries and on their estimated bytes: beyond either, the oldest entry (by insertion or
 * last `set`) is evicted; with a TTL, expired entries are evicted first. A mock under hours of load or abuse keeps a
 * flat memory profile this way: a real system would keep the data, a mock only needs the recent part to stay consistent.
 */
export class BoundedStore<K, V> implements MeteredStore {
  private readonly slots = new Map<K, Slot<V>>();
  private totalBytes = 0;
  readonly evictions = new Map<EvictionReason, number>();
  private readonly sizeOf: (key: K, value: V) => number;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    readonly limits: StoreLimits,
    private readonly options: BoundedStoreOptions<K, V> = {},
  ) {
    this.sizeOf = options.sizeOf ?? (() => 64);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.slots.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get(key: K): V | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (this.expired(slot, this.now())) {
      this.evict(key, slot, 'expired');
      return undefined;
    }
    return slot.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): this {
    const now = this.now();
    const previous = this.slots.get(key);
    if (previous) this.remove(key, previous);
    const bytes = this.sizeOf(key, value) + ENTRY_OVERHEAD_BYTES;
    // An entry larger than the whole budget is forgotten at once rather than breaking the bound.
    if (bytes > this.limits.maxBytes) {
      this.evict(key, { value, bytes: 0, storedAtMs: now }, 'capacity');
      return this;
    }
    this.sweepExpired(now);
    while (this.slots.size > 0 && (this.slots.size >= this.limits.maxEntries || this.totalBytes + bytes > this.limits.maxBytes)) {
      const oldest = this.slots.entries().next().value!;
      this.evict(oldest[0], oldest[1], 'capacity');
    }
    this.slots.set(key, { value, bytes, storedAtMs: now });
    this.totalBytes += bytes;
    return this;
  }

  /** Removes an entry on purpose (used, acknowledged): not an eviction. */
  delete(key: K): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.remove(key, slot);
    return true;
  }

  /** Live values, oldest first. */
  *values(): IterableIterator<V> {
    const now = this.now();
    for (const slot of this.slots.values()) if (!this.expired(slot, now)) yield slot.value;
  }

  clear(): void {
    this.slots.clear();
    this.totalBytes = 0;
  }

  private expired(slot: Slot<V>, now: number): boolean {
    return this.options.ttlMs !== undefined && now - slot.storedAtMs >= this.options.ttlMs;
  }

  // Entries are kept in the order they were stored, so with one TTL the expired ones are at the front.
  private sweepExpired(now: number): void {
    if (this.options.ttlMs === undefined) return;
    for (const [key, slot] of this.slots) {
      if (!this.expired(slot, now)) return;
      this.evict(key, slot, 'expired');
    }
  }

  private remove(key: K, slot: Slot<V>): void {
    this.slots.delete(key);
    this.totalBytes -= slot.bytes;
  }

  private evict(key: K, slot: Slot<V>, reason: EvictionReason): void {
    this.remove(key, slot);
    this.evictions.set(reason, (this.evictions.get(reason) ?? 0) + 1);
    this.options.onEvict?.(key, slot.value, reason);
  }
}
