// K6_PROMETHEUS_RW_TREND_STATS: which stats of a trend become series, and how they are named.
// k6 accepts avg, min, med, max, count, sum and p(N) with 0 <= N <= 100; p(N) is written as
// the suffix `p` + N without dots, so p(99) -> _p99, p(99.9) -> _p999, p(0.95) -> _p095.

import type { TrendDigest } from './trend-digest.ts';

export type TrendStatResolver = (digest: TrendDigest) => number;

export interface TrendStat {
  /** The suffix appended to the series name after `_`. */
  readonly suffix: string;
  readonly resolve: TrendStatResolver;
}

export const DEFAULT_TREND_STATS = 'p(99)';

const NAMED_STATS: Record<string, TrendStatResolver> = {
  avg: (d) => d.avg(),
  min: (d) => d.min,
  med: (d) => d.percentile(0.5),
  max: (d) => d.max,
  count: (d) => d.count,
  sum: (d) => d.sum,
};

/** Parses the comma-separated list; throws with the offending entry named. */
export function parseTrendStats(list: string): TrendStat[] {
  const stats = new Map<string, TrendStat>();
  for (const raw of list.split(',')) {
    const stat = raw.trim();
    const named = NAMED_STATS[stat];
    if (named) {
      stats.set(stat, { suffix: stat, resolve: named });
      continue;
    }
    const percentile = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
    if (!percentile) {
      throw new Error(
        `K6_PROMETHEUS_RW_TREND_STATS: stat '${stat}' is unknown; use avg, min, med, max, count, sum or p(N) with 0 <= N <= 100`,
      );
    }
    const value = Number(percentile[1]);
    if (value > 100) throw new Error(`K6_PROMETHEUS_RW_TREND_STATS: percentile '${stat}' is above 100`);
    const suffix = 'p' + percentile[1].replaceAll('.', '');
    stats.set(suffix, { suffix, resolve: (d) => d.percentile(value / 100) });
  }
  if (stats.size === 0) throw new Error('K6_PROMETHEUS_RW_TREND_STATS is empty');
  return [...stats.values()];
}
