// The report model: everything a manager's report says, decided once, language-free. Renderers
// (HTML, Markdown, PDF) only phrase and draw it; the JSON format is this model itself.
import { analyseStability, type Stability } from './analysis/stability.ts';
import { type Comparison, compareWithBaseline } from './analysis/baseline.ts';
import { type DemandProjection, loadWorkloadModel, presetForFlow, projectDemand } from './analysis/projection.ts';
import { type RunFacts, runFacts, type SecondPoint } from './analysis/run-facts.ts';
import { type CapacityResult, type Unreachable, utilisationSeries } from '../results-format/index.ts';
import { type LoadedFolder, loadFolder, type ServiceSampleLine } from './run-folder.ts';

export type Light = 'green' | 'amber' | 'red';

/** A statement with its parameters; each language phrases it (see i18n.ts). */
export type Finding =
  | { key: 'thresholdFailed'; metric: string; expression: string }
  | { key: 'errorsHigh'; ratio: number }
  | { key: 'checksLow'; ratio: number }
  | { key: 'exitCode'; code: number }
  | { key: 'interrupted'; afterS: number }
  | { key: 'headroomLow'; headroom: number }
  | { key: 'demandExceeds'; year: number }
  | { key: 'noSustainableStep'; rate: number }
  | { key: 'demandAboveLowerBound'; year: number }
  | { key: 'searchInterrupted'; stepIndex: number; atLeast: number | null }
  | { key: 'targetDown'; reason: Unreachable['reason']; origins: string[] }
  | { key: 'sloNoData'; criteria: string[] }
  | { key: 'scenarioFailed'; stepIndex: number; exitCode: number }
  | { key: 'allGood' };

export type Recommendation =
  | { key: 'scaleResource'; resource: string; rate: number; utilisation: number; rejections: number }
  | { key: 'investigateRequest'; request: string; growth: number }
  | { key: 'offloadTls'; services: string; rate: number; handshakesPerSec: number; share: number }
  | { key: 'planBefore'; year: number; unit: string; capacity: number }
  | { key: 'fixThresholds'; flows: string[] }
  | { key: 'investigateErrors'; ratio: number }
  | { key: 'drift'; subject: string; change: number }
  | { key: 'regressions'; subjects: string[] }
  | { key: 'extendSearch' }
  | { key: 'keepWatching' };

export interface FlowLight {
  name: string;
  light: Light;
  findings: Finding[];
  requests: number;
  p95: number;
  failedRatio: number;
  checksRatio: number;
  thresholdsPassed: number;
  thresholdsTotal: number;
}

export type Verdict =
  | {
      key: 'capacity';
      light: Light;
      flow: string;
      throughput: number;
      lowerBound: boolean;
      slo: string[];
      projection: DemandProjection | null;
      bottleneck: string | null;
      /** The bottleneck is TLS termination in front of `bottleneck` (the services), not a modelled resource. */
      bottleneckTls?: boolean;
    }
  | { key: 'capacityNone'; light: Light; flow: string; rate: number; slo: string[] }
  /** Ctrl-C or SIGTERM during step N: what was measured is a lower bound, never a verdict on demand. */
  | { key: 'capacityInterrupted'; light: Light; flow: string; stepIndex: number; atLeast: number | null; slo: string[] }
  /** No request of any step got a response: the target was down, not overloaded. */
  | { key: 'targetDown'; light: Light; flow: string; reason: Unreachable['reason']; origins: string[]; rate: number }
  | { key: 'thresholds'; light: Light; passed: number; total: number; flows: number; failedFlows: string[] };

export interface RunSection {
  name: string;
  facts: RunFacts;
  stability: Stability;
}

export interface Report {
  generatedAt: string;
  folder: string;
  kind: LoadedFolder['kind'];
  title: string;
  verdict: Verdict;
  flows: FlowLight[];
  capacity: CapacityResult | null;
  projection: DemandProjection | null;
  runs: RunSection[];
  utilisation: { key: string; points: { t: number; value: number }[] }[];
  /** Per-second load, latency and errors of each run, for the time charts. */
  timelines: { name: string; points: SecondPoint[] }[];
  recommendations: Recommendation[];
  baseline: { folder: string; title: string; comparisons: Comparison[] } | null;
}

export interface BuildReportOptions {
  /** Preset name or model file; default: the preset matching the flow, if any. `none` disables. */
  workload?: string;
  baseline?: string;
  now?: Date;
}

const HEADROOM_LOW = 0.3;

function flowLight(name: string, facts: RunFacts, flow: RunFacts['flows'][number] | null, headroom: number | null): FlowLight {
  const source = flow ?? {
    requests: facts.requests,
    failedRatio: facts.failedRatio,
    p95: facts.latency.p95,
    checksRatio: facts.checksRatio,
    thresholds: facts.thresholds,
  };
  const findings: Finding[] = [];
  // Ctrl-C (k6's exit 105): every figure below covers only the part that ran, so say so first.
  if (facts.exitCode === 105) findings.push({ key: 'interrupted', afterS: facts.durationS });
  for (const threshold of source.thresholds.filter((t) => !t.ok))
    findings.push({ key: 'thresholdFailed', metric: threshold.metric, expression: threshold.expression });
  if (facts.exitCode !== null && [104, 107, 108].includes(facts.exitCode)) findings.push({ key: 'exitCode', code: facts.exitCode });
  const red = findings.some((f) => f.key !== 'interrupted') || (headroom !== null && headroom < 0);
  if (headroom !== null && headroom < 0) findings.push({ key: 'headroomLow', headroom });
  if (source.failedRatio > 0.01) findings.push({ key: 'errorsHigh', ratio: source.failedRatio });
  if (source.checksRatio < 0.99) findings.push({ key: 'checksLow', ratio: source.checksRatio });
  if (headroom !== null && headroom >= 0 && headroom < HEADROOM_LOW) findings.push({ key: 'headroomLow', headroom });
  const light: Light = red ? 'red' : findings.length > 0 ? 'amber' : 'green';
  if (findings.length === 0) findings.push({ key: 'allGood' });
  return {
    name,
    light,
    findings,
    requests: source.requests,
    p95: source.p95,
    failedRatio: source.failedRatio,
    checksRatio: source.checksRatio,
    thresholdsPassed: source.thresholds.filter((t) => t.ok).length,
    thresholdsTotal: source.thresholds.length,
  };
}

function capacityFlowLight(capacity: CapacityResult, projection: DemandProjection | null): FlowLight {
  const analysis = capacity.analysis;
  const best = capacity.steps.filter((s) => s.sustainable).sort((a, b) => b.offeredRate - a.offeredRate)[0] ?? capacity.steps[0];
  const findings: Finding[] = [];
  let light: Light = 'green';
  // Nothing broke (or the search was cut short): the measured figure is a floor, not the limit.
  const lowerBound = analysis.bracket.unsustainable === null;
  if (analysis.unreachable) {
    findings.push({ key: 'targetDown', reason: analysis.unreachable.reason, origins: analysis.unreachable.origins });
    light = 'red';
  } else if (analysis.interruptedAt) {
    findings.push({ key: 'searchInterrupted', stepIndex: analysis.interruptedAt.stepIndex, atLeast: analysis.maxSustainableThroughput });
    light = 'amber';
  }
  if (analysis.unreachable) {
    // nothing else can be said about a target that never answered
  } else if (analysis.maxSustainableThroughput === null) {
    if (!analysis.interruptedAt) {
      findings.push({ key: 'noSustainableStep', rate: capacity.settings.startRate });
      light = 'red';
    }
  } else if (projection?.headroomNow !== null && projection?.headroomNow !== undefined) {
    if (projection.headroomNow < 0 && lowerBound) {
      findings.push({ key: 'demandAboveLowerBound', year: projection.currentYear });
      light = worst([light, 'amber']);
    } else if (projection.headroomNow < 0) {
      findings.push({ key: 'demandExceeds', year: projection.crossingYear ?? projection.currentYear });
      light = 'red';
    } else if (projection.headroomNow < HEADROOM_LOW) {
      findings.push({ key: 'headroomLow', headroom: projection.headroomNow });
      light = 'amber';
    }
  }
  if (capacity.scenarioFailure) {
    findings.push({ key: 'scenarioFailed', stepIndex: capacity.scenarioFailure.stepIndex, exitCode: capacity.scenarioFailure.exitCode });
    light = worst([light, 'amber']);
  }
  // A criterion that matched no sample was never met: say so rather than count it as held.
  const noData = [...new Set(capacity.steps.flatMap((step) => step.slo.filter((o) => o.noData).map((o) => o.label)))];
  if (noData.length > 0) {
    findings.push({ key: 'sloNoData', criteria: noData });
    light = worst([light, 'amber']);
  }
  if (findings.length === 0) findings.push({ key: 'allGood' });
  return {
    name: `${capacity.flow === 'default' ? scriptName(capacity.script) : capacity.flow} (capacity)`,
    light,
    findings,
    requests: capacity.steps.reduce((sum, step) => sum + step.requests, 0),
    p95: best?.latency.p95 ?? 0,
    failedRatio: best?.failedRatio ?? 0,
    checksRatio: best?.checksRatio ?? 1,
    thresholdsPassed: best ? best.slo.filter((o) => o.ok).length : 0,
    thresholdsTotal: best ? best.slo.length : 0,
  };
}

export function scriptName(script: string): string {
  return (script.split(/[\\/]/).pop() ?? script).replace(/\.[jt]s$/, '');
}

function worst(lights: readonly Light[]): Light {
  return lights.includes('red') ? 'red' : lights.includes('amber') ? 'amber' : 'green';
}

/** The capacity search of a folder, with the analysis it recorded (folders from before some fields lack them). */
function capacityOf(folder: LoadedFolder): CapacityResult | null {
  const capacity = folder.kind === 'capacity' ? folder.capacity : folder.kind === 'suite' ? (folder.capacity?.capacity ?? null) : null;
  if (!capacity) return null;
  const analysis = capacity.analysis;
  return {
    ...capacity,
    analysis: { ...analysis, unreachable: analysis.unreachable ?? null, interruptedAt: analysis.interruptedAt ?? null },
  };
}

function projectionFor(capacity: CapacityResult | null, workload: string | undefined, now: Date): DemandProjection | null {
  if (workload === 'none') return null;
  const name = workload ?? capacity?.workload ?? (capacity ? presetForFlow(`${capacity.flow} ${capacity.script}`) : undefined);
  if (!name) return null;
  return projectDemand(loadWorkloadModel(name), capacity?.analysis.maxSustainableThroughput ?? null, now.getFullYear());
}

function recommendationsFor(report: Omit<Report, 'recommendations'>): Recommendation[] {
  const recommendations: Recommendation[] = [];
  const capacity = report.capacity;
  const bottleneck = capacity?.analysis.bottleneck;
  if (bottleneck?.kind === 'resource') {
    recommendations.push({
      key: 'scaleResource',
      resource: bottleneck.name,
      rate: bottleneck.offeredRate,
      utilisation: bottleneck.evidence.utilisation ?? 0,
      rejections: bottleneck.evidence.rejections ?? 0,
    });
  } else if (bottleneck?.kind === 'request') {
    recommendations.push({ key: 'investigateRequest', request: bottleneck.name, growth: bottleneck.evidence.latencyGrowth ?? 0 });
  } else if (bottleneck?.kind === 'tls') {
    recommendations.push({
      key: 'offloadTls',
      services: bottleneck.name,
      rate: bottleneck.offeredRate,
      handshakesPerSec: bottleneck.evidence.handshakesPerSec ?? 0,
      share: bottleneck.evidence.handshakeShareOfBusy ?? 0,
    });
  }
  const projection = report.projection;
  if (projection && projection.capacityPerSec !== null) {
    const year = projection.crossingYear ?? projection.beyondHorizon;
    if (year !== null && year <= projection.currentYear + 3) {
      recommendations.push({ key: 'planBefore', year, unit: projection.model.unit.en, capacity: projection.capacityPerSec });
    }
  }
  if (capacity && capacity.analysis.bracket.unsustainable === null && capacity.steps.length > 0)
    recommendations.push({ key: 'extendSearch' });
  const failing = report.flows
    .filter((flow) => flow.findings.some((f) => f.key === 'thresholdFailed' || f.key === 'exitCode'))
    .map((f) => f.name);
  if (failing.length > 0) recommendations.push({ key: 'fixThresholds', flows: failing });
  const errorRatio = Math.max(0, ...report.runs.map((run) => run.facts.failedRatio));
  if (errorRatio > 0.01) recommendations.push({ key: 'investigateErrors', ratio: errorRatio });
  for (const run of report.runs) {
    for (const drift of run.stability.drifts.filter((d) => d.drifting))
      recommendations.push({ key: 'drift', subject: `${run.name}: ${drift.subject}`, change: drift.change });
  }
  const regressions = report.baseline?.comparisons.filter((c) => c.regression).map((c) => c.subject) ?? [];
  if (regressions.length > 0) recommendations.push({ key: 'regressions', subjects: regressions });
  if (recommendations.length === 0) recommendations.push({ key: 'keepWatching' });
  return recommendations;
}

/** The runs of a folder by name, and its capacity: what a baseline comparison lines up. */
function comparableOf(folder: LoadedFolder): { runs: Map<string, RunFacts>; capacity: number | null } {
  const capacity = capacityOf(folder)?.analysis.maxSustainableThroughput ?? null;
  const runs = new Map<string, RunFacts>();
  if (folder.kind === 'run') runs.set(scriptName(folder.run.meta.script ?? ''), runFacts(folder.run));
  if (folder.kind === 'suite') for (const entry of folder.runs) runs.set(entry.name, runFacts(entry.run));
  return { runs, capacity };
}

function compareFolders(current: LoadedFolder, baseline: LoadedFolder): Comparison[] {
  const now = comparableOf(current);
  const before = comparableOf(baseline);
  const comparisons: Comparison[] = [];
  const single = now.runs.size === 1 && before.runs.size === 1;
  for (const [name, facts] of now.runs) {
    const earlier = single ? [...before.runs.values()][0] : before.runs.get(name);
    if (!earlier) continue;
    const prefix = single ? '' : `${name}: `;
    for (const comparison of compareWithBaseline({ facts, capacity: null }, { facts: earlier, capacity: null })) {
      comparisons.push({ ...comparison, subject: prefix + comparison.subject });
    }
  }
  comparisons.push(...compareWithBaseline({ facts: null, capacity: now.capacity }, { facts: null, capacity: before.capacity }));
  return comparisons;
}

function titleOf(folder: LoadedFolder): string {
  if (folder.kind === 'suite') return `loadlab ${folder.manifest.runId}`;
  if (folder.kind === 'capacity') return `${scriptName(folder.capacity.script)} · ${folder.capacity.runId}`;
  return `${scriptName(folder.run.meta.script ?? '')} · ${folder.run.meta.runId}`;
}

export function buildReport(folder: LoadedFolder, options: BuildReportOptions = {}): Report {
  const now = options.now ?? new Date();
  const capacity = capacityOf(folder);
  const projection = projectionFor(capacity, options.workload, now);
  const runs: RunSection[] = [];
  let services: ServiceSampleLine[] = [];
  if (folder.kind === 'run') {
    runs.push({
      name: scriptName(folder.run.meta.script ?? folder.run.meta.runId),
      facts: runFacts(folder.run),
      stability: analyseStability(runFacts(folder.run).seconds, folder.run.services),
    });
    services = folder.run.services;
  } else if (folder.kind === 'suite') {
    for (const entry of folder.runs) {
      const facts = runFacts(entry.run);
      runs.push({ name: entry.name, facts, stability: analyseStability(facts.seconds, entry.run.services) });
      services = services.concat(entry.run.services);
    }
    if (folder.capacity) services = services.concat(folder.capacity.services);
  } else {
    services = folder.services;
  }

  const flows: FlowLight[] = [];
  if (folder.kind === 'run') {
    const facts = runs[0].facts;
    for (const flow of facts.flows) flows.push(flowLight(flow.name, facts, facts.flows.length > 1 ? flow : null, null));
  } else {
    for (const run of runs) flows.push(flowLight(run.name, run.facts, null, null));
  }
  if (capacity) flows.push(capacityFlowLight(capacity, projection));

  const sloLabels = capacity?.slo.map((criterion) => criterion.label) ?? [];
  let verdict: Verdict;
  const flowName = capacity ? (capacity.flow === 'default' ? scriptName(capacity.script) : capacity.flow) : '';
  if (capacity?.analysis.unreachable) {
    const down = capacity.analysis.unreachable;
    verdict = {
      key: 'targetDown',
      light: 'red',
      flow: flowName,
      reason: down.reason,
      origins: down.origins,
      rate: capacity.settings.startRate,
    };
  } else if (capacity?.analysis.interruptedAt) {
    verdict = {
      key: 'capacityInterrupted',
      light: worst(['amber', ...flows.filter((f) => !f.name.endsWith('(capacity)')).map((f) => f.light)]),
      flow: flowName,
      stepIndex: capacity.analysis.interruptedAt.stepIndex,
      atLeast: capacity.analysis.maxSustainableThroughput,
      slo: sloLabels,
    };
  } else if (capacity && capacity.analysis.maxSustainableThroughput !== null) {
    verdict = {
      key: 'capacity',
      light: worst(flows.map((f) => f.light)),
      flow: capacity.flow === 'default' ? scriptName(capacity.script) : capacity.flow,
      throughput: capacity.analysis.maxSustainableThroughput,
      // Nothing broke: the limit lies above the highest rate tried.
      lowerBound: capacity.analysis.bracket.unsustainable === null,
      slo: sloLabels,
      projection,
      bottleneck: capacity.analysis.bottleneck?.name ?? null,
      ...(capacity.analysis.bottleneck?.kind === 'tls' ? { bottleneckTls: true } : {}),
    };
  } else if (capacity) {
    verdict = {
      key: 'capacityNone',
      light: 'red',
      flow: capacity.flow === 'default' ? scriptName(capacity.script) : capacity.flow,
      rate: capacity.settings.startRate,
      slo: capacity.analysis.firstBreak?.criteria ?? sloLabels,
    };
  } else {
    const all = runs.flatMap((run) => run.facts.thresholds);
    verdict = {
      key: 'thresholds',
      light: worst(flows.map((f) => f.light)),
      passed: all.filter((t) => t.ok).length,
      total: all.length,
      flows: flows.length,
      failedFlows: flows.filter((f) => f.light === 'red').map((f) => f.name),
    };
  }

  let baseline: Report['baseline'] = null;
  if (options.baseline) {
    const baseFolder = loadFolder(options.baseline);
    baseline = { folder: baseFolder.dir, title: titleOf(baseFolder), comparisons: compareFolders(folder, baseFolder) };
  }

  const partial: Omit<Report, 'recommendations'> = {
    generatedAt: now.toISOString(),
    folder: folder.dir,
    kind: folder.kind,
    title: titleOf(folder),
    verdict,
    flows,
    capacity,
    projection,
    runs,
    utilisation: utilisationSeries(services),
    timelines: runs.map((run) => ({ name: run.name, points: run.facts.seconds })),
    baseline,
  };
  return { ...partial, recommendations: recommendationsFor(partial) };
}
