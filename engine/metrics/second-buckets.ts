// Buckets by second, the latest at hand: samples arrive mostly in time order, so most lookups are
// one comparison. For whatever folds samples per second (the digest, the results time series).
export class SecondBuckets<T> {
  private readonly buckets = new Map<number, T>();
  private lastSecond = Number.NaN;
  private last: T | null = null;

  constructor(private readonly create: () => T) {}

  of(second: number): T {
    if (second === this.lastSecond && this.last !== null) return this.last;
    let bucket = this.buckets.get(second);
    if (bucket === undefined) {
      bucket = this.create();
      this.buckets.set(second, bucket);
    }
    this.lastSecond = second;
    this.last = bucket;
    return bucket;
  }

  seconds(): number[] {
    return [...this.buckets.keys()];
  }

  get(second: number): T | undefined {
    return this.buckets.get(second);
  }

  delete(second: number): void {
    this.buckets.delete(second);
    if (second === this.lastSecond) this.last = null;
  }

  clear(): void {
    this.buckets.clear();
    this.last = null;
    this.lastSecond = Number.NaN;
  }
}
