// Trend sinks merge and travel: what the results time series and the capacity step window rely on.
import { describe, expect, it } from 'vitest';
import { CounterSink, mergeSink, RateSink, TrendSink } from '../../engine/metrics/sinks.ts';

function k6Percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = sorted[Math.floor(rank)];
  return low + (sorted[Math.ceil(rank)] - low) * (rank - Math.floor(rank));
}

function sinkOf(values: readonly number[], exactLimit?: number): TrendSink {
  const sink = new TrendSink(exactLimit);
  for (const value of values) sink.add(value);
  return sink;
}

describe('trend sinks', () => {
  const parts = [0, 1, 2, 3, 4, 5].map((part) =>
    Array.from({ length: part % 2 ? 30 : 3000 }, (_, i) => (part + 1) * 3 + ((i * 7919) % 997) / (part + 1)),
  );
  const all = parts.flat();

  it('merge exact and histogram sinks into the percentiles of all their samples', () => {
    const merged = new TrendSink();
    for (const values of parts) merged.merge(sinkOf(values, 1000));
    expect(merged.count).toBe(all.length);
    expect(merged.min).toBe(Math.min(...all));
    expect(merged.max).toBe(Math.max(...all));
    expect(merged.sum).toBeCloseTo(
      all.reduce((s, v) => s + v, 0),
      6,
    );
    for (const p of [50, 90, 95, 99])
      expect(Math.abs(merged.percentile(p) - k6Percentile(all, p)) / k6Percentile(all, p)).toBeLessThan(0.001);
    // Below the exact limit a merge stays exact.
    const small = new TrendSink();
    small.merge(sinkOf(parts[1]));
    small.merge(sinkOf(parts[3]));
    expect(small.percentile(95)).toBe(k6Percentile([...parts[1], ...parts[3]], 95));
  });

  it('encode and decode a distribution, negative values included', () => {
    const values = [...parts[0], ...parts[1].map((v) => -v)];
    const sink = sinkOf(values, 100);
    const decoded = TrendSink.decode({ count: sink.count, sum: sink.sum, min: sink.min, max: sink.max }, sink.encode());
    expect(sink.encode().hdrNeg).toBeTypeOf('string');
    for (const p of [1, 5, 50, 95])
      expect(Math.abs(decoded.percentile(p) - k6Percentile(values, p))).toBeLessThan(Math.abs(k6Percentile(values, p)) * 0.001 + 1e-9);
    expect(new TrendSink().encode()).toEqual({});
  });

  it('merge counters and rates, and refuse to merge different kinds', () => {
    const counter = new CounterSink();
    counter.add(2);
    const other = new CounterSink();
    other.add(3);
    mergeSink(counter, other);
    expect([counter.value, counter.samples]).toEqual([5, 2]);
    const rate = new RateSink();
    rate.add(1);
    const more = new RateSink();
    more.add(0);
    more.add(0);
    mergeSink(rate, more);
    expect(rate.rate).toBeCloseTo(1 / 3, 12);
    expect(() => mergeSink(counter, rate)).toThrow(/cannot merge a rate sink into a counter sink/);
  });
});
