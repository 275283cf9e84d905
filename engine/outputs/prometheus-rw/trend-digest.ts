// A trend series' values since the start of the test, as k6's TrendSink keeps them for this
// output (the stats are cumulative, not per push interval).
//
// k6 keeps every value; for a long run at thousands of requests per second that is hundreds of
// megabytes per trend. So values are kept exactly (k6's percentile interpolation, identical
// results) up to EXACT_LIMIT per series, then move into HDR histograms (3 significant digits:
// percentiles within 0.1% of the exact figure) whose memory does not grow with the run.

import { HISTOGRAM_SIGNIFICANT_DIGITS } from '../../../results-format/run.ts';
import * as hdr from 'hdr-histogram-js';

const EXACT_LIMIT = 20_000;
/** Values are recorded in thousandths, so milliseconds keep microsecond resolution. */
const HDR_SCALE = 1000;

function newHistogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 'packed', autoResize: true, numberOfSignificantValueDigits: HISTOGRAM_SIGNIFICANT_DIGITS });
}

export class TrendDigest {
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  private exact: Float64Array | null = new Float64Array(8);
  private sorted = true;
  /** Magnitudes of non-negative and of negative values once past EXACT_LIMIT. */
  private positive: hdr.Histogram | null = null;
  private negative: hdr.Histogram | null = null;

  add(value: number): void {
    if (this.count === 0 || value < this.min) this.min = value;
    if (this.count === 0 || value > this.max) this.max = value;
    this.count++;
    this.sum += value;
    if (this.exact) {
      if (this.count > EXACT_LIMIT) {
        this.moveToHistograms();
        this.record(value);
        return;
      }
      if (this.count > this.exact.length) {
        const grown = new Float64Array(this.exact.length * 2);
        grown.set(this.exact);
        this.exact = grown;
      }
      const index = this.count - 1;
      if (index > 0 && value < this.exact[index - 1]) this.sorted = false;
      this.exact[index] = value;
      return;
    }
    this.record(value);
  }

  avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** k6's TrendSink.P: linear interpolation between the values around rank p*(count-1). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    if (this.exact) {
      const values = this.exact.subarray(0, this.count);
      if (!this.sorted) {
        values.sort();
        this.sorted = true;
      }
      if (this.count === 1) return values[0];
      const rank = p * (this.count - 1);
      const lower = values[Math.floor(rank)];
      const upper = values[Math.ceil(rank)];
      return lower + (upper - lower) * (rank - Math.floor(rank));
    }
    const negatives = this.negative?.totalCount ?? 0;
    const rank = p * (this.count - 1);
    if (rank < negatives && this.negative) {
      // The i-th smallest negative value is the (negatives-1-i)-th largest magnitude.
      const fromTop = 100 * (1 - (rank + 1) / negatives);
      return -this.negative.getValueAtPercentile(Math.max(0, fromTop)) / HDR_SCALE;
    }
    const positives = this.positive!.totalCount;
    const within = positives <= 1 ? 100 : (100 * (rank - negatives + 1)) / positives;
    return this.positive!.getValueAtPercentile(Math.min(100, within)) / HDR_SCALE;
  }

  private record(value: number): void {
    const scaled = Math.round(Math.abs(value) * HDR_SCALE);
    if (value < 0) {
      this.negative ??= newHistogram();
      this.negative.recordValue(scaled);
    } else {
      this.positive ??= newHistogram();
      this.positive.recordValue(scaled);
    }
  }

  private moveToHistograms(): void {
    const values = this.exact!;
    this.exact = null;
    this.positive = newHistogram();
    for (let i = 0; i < this.count - 1; i++) this.record(values[i]);
  }
}
