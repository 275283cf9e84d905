// The facts of one k6 run that every report section draws on: totals from summary.json, per-second
// series and per-flow / per-request figures from timeseries.jsonl.
import { TrendSink } from '../../engine/metrics/sinks.ts';
import type { LoadedRun, SummaryGroup, TimeseriesLine } from '../run-folder.ts';

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
}

export interface SecondPoint {
  t: number;
  requests: number;
  failed: number;
  p95: number;
  vus: number;
  iterations: number;
}

export interface FlowFacts {
  name: string;
  requests: number;
  failedRatio: number;
  p95: number;
  checksRatio: number;
  thresholds: ThresholdResult[];
}

export interface RunFacts {
  runId: string;
  script: string;
  startTime: string;
  endTime: string;
  durationS: number;
  exitCode: number | null;
  requests: number;
  requestsPerSec: number;
  iterations: number;
  iterationsPerSec: number;
  failedRatio: number;
  checksRatio: number;
  checkCount: number;
  latency: { avg: number; med: number; p90: number; p95: number; max: number };
  thresholds: ThresholdResult[];
  flows: FlowFacts[];
  requestP95: Record<string, { count: number; p95: number }>;
  seconds: SecondPoint[];
  profile?: string;
  engine?: string;
  gitRevision?: string;
  hostname?: string;
}

function collectChecks(group: SummaryGroup | undefined): { passes: number; fails: number } {
  if (!group) return { passes: 0, fails: 0 };
  let passes = 0;
  let fails = 0;
  for (const check of group.checks ?? []) {
    passes += check.passes;
    fails += check.fails;
  }
  for (const child of group.groups ?? []) {
    const inner = collectChecks(child);
    passes += inner.passes;
    fails += inner.fails;
  }
  return { passes, fails };
}

/**
 * The p95 of many trend lines (seconds × tag sets): their HDR histograms merged into one engine trend
 * sink, so the figure is the p95 of the samples themselves, within the histogram's precision. Folders
 * written before the lines carried histograms fall back to the count-weighted mean of their p95s.
 */
class MergedTrend {
  private readonly sink = new TrendSink();
  private weighted = 0;
  private weight = 0;
  private histograms = true;

  add(line: TimeseriesLine, decoded: TrendSink | null): void {
    const count = line.values.count ?? 0;
    this.weight += count;
    this.weighted += count * (line.values.p95 ?? 0);
    if (decoded === null) this.histograms = this.histograms && count === 0;
    else this.sink.merge(decoded);
  }

  p95(): number {
    const p95 = this.histograms ? this.sink.percentile(95) : this.weight > 0 ? this.weighted / this.weight : 0;
    this.sink.release();
    return p95;
  }
}

function decodeTrend(line: TimeseriesLine): TrendSink | null {
  if (!line.hdr && !line.hdrNeg) return null;
  const { count = 0, sum = 0, min = 0, max = 0 } = line.values;
  return TrendSink.decode({ count, sum, min, max }, line);
}

/** p95 of http_req_duration per second, per scenario, per request name and overall, in one pass over the lines. */
function durationP95s(timeseries: readonly TimeseriesLine[]) {
  const lines = timeseries.filter((line) => line.metric === 'http_req_duration').sort((a, b) => a.t - b.t);
  const bySecond = new Map<number, number>();
  const byScenario = new Map<string, MergedTrend>();
  const byName = new Map<string, MergedTrend>();
  const overall = new MergedTrend();
  let second: { t: number; trend: MergedTrend } | null = null;
  for (const line of lines) {
    const t = Math.floor(line.t);
    if (second === null || second.t !== t) {
      if (second !== null) bySecond.set(second.t, second.trend.p95());
      second = { t, trend: new MergedTrend() };
    }
    const decoded = decodeTrend(line);
    second.trend.add(line, decoded);
    overall.add(line, decoded);
    const scenario = line.tags.scenario;
    if (scenario) mergedIn(byScenario, scenario).add(line, decoded);
    if (line.tags.name) mergedIn(byName, line.tags.name).add(line, decoded);
    decoded?.release();
  }
  if (second !== null) bySecond.set(second.t, second.trend.p95());
  const p95s = (map: Map<string, MergedTrend>) => new Map([...map].map(([key, trend]) => [key, trend.p95()]));
  return { bySecond, byScenario: p95s(byScenario), byName: p95s(byName), overall: overall.p95() };
}

function mergedIn(map: Map<string, MergedTrend>, key: string): MergedTrend {
  let trend = map.get(key);
  if (trend === undefined) map.set(key, (trend = new MergedTrend()));
  return trend;
}

export function runFacts(run: LoadedRun): RunFacts {
  const metrics = run.summary.metrics;
  const duration = metrics.http_req_duration?.values ?? {};
  const thresholds: ThresholdResult[] = [];
  for (const [metric, data] of Object.entries(metrics)) {
    for (const [expression, result] of Object.entries(data.thresholds ?? {})) thresholds.push({ metric, expression, ok: result.ok });
  }
  const checks = collectChecks(run.summary.root_group);
  const checkCount = checks.passes + checks.fails;
  const durationS = (run.summary.state?.testRunDurationMs ?? run.meta.durationMs ?? 0) / 1000;

  const p95 = durationP95s(run.timeseries);
  const bySecond = new Map<number, TimeseriesLine[]>();
  const byScenario = new Map<string, TimeseriesLine[]>();
  const byName = new Map<string, TimeseriesLine[]>();
  for (const line of run.timeseries) {
    const second = Math.floor(line.t);
    let list = bySecond.get(second);
    if (!list) bySecond.set(second, (list = []));
    list.push(line);
    const scenario = line.tags.scenario;
    if (scenario) {
      let scenarioLines = byScenario.get(scenario);
      if (!scenarioLines) byScenario.set(scenario, (scenarioLines = []));
      scenarioLines.push(line);
    }
    if (line.metric === 'http_req_duration' && line.tags.name) {
      let nameLines = byName.get(line.tags.name);
      if (!nameLines) byName.set(line.tags.name, (nameLines = []));
      nameLines.push(line);
    }
  }

  const seconds: SecondPoint[] = [...bySecond.keys()]
    .sort((a, b) => a - b)
    .map((t) => {
      const lines = bySecond.get(t)!;
      const failedLines = lines.filter((line) => line.metric === 'http_req_failed');
      return {
        t,
        requests: lines.filter((line) => line.metric === 'http_reqs').reduce((s, line) => s + (line.values.count ?? 0), 0),
        // k6's Rate counts non-zero values as "passes": for http_req_failed that is the failed requests.
        failed: failedLines.reduce((s, line) => s + (line.values.passes ?? 0), 0),
        p95: p95.bySecond.get(t) ?? 0,
        vus: lines.filter((line) => line.metric === 'vus').reduce((s, line) => s + (line.values.value ?? 0), 0),
        iterations: lines.filter((line) => line.metric === 'iterations').reduce((s, line) => s + (line.values.count ?? 0), 0),
      };
    });

  const scenarioNames = [...byScenario.keys()];
  const flows: FlowFacts[] = (scenarioNames.length > 0 ? scenarioNames : ['default']).map((name) => {
    const lines = byScenario.get(name) ?? run.timeseries;
    const failed = lines.filter((line) => line.metric === 'http_req_failed');
    const failedCount = failed.reduce((s, line) => s + (line.values.passes ?? 0), 0);
    const failedTotal = failed.reduce((s, line) => s + (line.values.passes ?? 0) + (line.values.fails ?? 0), 0);
    const checkLines = lines.filter((line) => line.metric === 'checks');
    const checkPass = checkLines.reduce((s, line) => s + (line.values.passes ?? 0), 0);
    const checkTotal = checkLines.reduce((s, line) => s + (line.values.passes ?? 0) + (line.values.fails ?? 0), 0);
    const own = thresholds.filter(
      (threshold) => scenarioNames.length <= 1 || threshold.metric.includes(`scenario:${name}`) || !threshold.metric.includes('scenario:'),
    );
    return {
      name,
      requests: lines.filter((line) => line.metric === 'http_reqs').reduce((s, line) => s + (line.values.count ?? 0), 0),
      failedRatio: failedTotal > 0 ? failedCount / failedTotal : 0,
      p95: (scenarioNames.length > 0 ? p95.byScenario.get(name) : p95.overall) ?? 0,
      checksRatio: checkTotal > 0 ? checkPass / checkTotal : 1,
      thresholds: own,
    };
  });

  const requestP95: RunFacts['requestP95'] = {};
  for (const [name, lines] of byName) {
    requestP95[name] = { count: lines.reduce((s, line) => s + (line.values.count ?? 0), 0), p95: p95.byName.get(name) ?? 0 };
  }

  const options = (run.meta.options ?? {}) as Record<string, unknown>;
  const env = (run.meta.env ?? {}) as Record<string, string>;
  return {
    runId: run.meta.runId,
    script: run.meta.script ?? '',
    startTime: run.meta.startTime,
    endTime: run.meta.endTime ?? run.meta.startTime,
    durationS,
    exitCode: typeof run.meta.exitCode === 'number' ? run.meta.exitCode : null,
    requests: metrics.http_reqs?.values.count ?? 0,
    requestsPerSec: metrics.http_reqs?.values.rate ?? 0,
    iterations: metrics.iterations?.values.count ?? 0,
    iterationsPerSec: metrics.iterations?.values.rate ?? 0,
    failedRatio: metrics.http_req_failed?.values.rate ?? 0,
    checksRatio: checkCount > 0 ? checks.passes / checkCount : (metrics.checks?.values.rate ?? 1),
    checkCount,
    latency: {
      avg: duration.avg ?? 0,
      med: duration.med ?? 0,
      p90: duration['p(90)'] ?? 0,
      p95: duration['p(95)'] ?? 0,
      max: duration.max ?? 0,
    },
    thresholds,
    flows,
    requestP95,
    seconds,
    profile:
      (run.meta.profile as string | undefined) ??
      (typeof env.PROFILE === 'string' && env.PROFILE !== '' ? env.PROFILE : undefined) ??
      (options.profile as string | undefined),
    engine: run.meta.engine,
    gitRevision: run.meta.gitRevision,
    hostname: run.meta.hostname,
  };
}
