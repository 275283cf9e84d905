// The metrics engine over time windows: an Output that folds samples into short time buckets of the
// engine's own sinks, so any metric or submetric (`http_req_duration{name:"/api"}`) can be aggregated
// and judged by the engine's thresholds over any stretch of the run, live or afterwards. The capacity
// search measures its steps with it; memory grows with buckets × series, not with samples.
import { createSink, mergeSink, type Sink } from './sinks.ts';
import { aggregate as thresholdAggregate, parseMetricName, parseThresholdExpression, Threshold } from './thresholds.ts';
import { SeriesKeys } from './series-key.ts';
import type { MetricDescriptor, Output, SampleContainer, Tags } from './types.ts';

interface Series {
  readonly tags: Tags;
  readonly sink: Sink;
}

/** One bucket: metric name → tag set key → series. */
type Bucket = Map<string, Map<string, Series>>;

export interface WindowedAggregatorOptions {
  /** Bucket length; window edges are rounded to it (default 100 ms). */
  bucketMs?: number;
  /** Bucket boundaries fall on origin + k × bucketMs, so a window starting at a chosen instant is exact. */
  origin?: number;
  /** Containers to leave out (e.g. outside the measured part of a step). */
  accept?: (container: SampleContainer) => boolean;
  /** Metrics not worth keeping (per-phase timings nobody judges). */
  skipMetric?: (name: string) => boolean;
}

/** The outcome of one k6 threshold over a window: no data is its own answer, never a pass. */
export interface WindowedThresholdOutcome {
  ok: boolean | null;
  /** The aggregate the threshold compared (ms for time trends, a ratio for rates); null without data. */
  value: number | null;
}

export class WindowedAggregator implements Output {
  readonly description = 'windowed metrics';
  private readonly buckets = new Map<number, Bucket>();
  private readonly descriptors = new Map<string, MetricDescriptor>();
  private readonly seriesKeys = new SeriesKeys();
  private readonly bucketMs: number;
  private readonly origin: number;
  /** Time of the newest sample received: worker threads deliver in batches, so "now" lags behind. */
  latestTime = 0;

  constructor(private readonly options: WindowedAggregatorOptions = {}) {
    this.bucketMs = options.bucketMs ?? 100;
    this.origin = options.origin ?? 0;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  addMetricSamples(containers: readonly SampleContainer[]): void {
    for (const container of containers) {
      if (this.options.accept && !this.options.accept(container)) continue;
      if (container.time > this.latestTime) this.latestTime = container.time;
      const index = Math.floor((container.time - this.origin) / this.bucketMs);
      let bucket = this.buckets.get(index);
      if (bucket === undefined) this.buckets.set(index, (bucket = new Map()));
      const { key, tags } = this.seriesKeys.of(container.tags);
      for (const sample of container.samples) {
        const name = sample.metric.name;
        if (this.options.skipMetric?.(name)) continue;
        if (!this.descriptors.has(name)) this.descriptors.set(name, sample.metric);
        let byTags = bucket.get(name);
        if (byTags === undefined) bucket.set(name, (byTags = new Map()));
        let series = byTags.get(key);
        if (series === undefined) byTags.set(key, (series = { tags, sink: createSink(sample.metric.type) }));
        series.sink.add(sample.value);
      }
    }
  }

  /** The first bucket boundary at or after `from`: where a window starting at `from` really starts. */
  alignedStart(from: number): number {
    if (!Number.isFinite(from)) return from;
    return this.origin + Math.ceil((from - this.origin) / this.bucketMs) * this.bucketMs;
  }

  /** The metric's (`name`) or submetric's (`name{tag:value}`) samples from `from` on, merged into one sink; null without samples. */
  sink(name: string, from = Number.NEGATIVE_INFINITY): Sink | null {
    const parsed = parseMetricName(name);
    const filter = parsed.filter === null ? [] : Object.entries(parsed.filter);
    const descriptor = this.descriptors.get(parsed.metric);
    if (descriptor === undefined) return null;
    const merged = createSink(descriptor.type);
    for (const series of this.seriesOf(parsed.metric, from)) {
      if (filter.every(([tag, value]) => series.tags[tag] === value)) mergeSink(merged, series.sink);
    }
    return merged.isEmpty() ? null : merged;
  }

  /** One merged sink per value of `tag` (samples without the tag under ''). */
  byTag(metric: string, tag: string, from = Number.NEGATIVE_INFINITY): Map<string, Sink> {
    const groups = new Map<string, Sink>();
    const descriptor = this.descriptors.get(metric);
    if (descriptor === undefined) return groups;
    for (const series of this.seriesOf(metric, from)) {
      const value = series.tags[tag] ?? '';
      let group = groups.get(value);
      if (group === undefined) groups.set(value, (group = createSink(descriptor.type)));
      mergeSink(group, series.sink);
    }
    return groups;
  }

  /** A k6 threshold (`metric` as in the thresholds option, `expression` like `p(95)<800`) over the window from `from`. */
  evaluate(metric: string, expression: string, elapsedMs: number, from = Number.NEGATIVE_INFINITY): WindowedThresholdOutcome {
    const sink = this.sink(metric, from);
    if (sink === null) return { ok: null, value: null };
    const threshold = new Threshold(expression);
    return { ok: threshold.evaluate(sink, elapsedMs), value: thresholdAggregate(sink, parseThresholdExpression(expression), elapsedMs) };
  }

  private *seriesOf(metric: string, from: number): Iterable<Series> {
    const first = Number.isFinite(from) ? Math.ceil((from - this.origin) / this.bucketMs) : Number.NEGATIVE_INFINITY;
    for (const [index, bucket] of this.buckets) {
      if (index < first) continue;
      const byTags = bucket.get(metric);
      if (byTags !== undefined) yield* byTags.values();
    }
  }
}
