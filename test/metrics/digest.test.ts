import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../engine/metrics/aggregator.ts';
import { BUILTIN_METRICS as M } from '../../engine/metrics/builtin.ts';
import { foldSamples, SampleFolder } from '../../engine/metrics/digest.ts';
import { MetricRegistry } from '../../engine/metrics/registry.ts';
import type { GaugeSink, TrendSink } from '../../engine/metrics/sinks.ts';
import type { MetricDescriptor, SampleContainer } from '../../engine/metrics/types.ts';
import { BatchDecoder, BatchEncoder } from '../../engine/run/transport.ts';

const T0 = Date.UTC(2026, 0, 1);

function container(time: number, tags: Record<string, string>, ...samples: [MetricDescriptor, number][]): SampleContainer {
  return { time, tags: Object.freeze(tags), samples: samples.map(([metric, value]) => ({ metric, value })) };
}

describe('folding samples into series', () => {
  it('gives one entry per second, tag set and metric, in the order of first appearance', () => {
    const a = { scenario: 'a' };
    const entries = foldSamples([
      container(T0, a, [M.http_reqs, 1], [M.http_req_duration, 5]),
      container(T0 + 10, { ...a }, [M.http_reqs, 1], [M.http_req_duration, 7]),
      container(T0 + 1500, a, [M.http_reqs, 1]),
    ]);
    expect(entries.map((e) => [e.second - T0 / 1000, e.metric.name])).toEqual([
      [0, 'http_reqs'],
      [0, 'http_req_duration'],
      [1, 'http_reqs'],
    ]);
    // An equal tag set in another object folds into the same series.
    expect(entries[0].sink).toMatchObject({ value: 2, samples: 2 });
    expect((entries[1].sink as TrendSink).exactValues()).toEqual(new Float64Array([5, 7]));
  });

  it('keeps a gauge last value across interleaved series, and the checks in the order they first ran', () => {
    const registry = new MetricRegistry();
    const gauge = registry.define('queue_depth', 'gauge');
    const aggregator = new Aggregator({ registry });
    aggregator.addMetricSamples([
      container(T0, { check: 'second check', group: '' }, [M.checks, 1]),
      container(T0, { region: 'north' }, [gauge, 1]),
      container(T0, { region: 'south' }, [gauge, 2]),
      container(T0, { check: 'first check', group: '' }, [M.checks, 0]),
      container(T0, { region: 'north' }, [gauge, 3]),
      container(T0, { check: 'second check', group: '' }, [M.checks, 1]),
    ]);
    const sink = aggregator.metric('queue_depth')!.sink as GaugeSink;
    expect({ value: sink.value, min: sink.min, max: sink.max }).toEqual({ value: 3, min: 1, max: 3 });
    expect(aggregator.rootGroup().checks.map((c) => [c.name, c.passes, c.fails])).toEqual([
      ['second check', 2, 0],
      ['first check', 0, 1],
    ]);
  });

  it('travels between threads unchanged, a trend with every value', () => {
    const folder = new SampleFolder();
    const tags = { name: 'login', status: '200' };
    for (let i = 0; i < 100; i++)
      folder.addContainer(container(T0 + i, tags, [M.http_req_duration, i / 3], [M.http_req_failed, i % 10 === 0 ? 1 : 0]));
    folder.addContainer(container(T0, {}, [M.vus, 20]));
    const entries = folder.take();
    expect(folder.isEmpty).toBe(true);
    const registry = new MetricRegistry();
    const decoded = new BatchDecoder((name) => registry.get(name)!).decodeDigest(new BatchEncoder().encodeDigest(entries));
    expect(decoded.map((e) => [e.second, e.tags, e.metric, e.sink.type])).toEqual(
      entries.map((e) => [e.second, e.tags, e.metric, e.sink.type]),
    );
    const trend = decoded[0].sink as TrendSink;
    expect([trend.count, trend.min, trend.max, trend.percentile(95)]).toEqual([100, 0, 33, (entries[0].sink as TrendSink).percentile(95)]);
    expect(decoded[1].sink).toMatchObject({ passes: 10, total: 100 });
    expect(decoded[2].sink).toMatchObject({ value: 20, count: 1 });
  });
});
