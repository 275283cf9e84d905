// A test run, as `k6 run` does it: init → options → setup → VUs (scenarios) → teardown →
// thresholds → handleSummary, with k6's exit codes; samples from every thread are aggregated
// once, here, on the main thread.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSharedCounters, WHOLE } from '../executors/segment.ts';
import { Aggregator } from '../metrics/aggregator.ts';
import { BUILTIN_METRICS } from '../metrics/builtin.ts';
import type { TrendSink } from '../metrics/sinks.ts';
import { buildSummaryData, renderDefaultSummary, type SummaryData, toSummaryExport } from '../metrics/summary.ts';
import type { Output, OutputFactory, SampleContainer } from '../metrics/types.ts';
import { createOutputs } from '../outputs/index.ts';
import { createResultsDirOutput, runIdProblem, writeMetaJson, writeSummaryJson } from '../outputs/results-dir.ts';
import { prepareConnections } from '../modules/http/os-limits.ts';
import { mergeOptions, type Options, optionsFromEnv, scenariosOf, validateOptions } from '../options/config.ts';
import { runVariableProblems, unknownOptionKeys } from '../options/k6-options.ts';
import { parseDuration } from '../options/duration.ts';
import type { Scenario } from '../options/scenarios.ts';
import { bundleScript, type ScriptBundle } from '../script/bundle.ts';
import { EXIT, ScriptError, TestAbortError } from '../script/errors.ts';
import { ThreadExecution } from '../runtime/execution.ts';
import { BatchingSink } from '../runtime/sink.ts';
import { createLogger, type Logger } from '../runtime/thread.ts';
import type { VU } from '../runtime/vu.ts';
import { type ExecutionPart, LocalPart } from './parts.ts';
import { ProgressDisplay, RequestTally } from './progress.ts';
import { WorkerPart } from './worker-part.ts';

export interface RunTestOptions {
  script: string;
  env?: Record<string, string>;
  optionOverrides?: Record<string, unknown>;
  tags?: Record<string, string>;
  out?: string[];
  outputs?: Output[];
  /** Outputs made for this run with the same parameters as `--out` ones (e.g. a dashboard shared by several runs). */
  outputFactories?: OutputFactory[];
  summaryExport?: string;
  noThresholds?: boolean;
  quiet?: boolean;
  workers?: number;
  resultsRoot?: string;
  runId?: string;
  meta?: Record<string, unknown>;
  signal?: AbortSignal;
  allowRemoteTargets?: boolean;
  /** The process environment: K6_* variables and, unless includeSystemEnv is false, __ENV. Default process.env. */
  systemEnv?: Readonly<Record<string, string | undefined>>;
  /** k6's --include-system-env-vars (default true): the system environment is part of __ENV. */
  includeSystemEnv?: boolean;
  /** Prometheus-format endpoints of the services under test, for the web dashboard's saturation panels. */
  serviceMetrics?: string[];
}

export interface RunTestResult {
  exitCode: number;
  runDir: string;
  summary: SummaryData;
}

const EMPTY_SUMMARY = (durationMs: number): SummaryData => ({
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
  options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false },
  state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: durationMs },
  metrics: {},
});

const envList = (value: string | undefined): string[] => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function defaultRunId(script: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${path.basename(script).replace(/\.[cm]?[jt]s$/, '')}-${Math.random().toString(36).slice(2, 6)}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScriptError(`${what} execution timed out after ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class LifecycleError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export async function runTest(options: RunTestOptions): Promise<RunTestResult> {
  const startTime = new Date();
  const quiet = options.quiet === true;
  const writeErr = (line: string) => process.stderr.write(`${line}\n`);
  const logger: Logger = createLogger(writeErr);
  const runId = options.runId ?? defaultRunId(options.script);
  const runDir = path.join(options.resultsRoot ?? 'results', runId);
  const cliEnv = options.env ?? {};
  const systemEnv = options.systemEnv ?? process.env;
  const includeSystemEnv = options.includeSystemEnv ?? !/^(false|0)$/.test(systemEnv.K6_INCLUDE_SYSTEM_ENV_VARS ?? '');
  // k6 run includes the system environment in __ENV by default; -e wins.
  const scriptEnv: Record<string, string> = { ...(includeSystemEnv ? (systemEnv as Record<string, string>) : {}), ...cliEnv };
  const early = (exitCode: number, message: string): RunTestResult => {
    writeErr(message);
    return { exitCode, runDir, summary: EMPTY_SUMMARY(Date.now() - startTime.getTime()) };
  };
  const badRunId = runIdProblem(options.resultsRoot ?? 'results', runId);
  if (badRunId !== null) return early(EXIT.invalidConfig, `ERRO ${badRunId}`);

  // Init: bundle once, evaluate the init context once for options (k6's first VU).
  let bundle: ScriptBundle;
  try {
    bundle = await bundleScript(options.script);
  } catch (error) {
    return early(EXIT.scriptException, `ERRO script error: ${(error as Error).message}`);
  }
  let abortReason: string | null = null;
  let parts: ExecutionPart[] = [];
  const abortAll = () => {
    for (const part of parts) part.abort();
  };
  const onScriptAbort = (reason: string) => {
    if (abortReason === null) abortReason = reason;
    abortAll();
  };

  let deliver: (batch: SampleContainer[]) => void = () => {};
  const mainSink = new BatchingSink((batch) => deliver(batch));
  const main = new ThreadExecution({ bundle, segment: WHOLE, env: scriptEnv, runTags: {}, sink: mainSink, logger, allowRemoteTargets: options.allowRemoteTargets === true, onAbort: onScriptAbort });
  let lifecycleVU: VU;
  try {
    lifecycleVU = main.createVU(0, 0);
    main.instance.vusInitialized--;
  } catch (error) {
    return early(EXIT.scriptException, `ERRO the script's init context threw:\n${main.stack.describe(error)}`);
  }

  // Options: script < K6_* environment < CLI.
  const scriptOptions = (lifecycleVU.exports.options as Options) ?? {};
  const unknown = unknownOptionKeys(scriptOptions);
  if (unknown.length > 0) logger.log('warn', `There were unknown fields in the options exported in the script: ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  const merged = mergeOptions(scriptOptions, optionsFromEnv(systemEnv), options.optionOverrides ?? {});
  const problems = [...runVariableProblems(systemEnv), ...validateOptions(merged)];
  if (problems.length > 0) return early(EXIT.invalidConfig, `ERRO invalid options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const scenarios: Scenario[] = scenariosOf(merged);
  prepareConnections(scenarios, merged, (level, message) => logger.log(level, message));
  for (const s of scenarios) {
    if (typeof lifecycleVU.exports[s.exec] !== 'function') {
      return early(EXIT.invalidConfig, `ERRO invalid options: scenario "${s.name}" executes "${s.exec}", which the script does not export as a function`);
    }
  }
  const runTags: Record<string, string> = { ...((merged.tags as Record<string, string>) ?? {}), ...(options.tags ?? {}) };
  const noThresholds = options.noThresholds === true || merged.noThresholds === true;
  main.configure(merged, runTags);
  lifecycleVU.setTags({ ...runTags });

  let aggregator: Aggregator;
  let outputs: Output[];
  try {
    aggregator = new Aggregator({ thresholds: merged.thresholds, noThresholds, registry: main.registry });
    outputs = [
      createResultsDirOutput({ runDir, log: (m) => logger.log('warn', m) }),
      ...createOutputs(options.out?.length ? options.out : envList(systemEnv.K6_OUT), { env: process.env, runTags, runDir, allowRemoteTargets: options.allowRemoteTargets === true, log: (m) => logger.log('warn', m), scriptOptions: merged, serviceMetrics: options.serviceMetrics }),
      ...(options.outputFactories ?? []).map((create) =>
        create({ argument: '', env: process.env, runTags, runDir, allowRemoteTargets: options.allowRemoteTargets === true, log: (m) => logger.log('warn', m), scriptOptions: merged }),
      ),
      ...(options.outputs ?? []),
    ];
  } catch (error) {
    return early(EXIT.invalidConfig, `ERRO invalid configuration: ${(error as Error).message}`);
  }
  await mkdir(runDir, { recursive: true });

  const tally = new RequestTally();
  deliver = (batch) => {
    aggregator.addMetricSamples(batch);
    for (const output of outputs) output.addMetricSamples(batch);
    for (const container of batch) {
      const samples = container.samples;
      if (samples.length > 1 && samples[0].metric === BUILTIN_METRICS.http_reqs) {
        tally.count(container.tags.scenario ?? '', samples[samples.length - 1].value !== 0);
      }
    }
  };
  try {
    for (const output of outputs) await output.start();
  } catch (error) {
    await Promise.allSettled(outputs.map((output) => output.stop(error as Error)));
    return early(EXIT.invalidConfig, `ERRO could not start an output: ${(error as Error).message}`);
  }
  mainSink.start();

  // The VUs: on this thread, or split between worker threads.
  const workers = Math.max(1, Math.floor(options.workers ?? os.availableParallelism()));
  const counters = createSharedCounters(scenarios.map((s) => s.name));
  parts =
    workers === 1
      ? [new LocalPart(main)]
      : Array.from(
          { length: workers },
          (_, index) =>
            new WorkerPart({
              bundle,
              segment: { index, count: workers, counters },
              env: scriptEnv,
              allowRemoteTargets: options.allowRemoteTargets === true,
              resolveMetric: (name, type, contains) => main.registry.get(name) ?? main.registry.add(name, type, contains),
              onSamples: deliver,
              onLog: writeErr,
              onAbort: onScriptAbort,
            }),
        );

  const progress = new ProgressDisplay(process.stderr, !quiet);
  let interrupted = false;
  let thresholdAbort = false;
  let exitCode: number = EXIT.ok;
  let testStart = 0;
  const onSignal = () => {
    interrupted = true;
    // quiet is for runs driven by a program (e.g. the capacity search aborting its steps): it knows
    // it interrupted the run, so the lifecycle notice is noise there; script errors still print.
    if (!quiet) logger.log('warn', 'stopping the test (interrupted); teardown and summary follow');
    abortAll();
  };
  options.signal?.addEventListener('abort', onSignal, { once: true });

  const runLifecycle = async (name: 'setup' | 'teardown', arg: unknown, timeoutOption: unknown): Promise<unknown> => {
    const fn = lifecycleVU.exports[name];
    if (typeof fn !== 'function') return undefined;
    if (merged[name === 'setup' ? 'noSetup' : 'noTeardown'] === true) return undefined;
    lifecycleVU.groupPath = `::${name}`;
    lifecycleVU.iter = 0;
    try {
      const timeoutMs = timeoutOption === undefined ? 60_000 : parseDuration(timeoutOption as string);
      const result = await withTimeout(Promise.resolve().then(() => (fn as (d: unknown) => unknown)(arg)), timeoutMs, `${name}()`);
      return result;
    } catch (error) {
      if (error instanceof TestAbortError) throw new LifecycleError(EXIT.scriptAborted, `ERRO ${error.message} (in ${name}())`);
      const timedOut = error instanceof ScriptError && error.message.includes('timed out');
      throw new LifecycleError(timedOut ? (name === 'setup' ? 100 : 101) : EXIT.scriptException, `ERRO ${name}() failed:\n${main.stack.describe(error)}`);
    } finally {
      // The data counters of setup()/teardown() carry their group, as k6's do.
      lifecycleVU.emitData(Date.now());
      lifecycleVU.groupPath = '';
    }
  };

  let renderTimer: NodeJS.Timeout | null = null;
  let thresholdTimer: NodeJS.Timeout | null = null;
  let gaugeTimer: NodeJS.Timeout | null = null;
  const statuses = () => parts.map((p) => p.status());
  const mergedStats = () => {
    const all = statuses();
    return scenarios.map((s, i) => {
      const rows = all.map((st) => st.scenarios[i]).filter(Boolean);
      return {
        name: s.name,
        executor: s.executor,
        activeVUs: rows.reduce((n, r) => n + r.activeVUs, 0),
        maxVUs: rows.reduce((n, r) => n + r.maxVUs, 0),
        iterations: rows.reduce((n, r) => n + r.iterations, 0),
        interrupted: rows.reduce((n, r) => n + r.interrupted, 0),
        dropped: rows.reduce((n, r) => n + r.dropped, 0),
        progress: rows.length ? rows.reduce((n, r) => n + r.progress, 0) / rows.length : 0,
        done: rows.length > 0 && rows.every((r) => r.done),
      };
    });
  };
  const renderProgress = (final = false) => {
    const all = statuses();
    const duration = aggregator.metric('http_req_duration')?.sink as TrendSink | undefined;
    progress.render(mergedStats(), tally, {
      elapsedMs: testStart ? Date.now() - testStart : 0,
      requests: tally.total,
      failed: tally.failed,
      p95Ms: duration && !duration.isEmpty() ? duration.percentile(95) : null,
      vusActive: all.reduce((n, s) => n + s.vusActive, 0),
      vusMax: all.reduce((n, s) => n + s.vusMax, 0),
    }, final);
  };

  try {
    try {
      await Promise.all(parts.map((part) => part.prepare(JSON.parse(JSON.stringify(merged)), runTags, scenarios)));
    } catch (error) {
      throw new LifecycleError(EXIT.scriptException, `ERRO initialising VUs failed:\n${error instanceof ScriptError ? error.message : main.stack.describe(error)}`);
    }
    if (options.signal?.aborted) onSignal();
    if (!quiet) writeErr(describeExecution(scenarios, workers, options.script));

    const setupResult = interrupted ? undefined : await runLifecycle('setup', undefined, merged.setupTimeout);
    const setupData = setupResult === undefined ? undefined : JSON.parse(JSON.stringify(setupResult));

    if (!interrupted && abortReason === null) {
      testStart = Date.now();
      const emitGauges = () => {
        const all = statuses();
        const tags = runTags;
        mainSink.push({
          time: Date.now(),
          tags,
          samples: [
            { metric: BUILTIN_METRICS.vus, value: all.reduce((n, s) => n + s.vusActive, 0) },
            { metric: BUILTIN_METRICS.vus_max, value: all.reduce((n, s) => n + s.vusMax, 0) },
          ],
        });
      };
      // As k6: vus and vus_max once a second from the test start, none at the start or the end.
      gaugeTimer = setInterval(emitGauges, 1000);
      renderTimer = setInterval(() => renderProgress(), 500);
      thresholdTimer = setInterval(() => {
        mainSink.flush();
        const result = aggregator.evaluateThresholds(Date.now() - testStart);
        if (result.abort && !thresholdAbort) {
          thresholdAbort = true;
          logger.log('error', `thresholds on metrics '${result.breached.join("', '")}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`);
          abortAll();
        }
      }, 2000);
      // Workers start on a shared clock a little ahead, so that they begin together.
      const startAt = Date.now() + (workers > 1 ? 50 : 0);
      await Promise.all(parts.map((part) => part.run(setupData, startAt)));
    }
    clearInterval(gaugeTimer ?? undefined);
    clearInterval(renderTimer ?? undefined);
    clearInterval(thresholdTimer ?? undefined);
    mainSink.flush();
    renderProgress(true);

    if (!(abortReason !== null && (lifecycleVU.exports.teardown === undefined))) {
      await runLifecycle('teardown', setupData, merged.teardownTimeout);
    }
  } catch (error) {
    if (!(error instanceof LifecycleError)) throw error;
    exitCode = error.exitCode;
    writeErr(error.message);
  } finally {
    clearInterval(gaugeTimer ?? undefined);
    clearInterval(renderTimer ?? undefined);
    clearInterval(thresholdTimer ?? undefined);
    options.signal?.removeEventListener('abort', onSignal);
  }

  // End of test: thresholds, summary, handleSummary, result files.
  mainSink.stop();
  await Promise.allSettled(parts.map((part) => part.close()));
  await main.close();
  const testRunDurationMs = testStart ? Date.now() - testStart : 0;
  const thresholds = aggregator.evaluateThresholds(testRunDurationMs, { final: true });
  const summary = buildSummaryData(aggregator, {
    testRunDurationMs,
    summaryTrendStats: merged.summaryTrendStats as string[] | undefined,
    summaryTimeUnit: merged.summaryTimeUnit as string | undefined,
    noColor: !process.stdout.isTTY,
    isStdOutTTY: process.stdout.isTTY === true,
    isStdErrTTY: process.stderr.isTTY === true,
  });
  for (const output of outputs) {
    try {
      await output.stop(interrupted ? new Error('interrupted') : undefined);
    } catch (error) {
      logger.log('warn', `output ${output.description} failed to stop: ${(error as Error).message}`);
    }
  }

  if (exitCode === EXIT.ok) {
    if (interrupted) exitCode = EXIT.externalAbort;
    else if (abortReason !== null) exitCode = EXIT.scriptAborted;
    else if (thresholdAbort || (!thresholds.ok && !noThresholds)) exitCode = EXIT.thresholdsFailed;
  }
  if (abortReason !== null) writeErr(`ERRO ${abortReason}`);
  if (!thresholds.ok && !noThresholds) writeErr(`ERRO thresholds on metrics '${thresholds.breached.join("', '")}' have been crossed`);

  await writeSummaryJson(runDir, summary);
  const summaryExport = options.summaryExport ?? systemEnv.K6_SUMMARY_EXPORT;
  if (summaryExport) await writeFile(summaryExport, toSummaryExport(summary));
  await handleSummary(lifecycleVU, summary, quiet, main.stack.describe.bind(main.stack), writeErr);
  await writeMetaJson(runDir, {
    runId,
    script: options.script,
    engine: 'embedded',
    startTime,
    endTime: new Date(),
    exitCode,
    interrupted,
    thresholdsOk: thresholds.ok,
    workers,
    options: merged,
    env: cliEnv,
    tags: runTags,
    meta: options.meta,
  });
  return { exitCode, runDir, summary };
}

async function handleSummary(vu: VU, summary: SummaryData, quiet: boolean, describe: (e: unknown) => string, writeErr: (l: string) => void): Promise<void> {
  const fn = vu.exports.handleSummary;
  if (typeof fn !== 'function') {
    if (!quiet) process.stdout.write(renderDefaultSummary(summary, process.stdout.isTTY === true));
    return;
  }
  let result: unknown;
  try {
    result = await (fn as (d: unknown) => unknown)(structuredClone(summary));
  } catch (error) {
    writeErr(`ERRO handleSummary() failed; the default summary follows:\n${describe(error)}`);
    if (!quiet) process.stdout.write(renderDefaultSummary(summary, process.stdout.isTTY === true));
    return;
  }
  if (!result || typeof result !== 'object') return;
  for (const [target, content] of Object.entries(result as Record<string, unknown>)) {
    const data = typeof content === 'string' ? content : content instanceof ArrayBuffer ? Buffer.from(content) : JSON.stringify(content);
    if (target === 'stdout') process.stdout.write(data);
    else if (target === 'stderr') process.stderr.write(data);
    else {
      await mkdir(path.dirname(path.resolve(target)), { recursive: true });
      await writeFile(target, data);
    }
  }
}

function describeExecution(scenarios: Scenario[], workers: number, script: string): string {
  const lines = scenarios.map((s): string => {
    const start = s.startTimeMs ? ` starting at ${s.startTimeMs / 1000}s` : '';
    switch (s.executor) {
      case 'shared-iterations':
        return `${s.name}: ${s.iterations} iterations shared among ${s.vus} VUs (maxDuration ${s.maxDurationMs / 1000}s)${start}`;
      case 'per-vu-iterations':
        return `${s.name}: ${s.iterations} iterations for each of ${s.vus} VUs (maxDuration ${s.maxDurationMs / 1000}s)${start}`;
      case 'constant-vus':
        return `${s.name}: ${s.vus} looping VUs for ${s.durationMs / 1000}s${start}`;
      case 'ramping-vus':
        return `${s.name}: up to ${Math.max(s.startVUs, ...s.stages.map((x) => x.target))} looping VUs over ${s.stages.length} stages${start}`;
      case 'constant-arrival-rate':
        return `${s.name}: ${s.rate} iterations per ${s.timeUnitMs / 1000}s for ${s.durationMs / 1000}s (maxVUs ${s.maxVUs})${start}`;
      case 'ramping-arrival-rate':
        return `${s.name}: up to ${Math.max(s.startRate, ...s.stages.map((x) => x.target))} iterations per ${s.timeUnitMs / 1000}s over ${s.stages.length} stages (maxVUs ${s.maxVUs})${start}`;
      default:
        return `${(s as Scenario).name}: ${(s as Scenario).executor}${start}`;
    }
  });
  return `  execution: embedded engine, ${workers} worker${workers === 1 ? '' : 's'}\n     script: ${script}\n  scenarios:\n${lines.map((l) => `    * ${l}`).join('\n')}`;
}
