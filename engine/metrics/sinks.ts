// Sinks hold the run-long aggregate of one metric (or submetric), as k6's metrics.Sink does.
// They sit on the hot path: add() must not allocate.
import { HISTOGRAM_SIGNIFICANT_DIGITS } from '../../results-format/run.ts';
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
  merge(other: CounterSink): void {
    this.value += other.value;
    this.samples += other.samples;
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
  /** `other` holds later samples: its last value becomes the value. */
  merge(other: GaugeSink): void {
    if (other.count === 0) return;
    if (this.count === 0 || other.min < this.min) this.min = other.min;
    if (this.count === 0 || other.max > this.max) this.max = other.max;
    this.value = other.value;
    this.count += other.count;
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
  merge(other: RateSink): void {
    this.passes += other.passes;
    this.total += other.total;
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
export const HISTOGRAM_SCALE = 1e6;
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

/** A histogram freed with its owner; without an owner the caller destroys it. */
function newHistogram(owner: object | null): hdr.Histogram {
  const histogram = hdr.build({
    autoResize: true,
    numberOfSignificantValueDigits: HISTOGRAM_SIGNIFICANT_DIGITS,
    bitBucketSize: 32,
    useWebAssembly,
  });
  if (useWebAssembly && owner !== null) histogramsOfCollectedSinks.register(owner, histogram, owner);
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
        const grown = new Float64Array(Math.min(Math.max(values.length * 2, 64), this.exactLimit));
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

  /** Adds every sample of `other` (merging a window's seconds, a flow's tag sets); `other` is unchanged. */
  merge(other: TrendSink): void {
    if (other.count === 0) return;
    if (other.values !== null) {
      for (let i = 0; i < other.count; i++) this.add(other.values[i]);
      return;
    }
    if (this.count === 0) {
      this.min = other.min;
      this.max = other.max;
    } else {
      if (other.min < this.min) this.min = other.min;
      if (other.max > this.max) this.max = other.max;
    }
    if (this.values !== null) this.spill(this.values, this.count);
    this.count += other.count;
    this.sum += other.sum;
    if (other.positive !== null) (this.positive ??= newHistogram(this)).add(other.positive);
    if (other.negative !== null) (this.negative ??= newHistogram(this)).add(other.negative);
  }

  /**
   * The distribution as HDR histograms in hdr-histogram-js's compressed base64 form (the HdrHistogram
   * interchange format), for the results time series; `hdrNeg` holds negative values, mirrored.
   */
  encode(): EncodedTrend {
    if (this.count === 0) return {};
    let positive = this.positive;
    let negative = this.negative;
    const temporary = this.values !== null;
    if (temporary) {
      positive = null;
      negative = null;
      for (let i = 0; i < this.count; i++) {
        const value = this.values![i];
        const histogram = value >= 0 ? (positive ??= newHistogram(null)) : (negative ??= newHistogram(null));
        histogram.recordValue(Math.min(Math.round(Math.abs(value) * HISTOGRAM_SCALE), HISTOGRAM_MAX));
      }
    }
    const encoded: EncodedTrend = {};
    if (positive !== null) encoded.hdr = hdr.encodeIntoCompressedBase64(positive);
    if (negative !== null) encoded.hdrNeg = hdr.encodeIntoCompressedBase64(negative);
    if (temporary) {
      positive?.destroy();
      negative?.destroy();
    }
    return encoded;
  }

  /** The values of a sink that still keeps them all (null once they moved into histograms). */
  exactValues(): Float64Array | null {
    return this.values === null ? null : this.values.subarray(0, this.count);
  }

  /** A sink keeping exactly `values` (adopted, not copied), as a folded series travels between threads. */
  static ofValues(values: Float64Array): TrendSink {
    const sink = new TrendSink(Number.POSITIVE_INFINITY);
    sink.values = values;
    sink.count = values.length;
    sink.sorted = false;
    if (values.length > 0) {
      let min = values[0];
      let max = values[0];
      let sum = 0;
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (value < min) min = value;
        if (value > max) max = value;
        sum += value;
      }
      sink.min = min;
      sink.max = max;
      sink.sum = sum;
    }
    return sink;
  }

  /** A sink from `encode()`'s output and the exact count, sum, min and max that travel with it. */
  static decode(stats: { count: number; sum: number; min: number; max: number }, encoded: EncodedTrend): TrendSink {
    const sink = new TrendSink(0);
    sink.values = null;
    if (encoded.hdr) sink.positive = decodeHistogram(sink, encoded.hdr);
    if (encoded.hdrNeg) sink.negative = decodeHistogram(sink, encoded.hdrNeg);
    sink.count = stats.count;
    sink.sum = stats.sum;
    sink.min = stats.min;
    sink.max = stats.max;
    return sink;
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

  /** k6's percentile (interpolated between the closest ranks) on the histograms' values at those ranks. */
  private histogramPercentile(pct: number): number {
    const total = (this.negative?.totalCount ?? 0) + (this.positive?.totalCount ?? 0);
    if (total === 0) return this.max;
    const rank = (pct / 100) * (total - 1);
    const low = this.valueAtRank(Math.floor(rank));
    const high = this.valueAtRank(Math.ceil(rank));
    return low + (high - low) * (rank - Math.floor(rank));
  }

  /** The value at 0-based rank `k` in ascending order, negatives (mirrored) before positives. */
  private valueAtRank(k: number): number {
    const negatives = this.negative?.totalCount ?? 0;
    if (this.negative !== null && k < negatives) {
      // Within the negatives the order is reversed: the lowest rank is the largest magnitude.
      return -this.negative.getValueAtPercentile((100 * (negatives - k)) / negatives) / HISTOGRAM_SCALE;
    }
    if (this.positive === null) return this.max;
    const positives = this.positive.totalCount;
    return this.positive.getValueAtPercentile((100 * (k - negatives + 1)) / positives) / HISTOGRAM_SCALE;
  }
}

export interface EncodedTrend {
  hdr?: string;
  hdrNeg?: string;
}

function decodeHistogram(owner: object, base64: string): hdr.Histogram {
  const histogram = newHistogram(owner);
  const decoded = hdr.decodeFromCompressedBase64(base64, 32, useWebAssembly);
  histogram.add(decoded);
  decoded.destroy();
  return histogram;
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, high));
}

export type Sink = CounterSink | GaugeSink | RateSink | TrendSink;

/** Merges `from` into `into`; both must be of the same metric type. */
export function mergeSink(into: Sink, from: Sink): void {
  if (into.type !== from.type) throw new TypeError(`cannot merge a ${from.type} sink into a ${into.type} sink`);
  // The type check above makes the cast safe: each class merges its own kind.
  (into.merge as (other: Sink) => void)(from);
}

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
