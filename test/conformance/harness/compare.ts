// What a user compares between two runs, as one plain object per run, so that vitest's toEqual
// prints a readable diff of exactly the parts that differ.
import type { GroupLike, RunRecord } from './run.ts';

export type Tolerance = 'exact' | { relative: number; absolute?: number };

export interface CompareOptions {
  /** How close counts (counters, rate passes/fails, --out json points, requests per route) must be. */
  counts: Tolerance;
  /** Metrics left out of every section (e.g. a metric only one engine has, documented as deliberate). */
  ignoreMetrics: string[];
  /** Metrics whose counts are not compared (they still must exist with the same type and tags). */
  uncountedMetrics: string[];
  /** Whole sections not compared for this case. */
  skipSections: Section[];
  /** Compare vus and vus_max too (runs long enough that both engines sample them). */
  compareSampled: boolean;
}

export type Section =
  | 'exitCode'
  | 'metrics'
  | 'thresholds'
  | 'groups'
  | 'counts'
  | 'jsonMetrics'
  | 'jsonPoints'
  | 'requests'
  | 'summaryExport';

/** Byte counts depend on headers each engine sends (User-Agent …); vus/vus_max points are time-sampled. */
const NOT_COUNTED_BY_DEFAULT = ['data_sent', 'data_received', 'vus', 'vus_max'];
/**
 * vus and vus_max are sampled once a second: whether a short run has them depends on its wall time
 * (each engine's start-up under load), so they are left out unless a case asks for them (compareSampled).
 */
export const SAMPLED_METRICS = ['vus', 'vus_max'];

export interface View {
  exitCode?: number;
  /** name → "type/contains: value keys" */
  metrics?: Record<string, string>;
  /** metric → { expression → ok } */
  thresholds?: Record<string, Record<string, boolean>>;
  /** group paths, and check path → "passes/fails" */
  groups?: { groups: string[]; checks: Record<string, string> };
  /** counter → count, rate → "passes/fails" */
  counts?: Record<string, number | string>;
  /** --out json: metric → "type/contains [tag keys]" */
  jsonMetrics?: Record<string, string>;
  /** --out json: metric → number of points */
  jsonPoints?: Record<string, number>;
  requests?: Record<string, number>;
  /** --summary-export: metric → value keys */
  summaryExport?: Record<string, string>;
}

function flattenGroups(group: GroupLike, into: { groups: string[]; checks: Record<string, string> }): void {
  for (const check of group.checks) into.checks[check.path] = `${check.passes}/${check.fails}`;
  for (const child of group.groups) {
    into.groups.push(child.path);
    flattenGroups(child, into);
  }
}

function sorted<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function viewOf(run: RunRecord, options: CompareOptions): View {
  const skip = new Set(options.skipSections);
  const ignored = new Set([...options.ignoreMetrics, ...(options.compareSampled ? [] : SAMPLED_METRICS)]);
  const uncounted = new Set([...NOT_COUNTED_BY_DEFAULT, ...options.uncountedMetrics]);
  const view: View = {};
  if (!skip.has('exitCode')) view.exitCode = run.exitCode;
  const metrics = Object.entries(run.summary?.metrics ?? {}).filter(
    ([name]) => !ignored.has(name) && !ignored.has(name.replace(/\{.*$/, '')),
  );
  if (!skip.has('metrics'))
    view.metrics = sorted(metrics.map(([name, m]) => [name, `${m.type}/${m.contains}: ${Object.keys(m.values).sort().join(' ')}`]));
  if (!skip.has('thresholds')) {
    view.thresholds = sorted(
      metrics
        .filter(([, m]) => m.thresholds)
        .map(([name, m]) => [name, Object.fromEntries(Object.entries(m.thresholds ?? {}).map(([expr, t]) => [expr, t.ok]))]),
    );
  }
  if (!skip.has('groups') && run.summary) {
    const groups = { groups: [] as string[], checks: {} as Record<string, string> };
    flattenGroups(run.summary.root_group, groups);
    groups.groups.sort();
    groups.checks = sorted(Object.entries(groups.checks));
    view.groups = groups;
  }
  if (!skip.has('counts')) {
    view.counts = sorted(
      metrics
        .filter(([name]) => !uncounted.has(name.replace(/\{.*$/, '')))
        .flatMap(([name, m]): [string, number | string][] => {
          if (m.type === 'counter') return [[name, m.values.count]];
          if (m.type === 'rate') return [[name, `${m.values.passes}/${m.values.fails}`]];
          return [];
        }),
    );
  }
  if (!skip.has('jsonMetrics')) {
    const tagKeys = new Map<string, Set<string>>();
    for (const point of run.jsonPoints) {
      let keys = tagKeys.get(point.metric);
      if (!keys) tagKeys.set(point.metric, (keys = new Set()));
      for (const key of Object.keys(point.tags ?? {})) keys.add(key);
    }
    view.jsonMetrics = sorted(
      [...run.jsonMetrics]
        .filter(([name]) => !ignored.has(name))
        .map(([name, m]) => [name, `${m.type}/${m.contains} [${[...(tagKeys.get(name) ?? [])].sort().join(' ')}]`]),
    );
  }
  if (!skip.has('jsonPoints')) {
    const points = new Map<string, number>();
    for (const point of run.jsonPoints)
      if (!ignored.has(point.metric) && !uncounted.has(point.metric)) points.set(point.metric, (points.get(point.metric) ?? 0) + 1);
    view.jsonPoints = sorted([...points]);
  }
  if (!skip.has('requests')) view.requests = sorted(Object.entries(run.requests));
  if (!skip.has('summaryExport') && run.summaryExport) {
    const exported = (run.summaryExport.metrics ?? {}) as Record<string, Record<string, unknown>>;
    view.summaryExport = sorted(
      Object.entries(exported)
        .filter(([name]) => !ignored.has(name) && !ignored.has(name.replace(/\{.*$/, '')))
        .map(([name, values]) => [name, Object.keys(values).sort().join(' ')]),
    );
  }
  return view;
}

function within(tolerance: Tolerance, expected: number, actual: number): boolean {
  if (tolerance === 'exact') return expected === actual;
  return Math.abs(expected - actual) <= Math.max(tolerance.absolute ?? 0, Math.abs(expected) * tolerance.relative);
}

function closeEnough(tolerance: Tolerance, expected: number | string, actual: number | string): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') return within(tolerance, expected, actual);
  if (typeof expected === 'string' && typeof actual === 'string' && expected.includes('/') && actual.includes('/')) {
    const [ep, ef] = expected.split('/').map(Number);
    const [ap, af] = actual.split('/').map(Number);
    return within(tolerance, ep, ap) && within(tolerance, ef, af);
  }
  return expected === actual;
}

/**
 * The engine's view with every count that is within tolerance of k6's replaced by k6's value, so the
 * diff shows only the counts that are out of tolerance.
 */
export function alignCounts(expected: View, actual: View, tolerance: Tolerance): View {
  if (tolerance === 'exact') return actual;
  const align = <T extends number | string>(want: Record<string, T> | undefined, got: Record<string, T> | undefined) => {
    if (!want || !got) return got;
    return Object.fromEntries(
      Object.entries(got).map(([key, value]) => [key, key in want && closeEnough(tolerance, want[key], value) ? want[key] : value]),
    );
  };
  return {
    ...actual,
    counts: align(expected.counts, actual.counts),
    jsonPoints: align(expected.jsonPoints, actual.jsonPoints) as Record<string, number> | undefined,
    requests: align(expected.requests, actual.requests) as Record<string, number> | undefined,
  };
}
