// Sinks hold the run-long aggregate of one metric (or submetric), as k6's metrics.Sink does.
// They sit on the hot path: add() must not allocate.
import * as hdr from 'hdr-histogram-js';
import type { MetricType } from './types.ts';

export class CounterSink {
  readonly type = 'counter' as const;
  /** The sum of the values: k6's `count`. */
  value = 0;
  samples = 0;
  add(value: number): void {
    this.value += value;
    this.samples++;
  }
  isEmpty(): boolean {
    return this.samples === 0;
  }
}

export class GaugeSink {
  readonly type = 'gauge' as const;
  value = 0;
  min = 0;
  max = 0;
  count = 0;
  add(value: number): void {
    this.value = value;
    if (this.count === 0 || value < this.min) this.min = value;
    if (this.count === 0 || value > this.max) this.max = value;
    this.count++;
  }
  isEmpty(): boolean {
    return this.count === 0;
  }
}

export class RateSink {
  readonly type = 'rate' as const;
  passes = 0;
  total = 0;
  add(value: number): void {
    if (value !== 0) this.passes++;
    this.total++;
  }
  get fails(): number {
    return this.total - this.passes;
  }
  /** passes / total; k6's threshold code divides without a guard, so no data gives NaN (fails every comparison). */
  get rate(): number {
    return this.passes / this.total;
  }
  isEmpty(): boolean {
    return this.total === 0;
  }
}

/** Values are recorded in the histogram as integers of this many units per unit (ms → ns for time). */
const HISTOGRAM_SCALE = 1e6;
const HISTOGRAM_MAX = Number.MAX_SAFE_INTEGER;

/**
 * hdr-histogram-js's WebAssembly histograms record a value in ~25 ns, its JavaScript ones in
 * ~140 ns (Math.log2 and two Math.pow per value); a request records eight trends twice (run-long
 * and per second), so that is ~2 µs per request. The JavaScript ones remain the fallback.
 */
const useWebAssembly = (() => {
  try {
    hdr.initWebAssemblySync();
    return true;
  } catch {
    return false;
  }
})();

/** WebAssembly histograms live outside the JavaScript heap: freed when their sink is collected (or released). */
const histogramsOfCollectedSinks = new FinalizationRegistry<hdr.Histogram>((histogram) => histogram.destroy());

function newHistogram(owner: object): hdr.Histogram {
  const histogram = hdr.build({ autoResize: true, numberOfSignificantValueDigits: 3, bitBucketSize: 32, useWebAssembly });
  if (useWebAssembly) histogramsOfCollectedSinks.register(owner, histogram, owner);
  return histogram;
}

/**
 * A trend in bounded memory. Small trends keep their values and give k6's exact percentiles
 * (linear interpolation between sorted values); past `exactLimit` values they move into an HDR
 * histogram (3 significant digits, ~0.05 % relative error) and memory stops growing.
 * count, sum, min, max and avg stay exact either way.
 */
export class TrendSink {
  readonly type = 'trend' as const;
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  private values: Float64Array | null;
  private sorted = true;
  private positive: hdr.Histogram | null = null;
  /** Custom trends may hold negative values, which an HDR histogram cannot; they are kept mirrored here. */
  private negative: hdr.Histogram | null = null;

  constructor(private readonly exactLimit = 10_000) {
    this.values = new Float64Array(Math.min(64, Math.max(exactLimit, 1)));
  }

  add(value: number): void {
    if (this.count === 0) {
      this.min = value;
      this.max = value;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    this.sum += value;
    const index = this.count++;
    const values = this.values;
    if (values !== null) {
      if (index < values.length) {
        if (this.sorted && index > 0 && value < values[index - 1]) this.sorted = false;
        values[index] = value;
        return;
      }
      if (index < this.exactLimit) {
        const grown = new Float64Array(Math.min(values.length * 2, this.exactLimit));
        grown.set(values);
        this.values = grown;
        if (this.sorted && value < values[index - 1]) this.sorted = false;
        grown[index] = value;
        return;
      }
      this.spill(values, index);
    }
    this.record(value);
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  get med(): number {
    return this.percentile(50);
  }

  /** The value at percentile `pct` (0–100), like k6's TrendSink.P(pct / 100). */
  percentile(pct: number): number {
    if (this.count === 0) return 0;
    if (this.count === 1 || pct <= 0) return this.min;
    if (pct >= 100) return this.max;
    const values = this.values;
    if (values !== null) {
      if (!this.sorted) {
        values.subarray(0, this.count).sort();
        this.sorted = true;
      }
      const rank = (pct / 100) * (this.count - 1);
      const lower = values[Math.floor(rank)];
      const upper = values[Math.ceil(rank)];
      return lower + (upper - lower) * (rank - Math.floor(rank));
    }
    return clamp(this.histogramPercentile(pct), this.min, this.max);
  }

  private spill(values: Float64Array, length: number): void {
    this.values = null;
    for (let i = 0; i < length; i++) this.record(values[i]);
  }

  private record(value: number): void {
    if (value >= 0) {
      this.positive ??= newHistogram(this);
      this.positive.recordValue(Math.min(Math.round(value * HISTOGRAM_SCALE), HISTOGRAM_MAX));
    } else {
      this.negative ??= newHistogram(this);
      this.negative.recordValue(Math.min(Math.round(-value * HISTOGRAM_SCALE), HISTOGRAM_MAX));
    }
  }

  /** Frees the histograms now rather than when the sink is collected; the sink must not be used after. */
  release(): void {
    histogramsOfCollectedSinks.unregister(this);
    this.positive?.destroy();
    this.negative?.destroy();
    this.positive = null;
    this.negative = null;
    this.values = null;
    this.count = 0;
  }

  private histogramPercentile(pct: number): number {
    const negatives = this.negative?.totalCount ?? 0;
    const positives = this.positive?.totalCount ?? 0;
    const rank = (pct / 100) * (negatives + positives);
    if (this.negative !== null && rank <= negatives) {
      // Within the negatives the order is reversed: the lowest rank is the largest magnitude.
      const mirrored = 100 * (1 - rank / negatives);
      return -this.negative.getValueAtPercentile(mirrored) / HISTOGRAM_SCALE;
    }
    if (this.positive === null) return this.max;
    return this.positive.getValueAtPercentile((100 * (rank - negatives)) / positives) / HISTOGRAM_SCALE;
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, high));
}

export type Sink = CounterSink | GaugeSink | RateSink | TrendSink;

export function createSink(type: MetricType, trendExactLimit?: number): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink();
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink(trendExactLimit);
  }
}
