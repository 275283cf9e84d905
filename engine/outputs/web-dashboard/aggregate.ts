// What the page plots, computed from the run's samples: one aggregate per period (rates, latency
// percentiles, per request name and per scenario) and running totals, with each threshold's state
// evaluated by the engine's own threshold code on the samples seen so far.
import { createSink, type Sink, TrendSink } from '../../metrics/sinks.ts';
import { type ParsedThresholds, parseThresholds } from '../../metrics/thresholds.ts';
import type { SampleContainer, Tags } from '../../metrics/types.ts';

/** Past this many distinct request names the rest are summed under one line, so unnamed URLs cannot flood the page. */
const MAX_NAMES = 30;
const OTHER_NAMES = '(other names)';

export interface LatencyRow {
  count: number;
  p95: number | null;
}

export interface PeriodSnapshot {
  /** End of the period, ms since the epoch. */
  t: number;
  run: string;
  vus: number | null;
  vusMax: number | null;
  /** null for a last period too short for a meaningful rate (the run ended just after a tick). */
  requestRate: number | null;
  failureRate: number | null;
  p95: number | null;
  p99: number | null;
  iterationRate: number | null;
  checkRate: number | null;
  droppedIterations: number;
  byName: Record<string, LatencyRow>;
  byScenario: Record<string, LatencyRow>;
}

export interface ThresholdState {
  metric: string;
  source: string;
  /** null until the metric has a sample (k6 skips such thresholds while running). */
  ok: boolean | null;
}

export interface Totals {
  run: string;
  elapsedMs: number;
  requests: number;
  failedRequests: number;
  p95: number | null;
  p99: number | null;
  iterations: number;
  checksPassed: number;
  checksFailed: number;
  droppedIterations: number;
  thresholds: ThresholdState[];
}

class Period {
  requests = 0;
  failed = 0;
  failedSeen = 0;
  iterations = 0;
  checksPassed = 0;
  checksSeen = 0;
  dropped = 0;
  vus: number | null = null;
  vusMax: number | null = null;
  readonly duration = new TrendSink(2_000);
  readonly byName = new Map<string, TrendSink>();
  readonly byScenario = new Map<string, TrendSink>();
}

interface TrackedThreshold {
  readonly parsed: ParsedThresholds;
  sink: Sink | null;
}

export class RunAggregate {
  private period = new Period();
  private readonly total = new TrendSink();
  private requests = 0;
  private failedRequests = 0;
  private iterations = 0;
  private checksPassed = 0;
  private checksFailed = 0;
  private dropped = 0;
  private readonly thresholds: TrackedThreshold[];
  private readonly names = new Set<string>();

  /** `thresholds` is the script's option as the run validated it; null with --no-thresholds. */
  constructor(
    readonly run: string,
    thresholds: unknown,
    private readonly startedAt: number,
  ) {
    this.thresholds = thresholds ? parseThresholds(thresholds).map((parsed) => ({ parsed, sink: null })) : [];
  }

  add(containers: readonly SampleContainer[]): void {
    const period = this.period;
    for (const container of containers) {
      const tags = container.tags;
      for (const sample of container.samples) {
        const value = sample.value;
        switch (sample.metric.name) {
          case 'http_reqs':
            period.requests += value;
            this.requests += value;
            break;
          case 'http_req_failed':
            period.failedSeen++;
            if (value !== 0) {
              period.failed++;
              this.failedRequests++;
            }
            break;
          case 'http_req_duration':
            period.duration.add(value);
            this.total.add(value);
            trendOf(period.byName, this.nameOf(tags)).add(value);
            trendOf(period.byScenario, tags.scenario ?? '').add(value);
            break;
          case 'iterations':
            period.iterations += value;
            this.iterations += value;
            break;
          case 'checks':
            period.checksSeen++;
            if (value !== 0) {
              period.checksPassed++;
              this.checksPassed++;
            } else this.checksFailed++;
            break;
          case 'dropped_iterations':
            period.dropped += value;
            this.dropped += value;
            break;
          case 'vus':
            period.vus = value;
            break;
          case 'vus_max':
            period.vusMax = value;
            break;
        }
        for (const tracked of this.thresholds) {
          const { metric, filter } = tracked.parsed.parsedName;
          if (metric !== sample.metric.name || !matches(tags, filter)) continue;
          if (tracked.sink === null) tracked.sink = createSink(sample.metric.type);
          tracked.sink.add(value);
        }
      }
    }
  }

  /** Closes the current period and starts the next one. */
  snapshot(now: number, periodMs: number, minimumRatePeriodMs = 0): PeriodSnapshot {
    const period = this.period;
    this.period = new Period();
    // Gauges keep their last value: a quiet period still had the VUs it had.
    this.period.vus = period.vus;
    this.period.vusMax = period.vusMax;
    const seconds = periodMs / 1000;
    const rate = (count: number) => (periodMs >= minimumRatePeriodMs ? count / seconds : null);
    const snapshot: PeriodSnapshot = {
      t: now,
      run: this.run,
      vus: period.vus,
      vusMax: period.vusMax,
      requestRate: rate(period.requests),
      failureRate: period.failedSeen > 0 ? period.failed / period.failedSeen : null,
      p95: percentile(period.duration, 95),
      p99: percentile(period.duration, 99),
      iterationRate: rate(period.iterations),
      checkRate: period.checksSeen > 0 ? period.checksPassed / period.checksSeen : null,
      droppedIterations: period.dropped,
      byName: rows(period.byName),
      byScenario: rows(period.byScenario),
    };
    period.duration.release();
    return snapshot;
  }

  totals(now: number): Totals {
    const elapsedMs = Math.max(1, now - this.startedAt);
    return {
      run: this.run,
      elapsedMs,
      requests: this.requests,
      failedRequests: this.failedRequests,
      p95: percentile(this.total, 95),
      p99: percentile(this.total, 99),
      iterations: this.iterations,
      checksPassed: this.checksPassed,
      checksFailed: this.checksFailed,
      droppedIterations: this.dropped,
      thresholds: this.thresholds.flatMap(({ parsed, sink }) => {
        if (sink !== null) parsed.set.run(sink, elapsedMs);
        return parsed.set.thresholds.map((threshold) => ({
          metric: parsed.name,
          source: threshold.source,
          ok: sink === null ? null : threshold.ok,
        }));
      }),
    };
  }

  private nameOf(tags: Tags): string {
    const name = tags.name ?? tags.url ?? '';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_NAMES) return OTHER_NAMES;
    this.names.add(name);
    return name;
  }
}

function trendOf(map: Map<string, TrendSink>, key: string): TrendSink {
  let sink = map.get(key);
  if (!sink) map.set(key, (sink = new TrendSink(2_000)));
  return sink;
}

function percentile(sink: TrendSink, pct: number): number | null {
  return sink.isEmpty() ? null : sink.percentile(pct);
}

function rows(map: Map<string, TrendSink>): Record<string, LatencyRow> {
  const result: Record<string, LatencyRow> = {};
  for (const [key, sink] of map) {
    result[key] = { count: sink.count, p95: percentile(sink, 95) };
    sink.release();
  }
  return result;
}

function matches(tags: Tags, filter: Readonly<Record<string, string>> | null): boolean {
  if (filter === null) return true;
  for (const key in filter) if (tags[key] !== filter[key]) return false;
  return true;
}
