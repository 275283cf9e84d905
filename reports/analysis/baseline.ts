// Regressions against an earlier run: the same figures side by side, flagged when worse beyond noise.
import type { RunFacts } from './run-facts.ts';

export interface Comparison {
  subject: string;
  unit: 'ms' | 'ratio' | 'perSec';
  baseline: number;
  current: number;
  /** Relative change for ms and perSec, absolute (percentage points as a fraction) for ratios. */
  change: number;
  regression: boolean;
  improvement: boolean;
}

/** Latency worse by more than 10 % and 2 ms; errors up 0.5 percentage points; throughput or capacity down 10 %. */
export const LATENCY_TOLERANCE = 0.1;
export const ERROR_TOLERANCE = 0.005;
export const THROUGHPUT_TOLERANCE = 0.1;
/** A latency change smaller than this is noise however large in percent (sub-millisecond requests). */
export const LATENCY_MIN_CHANGE_MS = 2;

function latency(subject: string, baseline: number, current: number): Comparison {
  const change = baseline > 0 ? current / baseline - 1 : 0;
  const worse = change > LATENCY_TOLERANCE && current - baseline > LATENCY_MIN_CHANGE_MS;
  const better = change < -LATENCY_TOLERANCE && baseline - current > LATENCY_MIN_CHANGE_MS;
  return { subject, unit: 'ms', baseline, current, change, regression: worse, improvement: better };
}

function ratio(subject: string, baseline: number, current: number, higherIsBetter: boolean): Comparison {
  const change = current - baseline;
  const worse = higherIsBetter ? change < -ERROR_TOLERANCE : change > ERROR_TOLERANCE;
  const better = higherIsBetter ? change > ERROR_TOLERANCE : change < -ERROR_TOLERANCE;
  return { subject, unit: 'ratio', baseline, current, change, regression: worse, improvement: better };
}

function throughput(subject: string, baseline: number, current: number): Comparison {
  const change = baseline > 0 ? current / baseline - 1 : 0;
  return {
    subject,
    unit: 'perSec',
    baseline,
    current,
    change,
    regression: change < -THROUGHPUT_TOLERANCE,
    improvement: change > THROUGHPUT_TOLERANCE,
  };
}

export interface ComparableFacts {
  facts: RunFacts | null;
  capacity: number | null;
}

export function compareWithBaseline(current: ComparableFacts, baseline: ComparableFacts): Comparison[] {
  const comparisons: Comparison[] = [];
  if (current.facts && baseline.facts) {
    const [c, b] = [current.facts, baseline.facts];
    comparisons.push(latency('http_req_duration p(95)', b.latency.p95, c.latency.p95));
    comparisons.push(latency('http_req_duration p(90)', b.latency.p90, c.latency.p90));
    comparisons.push(latency('http_req_duration avg', b.latency.avg, c.latency.avg));
    comparisons.push(ratio('http_req_failed', b.failedRatio, c.failedRatio, false));
    comparisons.push(ratio('checks', b.checksRatio, c.checksRatio, true));
    for (const [name, stats] of Object.entries(c.requestP95)) {
      const before = b.requestP95[name];
      if (before && before.count >= 5 && stats.count >= 5) comparisons.push(latency(`p(95) ${name}`, before.p95, stats.p95));
    }
  }
  if (current.capacity !== null && baseline.capacity !== null) {
    comparisons.push(throughput('max sustainable throughput', baseline.capacity, current.capacity));
  }
  return comparisons;
}
