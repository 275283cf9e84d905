import type { QuotaSettings } from '../config.ts';
import { type BoundedStore, stringBytes } from '../shared/bounded-store.ts';
import type { ServiceContext } from '../shared/context.ts';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** A bucket idle this long has refilled for any quota worth the name; forgetting it changes nothing. */
const IDLE_BUCKET_MS = 10 * 60 * 1000;

/** Per-consumer token buckets: `ratePerSecond` sustained, `burst` at once. */
export class ConsumerQuotas {
  private readonly buckets: BoundedStore<string, Bucket>;

  constructor(
    context: ServiceContext,
    private readonly defaults: QuotaSettings,
    private readonly perConsumer: Record<string, QuotaSettings>,
  ) {
    this.buckets = context.store('quota_windows', { ttlMs: IDLE_BUCKET_MS, sizeOf: (consumer) => stringBytes(consumer) + 16 });
  }

  /** Takes one request from the consumer's bucket; returns 0 when allowed, else seconds until one is available. */
  take(consumer: string): number {
    const { ratePerSecond, burst } = this.perConsumer[consumer] ?? this.defaults;
    const now = performance.now();
    const bucket = this.buckets.get(consumer) ?? { tokens: burst, updatedMs: now };
    // Stored again on every use, so the store's order is last use and idle buckets are the ones that expire.
    this.buckets.set(consumer, bucket);
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * ratePerSecond);
    bucket.updatedMs = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / ratePerSecond;
  }

  /** Gives back the request taken by a call the gateway then refused (circuit open, provider saturated). */
  refund(consumer: string): void {
    const bucket = this.buckets.get(consumer);
    if (bucket) bucket.tokens = Math.min((this.perConsumer[consumer] ?? this.defaults).burst, bucket.tokens + 1);
  }

  clear(): void {
    this.buckets.clear();
  }
}
