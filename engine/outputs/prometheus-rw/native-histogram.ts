// K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: a trend as one Prometheus native histogram,
// bucketed as client_golang does for k6 (NativeHistogramBucketFactor 1.1 -> schema 3, i.e.
// 8 buckets per power of two; zero threshold 2^-128), cumulative since the start of the test.

import type { BucketSpan, PromHistogram } from './protobuf.ts';

const SCHEMA = 3;
const BUCKETS_PER_POWER = 2 ** SCHEMA;
const ZERO_THRESHOLD = 2 ** -128;
/** Upper bounds of the buckets within one power of two, as fractions in [0.5, 1). */
const FRACTION_BOUNDS = Array.from({ length: BUCKETS_PER_POWER }, (_, i) => 2 ** (i / BUCKETS_PER_POWER - 1));

/** client_golang's bucket key: frexp(v) = frac * 2^exp, key = index of frac's bound + (exp-1) * 8. */
export function bucketKey(magnitude: number): number {
  let exp = Math.floor(Math.log2(magnitude)) + 1;
  let frac = magnitude / 2 ** exp;
  if (frac >= 1) {
    frac /= 2;
    exp++;
  } else if (frac < 0.5) {
    frac *= 2;
    exp--;
  }
  let index = 0;
  while (index < BUCKETS_PER_POWER - 1 && FRACTION_BOUNDS[index] < frac) index++;
  if (FRACTION_BOUNDS[index] < frac) return BUCKETS_PER_POWER + (exp - 1) * BUCKETS_PER_POWER;
  return index + (exp - 1) * BUCKETS_PER_POWER;
}

function spansAndDeltas(buckets: Map<number, number>): { spans: BucketSpan[]; deltas: number[] } {
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let previousKey = 0;
  let previousCount = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (i === 0) spans.push({ offset: key, length: 1 });
    else if (key === previousKey + 1) spans[spans.length - 1].length++;
    else spans.push({ offset: key - previousKey - 1, length: 1 });
    const count = buckets.get(key)!;
    deltas.push(count - previousCount);
    previousKey = key;
    previousCount = count;
  }
  return { spans, deltas };
}

export class NativeHistogram {
  private count = 0;
  private sum = 0;
  private zeroCount = 0;
  private readonly positive = new Map<number, number>();
  private readonly negative = new Map<number, number>();

  observe(value: number): void {
    this.count++;
    this.sum += value;
    const magnitude = Math.abs(value);
    if (magnitude <= ZERO_THRESHOLD) {
      this.zeroCount++;
      return;
    }
    const buckets = value > 0 ? this.positive : this.negative;
    const key = bucketKey(magnitude);
    buckets.set(key, (buckets.get(key) ?? 0) + 1);
  }

  toProto(timestamp: number): PromHistogram {
    const positive = spansAndDeltas(this.positive);
    const negative = spansAndDeltas(this.negative);
    return {
      count: this.count,
      sum: this.sum,
      schema: SCHEMA,
      zeroThreshold: ZERO_THRESHOLD,
      zeroCount: this.zeroCount,
      positiveSpans: positive.spans,
      positiveDeltas: positive.deltas,
      negativeSpans: negative.spans,
      negativeDeltas: negative.deltas,
      timestamp,
    };
  }
}
