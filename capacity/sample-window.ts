// The measured part of one capacity step, on the engine's windowed aggregator: every SLO criterion is a
// k6 threshold evaluated by the engine over the step (or its last seconds, live), and every figure of
// the step comes from the engine's sinks.
import type { RateSink, Sink, TrendSink } from '../engine/index.ts';
import type { SampleContainer } from '../engine/index.ts';
import { WindowedAggregator } from '../engine/index.ts';
import type { LatencyStats, SloOutcome } from '../results-format/index.ts';
import { pressure, type SloCriterion } from './slo.ts';

// Per-phase timings and byte counts never carry an SLO here and are the bulk of all samples.
const SKIPPED = /^(http_req_(blocked|connecting|tls_handshaking|sending|waiting|receiving)|data_sent|data_received|vus|vus_max)$/;

export class SampleWindow {
  private readonly metrics: WindowedAggregator;

  /** Samples before `from` (warm-up) are ignored; `requestFilter` narrows request metrics to names containing it. */
  constructor(from: number, requestFilter?: string) {
    this.metrics = new WindowedAggregator({
      origin: Number.isFinite(from) ? from : 0,
      skipMetric: (name) => SKIPPED.test(name),
      accept: (container) => {
        if (container.time < from) return false;
        if (!requestFilter || container.samples[0]?.metric.name !== 'http_reqs') return true;
        return (container.tags.name ?? '').includes(requestFilter);
      },
    });
  }

  get latestTime(): number {
    return this.metrics.latestTime;
  }

  add(containers: readonly SampleContainer[]): void {
    this.metrics.addMetricSamples(containers);
  }

  /** Where a window asked to start at `since` really starts (a bucket boundary): divide by time from there. */
  alignedStart(since: number): number {
    return this.metrics.alignedStart(since);
  }

  /** A counter's total from `since` on. */
  count(metric: string, since = Number.NEGATIVE_INFINITY): number {
    const sink = this.metrics.sink(metric, since);
    return sink?.type === 'counter' ? sink.value : 0;
  }

  /** A rate metric's share of non-zero values (k6's Rate), 0 when there were none. */
  rate(metric: string): number {
    const sink = this.metrics.sink(metric);
    return sink?.type === 'rate' ? sink.rate : 0;
  }

  has(metric: string): boolean {
    return this.metrics.sink(metric) !== null;
  }

  trend(metric: string): TrendSink | null {
    const sink = this.metrics.sink(metric);
    return sink?.type === 'trend' ? sink : null;
  }

  latency(metric = 'http_req_duration'): LatencyStats {
    return latencyOf(this.trend(metric));
  }

  byTag(metric: string, tag: string): Map<string, Sink> {
    return this.metrics.byTag(metric, tag);
  }

  /** Per request name: how many, their p95 and the share that failed. */
  byRequest(): Record<string, { count: number; p95: number; failedRatio: number }> {
    const failed = this.metrics.byTag('http_req_failed', 'name');
    const result: Record<string, { count: number; p95: number; failedRatio: number }> = {};
    for (const [name, sink] of this.metrics.byTag('http_req_duration', 'name')) {
      const trend = sink as TrendSink;
      const failures = failed.get(name) as RateSink | undefined;
      result[name] = { count: trend.count, p95: trend.percentile(95), failedRatio: failures && failures.total > 0 ? failures.rate : 0 };
    }
    return result;
  }

  /** Every criterion as the engine's threshold over the window from `since`; no data is "no data", never met. */
  evaluate(criteria: readonly SloCriterion[], measuredSeconds: number, since = Number.NEGATIVE_INFINITY): SloOutcome[] {
    return criteria.map((criterion) => {
      const outcome = this.metrics.evaluate(criterion.metric, criterion.threshold, measuredSeconds * 1000, since);
      if (outcome.ok === null || outcome.value === null) {
        return { label: criterion.label, ok: false, noData: true, value: 0, limit: criterion.limit, pressure: 0 };
      }
      return {
        label: criterion.label,
        ok: outcome.ok,
        value: outcome.value,
        limit: criterion.limit,
        pressure: pressure(outcome.value, criterion),
      };
    });
  }
}

export function latencyOf(trend: TrendSink | null): LatencyStats {
  if (trend === null) return { avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  return {
    avg: trend.avg,
    p50: trend.percentile(50),
    p90: trend.percentile(90),
    p95: trend.percentile(95),
    p99: trend.percentile(99),
    max: trend.max,
  };
}
