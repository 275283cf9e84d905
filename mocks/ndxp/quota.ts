import type { QuotaSettings } from '../config.ts';
import { BoundedMap } from '../shared/bounded-map.ts';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Per-consumer token buckets: `ratePerSecond` sustained, `burst` at once. */
export class ConsumerQuotas {
  private readonly buckets = new BoundedMap<string, Bucket>(100_000);

  constructor(
    private readonly defaults: QuotaSettings,
    private readonly perConsumer: Record<string, QuotaSettings>,
  ) {}

  /** Takes one request from the consumer's bucket; returns 0 when allowed, else seconds until one is available. */
  take(consumer: string): number {
    const { ratePerSecond, burst } = this.perConsumer[consumer] ?? this.defaults;
    const now = performance.now();
    let bucket = this.buckets.get(consumer);
    if (!bucket) {
      bucket = { tokens: burst, updatedMs: now };
      this.buckets.set(consumer, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * ratePerSecond);
    bucket.updatedMs = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / ratePerSecond;
  }

  clear(): void {
    this.buckets.clear();
  }
}
