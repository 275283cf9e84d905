// Raw samples of one capacity step, kept so that any SLO criterion (including k6 submetrics such as
// `http_req_duration{name:login}`) can be evaluated exactly, live and at the end of the step.
import type { SampleContainer } from '../engine/metrics/types.ts';
import { type SloCriterion, compare, pressure } from '../reports/slo.ts';
import { percentile } from '../reports/stats.ts';
import type { LatencyStats, SloOutcome } from '../reports/capacity/types.ts';

interface StoredSample {
  time: number;
  value: number;
  tags: Readonly<Record<string, string>>;
}

// Per-phase timings and byte counts never carry an SLO here and are the bulk of all samples.
const SKIPPED = /^(http_req_(blocked|connecting|tls_handshaking|sending|waiting|receiving)|data_sent|data_received|vus|vus_max)$/;

export class SampleWindow {
  private readonly byMetric = new Map<string, { type: string; samples: StoredSample[] }>();
  /** Time of the newest sample received: worker threads deliver in batches, so "now" lags behind. */
  latestTime = 0;

  /** Samples before `from` (warm-up) are ignored; `requestFilter` narrows request metrics to names containing it. */
  constructor(
    readonly from: number,
    private readonly requestFilter?: string,
  ) {}

  add(containers: readonly SampleContainer[]): void {
    for (const container of containers) {
      if (container.time < this.from) continue;
      if (container.time > this.latestTime) this.latestTime = container.time;
      const name = container.tags.name ?? '';
      const isRequest = container.samples.some((sample) => sample.metric.name === 'http_reqs');
      if (isRequest && this.requestFilter && !name.includes(this.requestFilter)) continue;
      for (const sample of container.samples) {
        if (SKIPPED.test(sample.metric.name)) continue;
        let entry = this.byMetric.get(sample.metric.name);
        if (!entry) this.byMetric.set(sample.metric.name, (entry = { type: sample.metric.type, samples: [] }));
        entry.samples.push({ time: container.time, value: sample.value, tags: container.tags });
      }
    }
  }

  values(metric: string, tags: Record<string, string> = {}, until = Number.POSITIVE_INFINITY, since = 0): number[] {
    const entry = this.byMetric.get(metric);
    if (!entry) return [];
    const filters = Object.entries(tags);
    const values: number[] = [];
    for (const sample of entry.samples) {
      if (sample.time > until || sample.time < since) continue;
      if (filters.every(([key, value]) => sample.tags[key] === value)) values.push(sample.value);
    }
    return values;
  }

  count(metric: string, since = 0): number {
    return this.values(metric, {}, Number.POSITIVE_INFINITY, since).reduce((sum, value) => sum + value, 0);
  }

  /** A rate metric's share of non-zero values (k6's Rate), 0 when there were none. */
  rate(metric: string, tags: Record<string, string> = {}, since = 0): number {
    const values = this.values(metric, tags, Number.POSITIVE_INFINITY, since);
    if (values.length === 0) return 0;
    return values.filter((value) => value !== 0).length / values.length;
  }

  latency(metric = 'http_req_duration', tags: Record<string, string> = {}, since = 0): LatencyStats {
    const sorted = this.values(metric, tags, Number.POSITIVE_INFINITY, since).sort((a, b) => a - b);
    const sum = sorted.reduce((total, value) => total + value, 0);
    return {
      avg: sorted.length ? sum / sorted.length : 0,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1] : 0,
    };
  }

  byTag(metric: string, tag: string): Map<string, number[]> {
    const groups = new Map<string, number[]>();
    for (const sample of this.byMetric.get(metric)?.samples ?? []) {
      const key = sample.tags[tag] ?? '';
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(sample.value);
    }
    return groups;
  }

  /** k6 semantics for one threshold aggregation over the window (counter rate per measured second). */
  aggregate(criterion: SloCriterion, measuredSeconds: number, since = 0): number | null {
    const values = this.values(criterion.metric, criterion.tags, Number.POSITIVE_INFINITY, since);
    if (values.length === 0) return null;
    const type = this.byMetric.get(criterion.metric)?.type;
    const aggregation = criterion.aggregation;
    if (aggregation === 'rate') {
      if (type === 'counter') return values.reduce((s, v) => s + v, 0) / Math.max(measuredSeconds, 1e-9);
      return values.filter((value) => value !== 0).length / values.length;
    }
    if (aggregation === 'count') return values.reduce((s, v) => s + v, 0);
    if (aggregation === 'value') return values[values.length - 1];
    const sorted = values.sort((a, b) => a - b);
    if (aggregation === 'avg') return sorted.reduce((s, v) => s + v, 0) / sorted.length;
    if (aggregation === 'min') return sorted[0];
    if (aggregation === 'max') return sorted[sorted.length - 1];
    if (aggregation === 'med') return percentile(sorted, 50);
    return percentile(sorted, Number(aggregation.slice(2, -1)));
  }

  /** Criteria with no data count as met, as k6 does for thresholds on metrics that saw no samples. */
  evaluate(criteria: readonly SloCriterion[], measuredSeconds: number, since = 0): SloOutcome[] {
    return criteria.map((criterion) => {
      const value = this.aggregate(criterion, measuredSeconds, since);
      if (value === null) return { label: criterion.label, ok: true, value: 0, limit: criterion.limit, pressure: 0 };
      return {
        label: criterion.label,
        ok: compare(value, criterion.comparison, criterion.limit),
        value,
        limit: criterion.limit,
        pressure: pressure(value, criterion),
      };
    });
  }
}
