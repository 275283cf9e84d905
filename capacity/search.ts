// The capacity search: step the arrival rate up until the SLO breaks, then refine between the last
// sustainable and the first broken step. Each step is one embedded-engine run of the scenario with a
// constant-arrival-rate executor (an open model: arrivals do not wait for slow responses).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { runTest } from '../engine/index.ts';
import type { OutputFactory } from '../engine/index.ts';
import { gitRevision, resolveRunDir } from '../engine/index.ts';
import { ServiceSampler } from './services/sampler.ts';
import type { SampleWindow } from './sample-window.ts';
import { criteriaFromThresholds, parseSloFlag, type SloCriterion } from './slo.ts';
import { StepWatcher } from './step-watcher.ts';
import {
  type CapacityResult,
  type CapacityStep,
  KEEP_PACE,
  NO_DATA,
  type RunMeta,
  type ServiceSampleLine,
  saturationInWindow,
} from '../results-format/index.ts';
import { analyseCapacity, brokenCriteria } from './analysis.ts';
import { clientTlsHandshaking, tlsTerminationInWindow } from './tls-termination.ts';
import { LoadlabError } from '../engine/errors.ts';

export const DEFAULT_SLO = 'p95<800ms,errors<1%';

/**
 * The scenario, not the system under test, failed a step: invalid options (104), a script exception (107),
 * fail() (108), a script that cannot be read or compiled, or an output that cannot start (255, as k6 v1).
 */
const SCENARIO_FAILURES = new Set([104, 107, 108, 255]);

/** Thrown with the failed step's exit code (one of SCENARIO_FAILURES). */
export class ScenarioError extends LoadlabError {
  override name = 'ScenarioError';
}

export interface CapacitySearchOptions {
  script: string;
  /** The exported function to drive (k6 `exec`), default `default`. */
  flow?: string;
  /** Only requests whose name contains this count towards latency, errors and the bottleneck. */
  requestFilter?: string;
  /** Criteria from `--slo`; when absent the scenario's thresholds are the SLO. */
  slo?: SloCriterion[];
  startRate: number;
  stepFactor?: number;
  stepSize?: number;
  stepDurationS: number;
  warmupS?: number;
  maxDurationS: number;
  maxRate?: number;
  refineSteps?: number;
  /** Stop refining once the bracket is narrower than this fraction. */
  resolution?: number;
  keepPaceRatio?: number;
  maxVUs?: number;
  env?: Record<string, string>;
  /** Local services to sample (/metrics every second); their saturation is recorded per step. */
  serviceUrls?: Record<string, string>;
  resultsRoot?: string;
  runId?: string;
  workers?: number;
  workload?: string;
  /** Targets outside loopback are refused unless the user says so (load on a production portal is an incident). */
  allowRemoteTargets?: boolean;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /** More outputs for every step's run (the live web dashboard of `loadlab capacity`). */
  outputFactories?: OutputFactory[];
}

function medianIterationMs(window: SampleWindow): number {
  return window.trend('iteration_duration')?.med ?? 0;
}

function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}

export async function runCapacitySearch(options: CapacitySearchOptions): Promise<{ result: CapacityResult; dir: string }> {
  const flow = options.flow ?? 'default';
  const warmupS = options.warmupS ?? Math.min(2, options.stepDurationS / 4);
  const keepPaceRatio = options.keepPaceRatio ?? 0.95;
  const resolution = options.resolution ?? 0.05;
  const refineSteps = options.refineSteps ?? 3;
  const maxRate = options.maxRate ?? 100_000;
  const runId =
    options.runId ?? `${new Date().toISOString().replace(/[:.]/g, '-')}-capacity-${basename(options.script).replace(/\.[jt]s$/, '')}`;
  const dir = resolveRunDir(options.resultsRoot ?? 'results', runId);
  mkdirSync(join(dir, 'steps'), { recursive: true });
  const progress = options.onProgress ?? (() => {});
  const began = Date.now();
  const startTime = new Date(began).toISOString();

  let criteria: SloCriterion[] = options.slo ?? [];
  const sloSource: CapacityResult['sloSource'] = options.slo ? 'flag' : 'thresholds';
  const serviceLines: ServiceSampleLine[] = [];
  const sampler =
    options.serviceUrls && Object.keys(options.serviceUrls).length > 0
      ? new ServiceSampler({
          urls: options.serviceUrls,
          file: join(dir, 'services.jsonl'),
          onSample: (lines) => serviceLines.push(...lines),
        })
      : undefined;
  sampler?.start();

  const steps: CapacityStep[] = [];
  let stoppedBecause: CapacityResult['stoppedBecause'] = 'max-duration';

  /**
   * Work queued by an overloaded step outlives it (the server keeps serving what it accepted), so the next
   * step waits until the local services' queues are empty and their slots idle; without service metrics,
   * a short pause lets connections close.
   */
  const settle = async () => {
    if (!sampler) {
      await delay(1000);
      return;
    }
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !options.signal?.aborted) {
      const lines = await sampler.sampleOnce();
      const busy = lines.some(
        (line) =>
          (line.metric === 'loadlab_resource_queue_length' ||
            line.metric === 'loadlab_resource_in_use' ||
            line.metric === 'loadlab_tls_handshakes_in_progress') &&
          line.value > 0,
      );
      if (!busy) return;
      await delay(250);
    }
    progress('services still busy 30 s after the step; going on');
  };

  let pendingRate = options.startRate;
  const runStep = async (offeredRate: number, phase: CapacityStep['phase']): Promise<CapacityStep | null> => {
    pendingRate = Math.max(1, Math.round(offeredRate));
    if (steps.length > 0) await settle();
    if (options.signal?.aborted) return null;
    const elapsedS = (Date.now() - began) / 1000;
    const remainingS = options.maxDurationS - elapsedS;
    const durationS = Math.min(options.stepDurationS, Math.floor(remainingS - 1));
    if (durationS < warmupS + 2) return null;
    const rate = Math.max(1, Math.round(offeredRate));
    const index = steps.length + 1;
    const stepId = `step-${String(index).padStart(2, '0')}-${rate}`;
    const watcher = new StepWatcher(warmupS * 1000, durationS * 1000, options.requestFilter);
    const controller = new AbortController();
    const abortStep = () => controller.abort();
    options.signal?.addEventListener('abort', abortStep);
    let abortedEarly = false;
    const live = setInterval(() => {
      const since = watcher.window.alignedStart(watcher.window.latestTime - 2000);
      if (watcher.startedAt === 0 || since < watcher.measureFrom) return;
      const recent = watcher.window.evaluate(criteria, 2, since);
      // Completions lag arrivals by one iteration: judge the pace only once the first iterations could end.
      const paceJudged = since >= watcher.measureFrom + medianIterationMs(watcher.window);
      const recentIterations = watcher.window.count('iterations', since) / 2;
      // "Clearly broken": twice over a limit, or under two thirds of the pace a step must keep, for two seconds.
      if (recent.some((outcome) => outcome.pressure >= 2) || (paceJudged && recentIterations < (rate * keepPaceRatio * 2) / 3)) {
        abortedEarly = true;
        controller.abort();
      }
    }, 1000);
    const maxVUs = options.maxVUs ?? Math.max(100, Math.ceil(rate * 4));
    progress(`step ${index} (${phase}) · offering ${formatRate(rate)}/s for ${durationS}s`);
    let runDir: string | undefined;
    try {
      const outcome = await runTest({
        script: options.script,
        env: options.env,
        optionOverrides: {
          scenarios: {
            [flow]: {
              executor: 'constant-arrival-rate',
              exec: flow,
              rate,
              timeUnit: '1s',
              duration: `${durationS}s`,
              preAllocatedVUs: Math.min(maxVUs, Math.max(10, Math.ceil(rate / 2))),
              maxVUs,
              gracefulStop: '2s',
            },
          },
        },
        outputs: [watcher],
        outputFactories: options.outputFactories,
        allowRemoteTargets: options.allowRemoteTargets === true,
        // The search judges every criterion itself (live and per step); the engine's own threshold
        // evaluation would only abort steps on abortOnFail and print what the search already reports.
        noThresholds: true,
        quiet: true,
        workers: options.workers,
        resultsRoot: join(dir, 'steps'),
        runId: stepId,
        meta: { capacityRun: runId, capacityStep: index, offeredRate: rate },
        signal: controller.signal,
      });
      runDir = relative(dir, outcome.runDir);
      // Invalid options, a script exception or fail(): the scenario is broken, not the system under test.
      if (SCENARIO_FAILURES.has(outcome.exitCode)) {
        throw new ScenarioError(
          outcome.exitCode,
          `step ${index} at ${rate}/s: the scenario itself failed (exit code ${outcome.exitCode}); see ${outcome.runDir}`,
        );
      }
      if (criteria.length === 0 && sloSource === 'thresholds') {
        const metaPath = join(outcome.runDir, 'meta.json');
        const meta = existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as RunMeta) : undefined;
        criteria = criteriaFromThresholds(meta?.options?.thresholds as Record<string, unknown> | undefined);
        if (criteria.length === 0) {
          progress(`the scenario has no thresholds; using --slo "${DEFAULT_SLO}"`);
          criteria = parseSloFlag(DEFAULT_SLO);
        }
      }
    } finally {
      clearInterval(live);
      options.signal?.removeEventListener('abort', abortStep);
    }
    // Interrupted mid-step: what was measured so far is kept, marked partial, and judged by no one.
    const partial = options.signal?.aborted === true;
    if (partial && watcher.startedAt === 0) return null;

    const window = watcher.window;
    const measuredSeconds = Math.max(watcher.measuredSeconds(), 1e-3);
    const iterations = window.count('iterations');
    const requests = window.count('http_reqs');
    // Throughput is counted from one iteration duration after the warm-up, when completions have caught
    // up with arrivals; a system that keeps pace then completes as many iterations as arrive.
    const paceFrom = window.alignedStart(watcher.measureFrom + medianIterationMs(window));
    const paceSeconds = (watcher.measureUntil - paceFrom) / 1000;
    const iterationsPerSec = paceSeconds >= 1 ? window.count('iterations', paceFrom) / paceSeconds : iterations / measuredSeconds;
    const byRequest = window.byRequest();
    const slo = window.evaluate(criteria, measuredSeconds);
    // Counting at the window's edges can miss an iteration or two: tolerate that much beyond the ratio.
    const paceWindow = paceSeconds >= 1 ? paceSeconds : measuredSeconds;
    const keptPace = !abortedEarly && iterationsPerSec * paceWindow >= rate * paceWindow * keepPaceRatio - 2;
    const tls = sampler ? tlsTerminationInWindow(serviceLines, watcher.measureFrom / 1000, watcher.measureUntil / 1000) : [];
    const clientTls = clientTlsHandshaking(watcher.clientHandshakes);
    const step: CapacityStep = {
      index,
      phase,
      offeredRate: rate,
      startTime: watcher.startedAt,
      endTime: watcher.measureUntil,
      measuredSeconds,
      abortedEarly,
      iterations,
      iterationsPerSec,
      requests,
      requestsPerSec: requests / measuredSeconds,
      failedRatio: window.rate('http_req_failed'),
      checksRatio: window.has('checks') ? window.rate('checks') : 1,
      droppedIterations: window.count('dropped_iterations'),
      latency: window.latency(),
      byRequest,
      slo,
      keptPace,
      sustainable: keptPace && !abortedEarly && slo.every((outcome) => outcome.ok),
      saturation: sampler ? saturationInWindow(serviceLines, watcher.measureFrom / 1000, watcher.measureUntil / 1000) : [],
      runDir,
      ...(tls.length > 0 ? { tls } : {}),
      ...(clientTls ? { clientTls } : {}),
      ...(partial ? { partial } : {}),
      ...(Object.keys(watcher.errorCodes).length > 0 ? { errorCodes: watcher.errorCodes } : {}),
      ...(watcher.unreachable() ? { unreachable: watcher.unreachable() } : {}),
    };
    steps.push(step);
    const down = step.unreachable;
    const verdict = partial
      ? 'interrupted: partial step'
      : down
        ? `no response from ${down.origins.join(', ') || 'the target'} (${down.reason === 'refused' ? 'connection refused' : down.reason === 'timeout' ? 'timed out' : 'network unreachable'})`
        : step.sustainable
          ? 'within SLO'
          : `broken: ${brokenCriteria(step, keepPaceRatio)
              .map((c) =>
                c.startsWith(KEEP_PACE)
                  ? 'throughput fell behind the offered rate'
                  : c.startsWith(NO_DATA)
                    ? `${c.slice(NO_DATA.length)}: no data`
                    : c,
              )
              .join(', ')}`;
    const top = step.saturation[0];
    progress(
      `step ${index} (${phase}) · offered ${formatRate(rate)}/s → ${formatRate(iterationsPerSec)} it/s, p95 ${step.latency.p95.toFixed(0)} ms, errors ${(step.failedRatio * 100).toFixed(1)} %` +
        (top ? `, ${top.service}/${top.resource} ${(top.utilisation * 100).toFixed(0)} % busy` : '') +
        tls
          .map(
            (t) =>
              `, TLS ${t.handshakingServices.join('+')}${t.handshakingServices.length > 0 ? ' ' : ''}${formatRate(t.handshakesPerSec)} handshakes/s, thread ${(t.eventLoopUtilisation * 100).toFixed(0)} % busy`,
          )
          .join('') +
        ` · ${verdict}${abortedEarly ? ' (stopped early)' : ''}`,
    );
    return step;
  };

  let scenarioFailure: CapacityResult['scenarioFailure'];
  try {
    let rate = options.startRate;
    let lastGood: CapacityStep | null = null;
    let firstBad: CapacityStep | null = null;
    while (!firstBad) {
      if (rate > maxRate) {
        stoppedBecause = 'max-rate';
        break;
      }
      const step = await runStep(rate, 'ramp');
      if (!step || step.partial) break;
      if (step.sustainable) lastGood = step;
      else firstBad = step;
      rate = options.stepSize ? rate + options.stepSize : rate * (options.stepFactor ?? 1.5);
    }
    if (firstBad) {
      stoppedBecause = 'slo-broken';
      for (let refinement = 0; refinement < refineSteps && lastGood; refinement++) {
        if (firstBad.offeredRate / lastGood.offeredRate <= 1 + resolution) break;
        const middle = Math.round((lastGood.offeredRate + firstBad.offeredRate) / 2);
        if (middle <= lastGood.offeredRate || middle >= firstBad.offeredRate) break;
        const step = await runStep(middle, 'refine');
        if (!step || step.partial) break;
        if (step.sustainable) lastGood = step;
        else firstBad = step;
      }
    }
  } catch (error) {
    // A scenario that breaks only after some steps were measured keeps them: they are written, not lost.
    if (!(error instanceof ScenarioError) || steps.length === 0) throw error;
    stoppedBecause = 'scenario-failed';
    scenarioFailure = { stepIndex: steps.length + 1, exitCode: error.exitCode, message: error.message };
    progress(error.message);
  } finally {
    await sampler?.stop();
  }
  if (options.signal?.aborted) stoppedBecause = 'interrupted';
  const analysis = analyseCapacity(steps, keepPaceRatio);
  // Interrupted between steps (while the services settled): the step about to start is where it stopped.
  if (stoppedBecause === 'interrupted' && analysis.interruptedAt === null)
    analysis.interruptedAt = { stepIndex: steps.length + 1, offeredRate: pendingRate };

  const result: CapacityResult = {
    kind: 'capacity',
    runId,
    script: options.script,
    flow,
    requestFilter: options.requestFilter,
    startTime,
    endTime: new Date().toISOString(),
    slo: criteria,
    sloSource,
    settings: {
      startRate: options.startRate,
      stepFactor: options.stepSize ? undefined : (options.stepFactor ?? 1.5),
      stepSize: options.stepSize,
      stepDurationS: options.stepDurationS,
      warmupS,
      maxDurationS: options.maxDurationS,
      keepPaceRatio,
    },
    targets: options.serviceUrls ?? {},
    mocksLocal: Boolean(sampler),
    stoppedBecause,
    ...(scenarioFailure ? { scenarioFailure } : {}),
    steps,
    analysis,
    workload: options.workload,
    gitRevision: gitRevision() ?? undefined,
    hostname: hostname(),
  };
  writeFileSync(join(dir, 'capacity.json'), JSON.stringify(result, null, 2));
  return { result, dir };
}
