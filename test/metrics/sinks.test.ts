import { describe, expect, it } from 'vitest';
import { CounterSink, GaugeSink, RateSink, TrendSink } from '../../engine/metrics/sinks.ts';

/** k6's TrendSink.P: linear interpolation between the sorted values. */
function exactPercentile(sorted: number[], pct: number): number {
  const rank = (pct / 100) * (sorted.length - 1);
  const lower = sorted[Math.floor(rank)];
  const upper = sorted[Math.ceil(rank)];
  return lower + (upper - lower) * (rank - Math.floor(rank));
}

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('TrendSink', () => {
  it('gives k6 exact percentiles while the values fit in the exact buffer', () => {
    const sink = new TrendSink(10_000);
    const next = random(1);
    const values = Array.from({ length: 5000 }, () => next() * 800);
    for (const value of values) sink.add(value);
    const sorted = [...values].sort((a, b) => a - b);
    for (const pct of [0, 1, 50, 90, 95, 99, 99.9, 100]) {
      expect(sink.percentile(pct)).toBeCloseTo(exactPercentile(sorted, pct), 9);
    }
    expect(sink.med).toBeCloseTo(exactPercentile(sorted, 50), 9);
    expect(sink.min).toBe(sorted[0]);
    expect(sink.max).toBe(sorted.at(-1));
    expect(sink.avg).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    expect(sink.count).toBe(5000);
  });

  it('interpolates like k6 on tiny inputs', () => {
    const sink = new TrendSink();
    sink.add(20);
    sink.add(10);
    expect(sink.med).toBe(15);
    expect(sink.percentile(90)).toBe(19);
    const empty = new TrendSink();
    expect([empty.min, empty.max, empty.avg, empty.med, empty.percentile(95)]).toEqual([0, 0, 0, 0, 0]);
    const single = new TrendSink();
    single.add(7.5);
    expect([single.med, single.percentile(99)]).toEqual([7.5, 7.5]);
  });

  it('stays within HDR precision of the exact percentiles past the exact limit (log-normal latencies)', () => {
    const sink = new TrendSink(1000);
    const next = random(42);
    const values: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      // Box-Muller log-normal around ~50 ms with a long tail, fractional milliseconds.
      const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      const value = Math.exp(Math.log(50) + 0.8 * z);
      values.push(value);
      sink.add(value);
    }
    values.sort((a, b) => a - b);
    for (const pct of [1, 10, 50, 90, 95, 99, 99.9, 99.99]) {
      const exact = exactPercentile(values, pct);
      expect(Math.abs(sink.percentile(pct) - exact) / exact).toBeLessThan(0.002);
    }
    expect(sink.min).toBe(values[0]);
    expect(sink.max).toBe(values.at(-1));
    expect(sink.count).toBe(200_000);
    expect(sink.percentile(100)).toBe(values.at(-1));
  });

  it('handles negative and zero values of custom trends in histogram mode', () => {
    const sink = new TrendSink(100);
    const values: number[] = [];
    for (let i = -5000; i <= 5000; i++) {
      values.push(i / 10);
      sink.add(i / 10);
    }
    values.sort((a, b) => a - b);
    for (const pct of [5, 25, 50, 75, 95]) {
      expect(sink.percentile(pct)).toBeCloseTo(exactPercentile(values, pct), 0);
    }
    expect(sink.min).toBe(-500);
    expect(sink.max).toBe(500);
    expect(Math.abs(sink.avg)).toBeLessThan(1e-9);
  });
});

describe('counter, gauge and rate sinks', () => {
  it('counter sums values', () => {
    const sink = new CounterSink();
    expect(sink.isEmpty()).toBe(true);
    for (const v of [1, 1, 3.5]) sink.add(v);
    expect(sink.value).toBe(5.5);
    expect(sink.isEmpty()).toBe(false);
  });

  it('gauge keeps the last value, min and max', () => {
    const sink = new GaugeSink();
    for (const v of [5, 2, 9, 4]) sink.add(v);
    expect([sink.value, sink.min, sink.max]).toEqual([4, 2, 9]);
  });

  it('rate counts non-zero values as passes', () => {
    const sink = new RateSink();
    expect(Number.isNaN(sink.rate)).toBe(true);
    for (const v of [1, 0, 1, 1, 0, 2]) sink.add(v);
    expect([sink.passes, sink.fails, sink.total]).toEqual([4, 2, 6]);
    expect(sink.rate).toBeCloseTo(4 / 6, 12);
  });
});
