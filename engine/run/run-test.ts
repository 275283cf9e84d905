// A test run, as `k6 run` does it: init → options → setup → VUs (scenarios) → teardown →
// thresholds → handleSummary, with k6's exit codes; samples from every thread are aggregated
// once, here, on the main thread.
import { openSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSharedCounters, WHOLE } from '../executors/segment.ts';
import { Aggregator } from '../metrics/aggregator.ts';
import { BUILTIN_METRICS } from '../metrics/builtin.ts';
import { type DigestConsumer, type DigestEntry, foldSamples, isDigestConsumer } from '../metrics/digest.ts';
import type { TrendSink } from '../metrics/sinks.ts';
import { buildSummaryData, type SummaryData, toSummaryExport } from '../metrics/summary.ts';
import { renderEndOfTestSummary, SummaryBreakdown, type SummaryMode } from '../metrics/summary-v1.ts';
import type { Output, OutputFactory, SampleContainer, Tags, TextStream } from '../metrics/types.ts';
import { createOutputs } from '../outputs/index.ts';
import { createResultsDirOutput, runIdProblem, writeMetaJson, writeSummaryJson } from '../outputs/results-dir.ts';
import { prepareConnections } from '../modules/http/os-limits.ts';
import { trustEnvOf } from '../modules/http/tls.ts';
import {
  mergeOptions,
  type Options,
  optionsFromEnv,
  SYSTEM_TAGS,
  scenarioOverridingLevels,
  scenariosOf,
  validateOptions,
} from '../options/config.ts';
import { runVariableProblems, unknownOptionKeys } from '../options/k6-options.ts';
import { parseDuration } from '../options/duration.ts';
import { goDuration } from '../executors/executor.ts';
import { describeScenario, scenarioEndMs, scenarioMaxVUs } from '../executors/registry.ts';
import type { Scenario } from '../options/scenarios.ts';
import { bundleScript, type ScriptBundle } from '../script/bundle.ts';
import { EXIT, LoadlabError, ScriptError, TestAbortError } from '../errors.ts';
import { ThreadExecution } from '../runtime/execution.ts';
import { BatchingSink } from '../runtime/sink.ts';
import { consoleAwareLogger } from './logging.ts';
import type { VU } from '../runtime/vu.ts';
import type { ExecutionPart } from './parts.ts';
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
  /**
   * The process environment: K6_* variables, the outputs' configuration (K6_PROMETHEUS_RW_*, K6_WEB_DASHBOARD_*)
   * and, unless includeSystemEnv is false, __ENV. Default process.env. (`env` above is `-e KEY=VALUE`.)
   */
  systemEnv?: Readonly<Record<string, string | undefined>>;
  /** Standard output: the end-of-test summary, handleSummary's `stdout`, `--out json` without a file. Default process.stdout. */
  stdout?: TextStream;
  /** Standard error: logs (unless --log-output says otherwise), the progress display, handleSummary's `stderr`. Default process.stderr. */
  stderr?: TextStream;
  /** k6's --include-system-env-vars (default true): the system environment is part of __ENV. */
  includeSystemEnv?: boolean;
  /**
   * The end-of-test summary on stdout (k6's --summary-mode). 'auto': K6_SUMMARY_MODE, K6_NO_SUMMARY or
   * the noSummary option, else compact. Default: 'auto', or 'disabled' when quiet.
   */
  summaryMode?: SummaryMode | 'auto';
  /** k6's --log-output: 'stderr' (default), 'stdout', 'none' or 'file=PATH'. */
  logOutput?: string;
  /** k6's --verbose: debug logs (console.debug) are shown. */
  verbose?: boolean;
  /** k6's --no-color (summary data's options.noColor; no colours in the summary). */
  noColor?: boolean;
  /** The options of k6's config file (`-c/--config`): the lowest layer, below the script's. */
  configOptions?: Options;
  /** Problems found before the run (e.g. refused CLI flags): the run ends with exit 104 naming them. */
  configProblems?: string[];
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

/** systemTags: the system tags not listed are taken off every sample (the run's own tags stay). Null: nothing to take off. */
function systemTagsFilter(enabled: readonly string[] | undefined, runTags: Record<string, string>): ((tags: Tags) => Tags) | null {
  if (enabled === undefined || enabled === null) return null;
  const removed = [...SYSTEM_TAGS].filter((tag) => !enabled.includes(tag) && !(tag in runTags));
  if (removed.length === 0) return null;
  const filtered = new WeakMap<Tags, Tags>();
  const filter = (tags: Tags): Tags => {
    let result = filtered.get(tags);
    if (!result) {
      const copy: Record<string, string> = { ...tags };
      for (const tag of removed) delete copy[tag];
      result = Object.freeze(copy);
      filtered.set(tags, result);
    }
    return result;
  };
  return filter;
}

/** k6's --log-output destinations. */
function logOutputSink(spec: string, stdout: TextStream, stderr: TextStream): { write(text: string): void; problem?: string } {
  if (spec === 'stderr' || spec === '') return { write: (text) => stderr.write(text) };
  if (spec === 'stdout') return { write: (text) => stdout.write(text) };
  if (spec === 'none') return { write: () => {} };
  if (spec.startsWith('file')) {
    const file = spec.startsWith('file=') ? spec.slice(5) : 'loadlab.log';
    try {
      const fd = openSync(path.resolve(file), 'a');
      return { write: (text) => writeSync(fd, text) };
    } catch (error) {
      return { write: (text) => stderr.write(text), problem: `--log-output ${spec}: ${(error as Error).message}` };
    }
  }
  return {
    write: (text) => stderr.write(text),
    problem: `--log-output ${spec} is not supported by the embedded engine (use stderr, stdout, none or file=PATH)`,
  };
}

const envList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function defaultRunId(script: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${path.basename(script).replace(/\.[cm]?[jt]s$/, '')}-${Math.random().toString(36).slice(2, 6)}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScriptError(`${what} execution timed out after ${ms / 1000} seconds`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** After an abort (Ctrl-C, test.abort, abortOnFail), how long VUs get before their thread is ended. */
const ABORT_GRACE_MS = 1500;
/** How long after the last scenario's end (duration + gracefulStop) a thread still running is ended. */
const HARD_STOP_MARGIN_MS = 1000;

/** setup()/teardown() or the VUs' start failed: the message is logged and the run ends with its code. */
class LifecycleError extends LoadlabError {
  override name = 'LifecycleError';
}

export async function runTest(options: RunTestOptions): Promise<RunTestResult> {
  const startTime = new Date();
  const quiet = options.quiet === true;
  const systemEnv = options.systemEnv ?? process.env;
  const trustEnv = trustEnvOf(systemEnv);
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const logSink = logOutputSink(options.logOutput ?? systemEnv.K6_LOG_OUTPUT ?? 'stderr', stdout, stderr);
  const writeErr = (line: string) => logSink.write(`${line}\n`);
  // consoleOutput is an option: known after the init context ran, so the console's sink is set then.
  let writeConsole = writeErr;
  const logger = consoleAwareLogger((line, fromConsole) => (fromConsole ? writeConsole(line) : writeErr(line)), options.verbose !== true);
  const runId = options.runId ?? defaultRunId(options.script);
  const runDir = path.join(options.resultsRoot ?? 'results', runId);
  const cliEnv = options.env ?? {};
  const includeSystemEnv = options.includeSystemEnv ?? !/^(false|0)$/.test(systemEnv.K6_INCLUDE_SYSTEM_ENV_VARS ?? '');
  // k6 run includes the system environment in __ENV by default; -e wins.
  const scriptEnv: Record<string, string> = { ...(includeSystemEnv ? (systemEnv as Record<string, string>) : {}), ...cliEnv };
  const early = (exitCode: number, message: string): RunTestResult => {
    writeErr(message);
    return { exitCode, runDir, summary: EMPTY_SUMMARY(Date.now() - startTime.getTime()) };
  };
  if (logSink.problem) return early(EXIT.invalidConfig, `ERRO ${logSink.problem}`);
  if (options.configProblems?.length)
    return early(EXIT.invalidConfig, `ERRO invalid configuration:\n${options.configProblems.map((p) => `  - ${p}`).join('\n')}`);
  const badRunId = runIdProblem(options.resultsRoot ?? 'results', runId);
  if (badRunId !== null) return early(EXIT.invalidConfig, `ERRO ${badRunId}`);

  // Init: bundle once, evaluate the init context once for options (k6's first VU).
  let bundle: ScriptBundle;
  try {
    bundle = await bundleScript(options.script);
  } catch (error) {
    // k6 v1 exits 255 when the script does not compile, 107 for what fails when it is loaded (an unknown module …).
    const message = (error as Error).message;
    const loadError = /unsupported module|synchronous style/.test(message);
    return early(loadError ? EXIT.scriptException : EXIT.generic, `ERRO script error: ${message}`);
  }
  let abortReason: string | null = null;
  let parts: ExecutionPart[] = [];
  // A VU stuck in synchronous code cannot see the abort: its thread is ended soon after.
  let killTimer: NodeJS.Timeout | null = null;
  const running = new Set<ExecutionPart>();
  const abortAll = () => {
    for (const part of parts) part.abort();
    killTimer ??= setTimeout(() => {
      for (const part of running) void part.kill();
    }, ABORT_GRACE_MS);
  };
  const onScriptAbort = (reason: string) => {
    if (abortReason === null) abortReason = reason;
    abortAll();
  };

  let deliver: (batch: SampleContainer[]) => void = () => {};
  const mainSink = new BatchingSink((batch) => deliver(batch));
  const main = new ThreadExecution({
    bundle,
    segment: WHOLE,
    env: scriptEnv,
    runTags: {},
    sink: mainSink,
    logger,
    allowRemoteTargets: options.allowRemoteTargets === true,
    trustEnv,
    onAbort: onScriptAbort,
  });
  let lifecycleVU: VU;
  try {
    lifecycleVU = main.createVU(0, 0);
    main.instance.vusInitialized--;
  } catch (error) {
    if (error instanceof TestAbortError) return early(EXIT.scriptAborted, `ERRO ${error.message} (in the init context)`);
    return early(EXIT.scriptException, `ERRO the script's init context threw:\n${main.stack.describe(error)}`);
  }

  // Options: config file < script < K6_* environment < CLI.
  const scriptOptions = (lifecycleVU.exports.options as Options) ?? {};
  const unknown = unknownOptionKeys(scriptOptions);
  if (unknown.length > 0)
    logger.log(
      'warn',
      `There were unknown fields in the options exported in the script: ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  const layers = [
    ['config', options.configOptions ?? {}],
    ['script', scriptOptions],
    ['env', optionsFromEnv(systemEnv)],
    ['cli', options.optionOverrides ?? {}],
  ] as const;
  const merged = mergeOptions(...layers.map(([, layer]) => layer));
  for (const level of scenarioOverridingLevels(layers))
    logger.log('warn', `"${level}" level configuration overrode scenarios configuration entirely`);
  const problems = [...runVariableProblems(systemEnv), ...validateOptions(merged)];
  if (problems.length > 0) return early(EXIT.invalidConfig, `ERRO invalid options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const scenarios: Scenario[] = scenariosOf(merged);
  if (typeof merged.consoleOutput === 'string' && merged.consoleOutput !== '') {
    try {
      const file = openSync(path.resolve(merged.consoleOutput), 'a');
      writeConsole = (line) => writeSync(file, `${line}\n`);
    } catch (error) {
      return early(EXIT.invalidConfig, `ERRO consoleOutput: cannot open ${merged.consoleOutput}: ${(error as Error).message}`);
    }
  }
  prepareConnections(scenarios, merged, (level, message) => logger.log(level, message));
  for (const s of scenarios) {
    if (typeof lifecycleVU.exports[s.exec] !== 'function') {
      return early(
        EXIT.invalidConfig,
        `ERRO invalid options: scenario "${s.name}" executes "${s.exec}", which the script does not export as a function`,
      );
    }
  }
  // As k6: --tag replaces the script's options.tags as a whole (a flag overrides an option), it does not merge into them.
  const cliTags = options.tags !== undefined && Object.keys(options.tags).length > 0 ? options.tags : undefined;
  const runTags: Record<string, string> = { ...(cliTags ?? (merged.tags as Record<string, string>) ?? {}) };
  const noThresholds = options.noThresholds === true || merged.noThresholds === true;
  main.configure(merged, runTags);
  lifecycleVU.setTags({ ...runTags });

  const requestedMode = options.summaryMode ?? (quiet ? 'disabled' : 'auto');
  const summaryMode: SummaryMode =
    requestedMode !== 'auto'
      ? requestedMode
      : ((merged.summaryMode as SummaryMode | undefined) ?? (merged.noSummary === true ? 'disabled' : 'compact'));
  // The text summary lists checks in the order they ran; full mode's scenario and group blocks need the samples by scenario and group.
  const breakdown = summaryMode === 'full' || summaryMode === 'compact' ? new SummaryBreakdown(summaryMode === 'full') : undefined;
  let aggregator: Aggregator;
  let outputs: Output[];
  try {
    aggregator = new Aggregator({ thresholds: merged.thresholds, noThresholds, registry: main.registry });
    outputs = [
      createResultsDirOutput({ runDir, log: (m) => logger.log('warn', m) }),
      ...createOutputs(options.out?.length ? options.out : envList(systemEnv.K6_OUT), {
        env: systemEnv,
        runTags,
        runDir,
        allowRemoteTargets: options.allowRemoteTargets === true,
        log: (m) => logger.log('warn', m),
        print: (line) => stderr.write(`${line}\n`),
        stdout,
        scriptOptions: merged,
        serviceMetrics: options.serviceMetrics,
      }),
      ...(options.outputFactories ?? []).map((create) =>
        create({
          argument: '',
          env: systemEnv,
          runTags,
          runDir,
          allowRemoteTargets: options.allowRemoteTargets === true,
          log: (m) => logger.log('warn', m),
          stdout,
          scriptOptions: merged,
        }),
      ),
      ...(options.outputs ?? []),
      ...(breakdown ? [breakdown] : []),
    ];
  } catch (error) {
    return early(EXIT.invalidConfig, `ERRO invalid configuration: ${(error as Error).message}`);
  }
  await mkdir(runDir, { recursive: true });

  const tally = new RequestTally();
  const withSystemTags = systemTagsFilter(merged.systemTags as string[] | undefined, runTags);
  // The metrics engine, the results folder, the summary's breakdown and the tally take folded series;
  // outputs that need every sample get them. With none of those, the workers fold their own samples.
  const digestConsumers: DigestConsumer[] = [aggregator, tally, ...outputs.filter(isDigestConsumer)];
  const sampleOutputs = outputs.filter((output) => !isDigestConsumer(output));
  const consume = (entries: readonly DigestEntry[]) => {
    for (const consumer of digestConsumers) consumer.addDigest(entries);
  };
  const deliverDigest = (entries: readonly DigestEntry[]) =>
    consume(withSystemTags ? entries.map((entry) => ({ ...entry, tags: withSystemTags(entry.tags) })) : entries);
  deliver = (batch) => {
    if (withSystemTags) batch = batch.map((container) => ({ ...container, tags: withSystemTags(container.tags) }));
    for (const output of sampleOutputs) output.addMetricSamples(batch);
    consume(foldSamples(batch));
  };
  try {
    for (const output of outputs) await output.start();
  } catch (error) {
    await Promise.allSettled(outputs.map((output) => output.stop(error as Error)));
    return early(EXIT.generic, `ERRO could not start an output: ${(error as Error).message}`);
  }
  mainSink.start();

  // The VUs: on this thread, or split between worker threads.
  const workers = Math.max(1, Math.floor(options.workers ?? os.availableParallelism()));
  const counters = createSharedCounters(scenarios.map((s) => s.name));
  parts =
    // VU code always runs on worker threads, even with --workers 1: a VU stuck in synchronous code
    // (while (true) {}) can then be ended at duration + gracefulStop, and the main thread stays free.
    Array.from(
      { length: workers },
      (_, index) =>
        new WorkerPart({
          bundle,
          segment: { index, count: workers, counters },
          env: scriptEnv,
          allowRemoteTargets: options.allowRemoteTargets === true,
          trustEnv,
          resolveMetric: (name, type, contains) => main.registry.get(name) ?? main.registry.add(name, type, contains),
          foldSamples: sampleOutputs.length === 0,
          onSamples: deliver,
          onDigest: deliverDigest,
          onLog: (line, fromConsole) => {
            if (!fromConsole) writeErr(line);
            else if (options.verbose === true || !line.startsWith('DEBU')) writeConsole(line);
          },
          onAbort: onScriptAbort,
        }),
    );

  const progress = new ProgressDisplay(stderr, !quiet);
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
    interruptLifecycle?.();
  };
  options.signal?.addEventListener('abort', onSignal, { once: true });

  const runLifecycle = async (name: 'setup' | 'teardown', arg: unknown, timeoutOption: unknown): Promise<unknown> => {
    const fn = lifecycleVU.exports[name];
    if (typeof fn !== 'function') return undefined;
    if (merged[name === 'setup' ? 'noSetup' : 'noTeardown'] === true) return undefined;
    const thread = parts.find((part): part is WorkerPart => part instanceof WorkerPart && part.alive);
    if (thread) return runLifecycleIn(thread, name, arg, timeoutOption);
    lifecycleVU.groupPath = `::${name}`;
    lifecycleVU.iter = 0;
    try {
      const timeoutMs = timeoutOption === undefined ? 60_000 : parseDuration(timeoutOption as string);
      const result = await withTimeout(
        Promise.resolve().then(() => (fn as (d: unknown) => unknown)(arg)),
        timeoutMs,
        `${name}()`,
      );
      return result;
    } catch (error) {
      if (error instanceof TestAbortError) throw new LifecycleError(EXIT.scriptAborted, `ERRO ${error.message} (in ${name}())`);
      const timedOut = error instanceof ScriptError && error.message.includes('timed out');
      throw new LifecycleError(
        timedOut ? (name === 'setup' ? EXIT.setupTimeout : EXIT.teardownTimeout) : EXIT.scriptException,
        `ERRO ${name}() failed:\n${main.stack.describe(error)}`,
      );
    } finally {
      // The data counters of setup()/teardown() carry their group, as k6's do.
      lifecycleVU.emitData(Date.now(), true);
      lifecycleVU.groupPath = '';
    }
  };

  // setup() during Ctrl-C: stop waiting for it (k6 exits at once and runs no teardown).
  let interruptLifecycle: (() => void) | null = null;
  /** setup()/teardown() on a worker thread: a synchronous busy one still times out, and a Ctrl-C ends setup(). */
  const runLifecycleIn = async (thread: WorkerPart, name: 'setup' | 'teardown', arg: unknown, timeoutOption: unknown): Promise<unknown> => {
    const timeoutMs = timeoutOption === undefined || timeoutOption === null ? 60_000 : parseDuration(timeoutOption as string);
    let timer: NodeJS.Timeout | undefined;
    const stop = new Promise<'timeout' | 'interrupted'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      if (name === 'setup') interruptLifecycle = () => resolve('interrupted');
    });
    const outcome = await Promise.race([thread.lifecycle(name, arg).catch(() => ({ kind: 'killed' as const })), stop]);
    clearTimeout(timer);
    interruptLifecycle = null;
    if (outcome === 'timeout' || outcome === 'interrupted') {
      await thread.kill();
      if (outcome === 'interrupted')
        throw new LifecycleError(EXIT.externalAbort, "ERRO test run was aborted because k6 received a 'interrupt' signal");
      throw new LifecycleError(
        name === 'setup' ? EXIT.setupTimeout : EXIT.teardownTimeout,
        `ERRO ${name}() execution timed out after ${timeoutMs / 1000} seconds`,
      );
    }
    switch (outcome.kind) {
      case 'ok':
        return outcome.json === undefined ? undefined : JSON.parse(outcome.json);
      case 'missing':
        return undefined;
      case 'aborted':
        throw new LifecycleError(EXIT.scriptAborted, `ERRO ${outcome.message} (in ${name}())`);
      case 'error':
        throw new LifecycleError(EXIT.scriptException, `ERRO ${name}() failed:\n${outcome.text}`);
      default:
        throw new LifecycleError(EXIT.scriptException, `ERRO ${name}() did not finish: its worker thread ended`);
    }
  };

  let setupDataForSummary: unknown;
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
    progress.render(
      mergedStats(),
      tally,
      {
        elapsedMs: testStart ? Date.now() - testStart : 0,
        requests: tally.total,
        failed: tally.failed,
        p95Ms: duration && !duration.isEmpty() ? duration.percentile(95) : null,
        vusActive: all.reduce((n, s) => n + s.vusActive, 0),
        vusMax: all.reduce((n, s) => n + s.vusMax, 0),
      },
      final,
    );
  };

  try {
    try {
      await Promise.all(parts.map((part) => part.prepare(JSON.parse(JSON.stringify(merged)), runTags, scenarios)));
    } catch (error) {
      throw new LifecycleError(
        EXIT.scriptException,
        `ERRO initialising VUs failed:\n${error instanceof ScriptError ? error.message : main.stack.describe(error)}`,
      );
    }
    if (options.signal?.aborted) onSignal();
    if (!quiet)
      writeErr(
        describeExecution(
          scenarios,
          workers,
          options.script,
          outputs.filter((output) => output !== breakdown),
        ),
      );

    const setupResult = interrupted ? undefined : await runLifecycle('setup', undefined, merged.setupTimeout);
    const setupData = setupResult === undefined ? undefined : JSON.parse(JSON.stringify(setupResult));
    setupDataForSummary = setupData;

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
          logger.log(
            'error',
            `thresholds on metrics '${result.breached.join("', '")}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`,
          );
          abortAll();
        }
      }, 2000);
      // Workers start on a shared clock a little ahead, so that they begin together.
      const startAt = Date.now() + 50;
      const hardStop = setTimeout(
        () => {
          if (running.size > 0)
            logger.log(
              'warn',
              'VU code is still running past the end of the test (duration + gracefulStop): its worker threads are stopped',
            );
          for (const part of running) void part.kill();
        },
        startAt - Date.now() + Math.max(...scenarios.map(scenarioEndMs)) + HARD_STOP_MARGIN_MS,
      );
      await Promise.all(
        parts.map(async (part) => {
          running.add(part);
          try {
            await part.run(setupData, startAt);
          } finally {
            running.delete(part);
          }
        }),
      );
      clearTimeout(hardStop);
    }
    clearInterval(gaugeTimer ?? undefined);
    clearInterval(renderTimer ?? undefined);
    clearInterval(thresholdTimer ?? undefined);
    mainSink.flush();
    renderProgress(true);

    if (!(abortReason !== null && lifecycleVU.exports.teardown === undefined)) {
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
    clearTimeout(killTimer ?? undefined);
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
    noColor: options.noColor === true,
    isStdOutTTY: stdout.isTTY === true,
    isStdErrTTY: stderr.isTTY === true,
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
  // As k6: a summary file that cannot be written is logged; the run keeps its result and exit code.
  const summaryProblems: string[] = [];
  if (summaryExport) {
    try {
      await writeFile(summaryExport, toSummaryExport(summary));
    } catch (error) {
      summaryProblems.push(`could not open '${summaryExport}': ${(error as Error).message}`);
    }
  }
  summaryProblems.push(
    ...(await handleSummary(
      lifecycleVU,
      summary,
      setupDataForSummary,
      summaryMode,
      options.noColor !== true && stdout.isTTY === true,
      main.stack.describe.bind(main.stack),
      writeErr,
      { stdout, stderr },
      breakdown,
    )),
  );
  if (summaryProblems.length > 0)
    writeErr(
      `ERRO failed to handle the end-of-test summary: Could not save some summary information:\n${summaryProblems.map((p) => `\t- ${p}`).join('\n')}`,
    );
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

/** Runs handleSummary (or prints the default summary); returns the outputs it could not write. */
async function handleSummary(
  vu: VU,
  summary: SummaryData,
  setupData: unknown,
  mode: SummaryMode,
  colors: boolean,
  describe: (e: unknown) => string,
  writeErr: (l: string) => void,
  streams: { stdout: TextStream; stderr: TextStream },
  breakdown?: SummaryBreakdown,
): Promise<string[]> {
  const fn = vu.exports.handleSummary;
  const printDefault = () => {
    if (mode !== 'disabled') streams.stdout.write(renderEndOfTestSummary(summary, mode, colors, breakdown));
  };
  // As k6: --summary-mode=disabled also skips handleSummary.
  if (typeof fn !== 'function' || mode === 'disabled') {
    printDefault();
    return [];
  }
  let result: unknown;
  try {
    // k6 v1 hands handleSummary setup()'s data too.
    result = await (fn as (d: unknown) => unknown)({
      ...structuredClone(summary),
      setup_data: setupData === undefined ? undefined : structuredClone(setupData),
    });
  } catch (error) {
    writeErr(`ERRO handleSummary() failed; the default summary follows:\n${describe(error)}`);
    printDefault();
    return [];
  }
  if (!result || typeof result !== 'object') return [];
  const problems: string[] = [];
  for (const [target, content] of Object.entries(result as Record<string, unknown>)) {
    const data = typeof content === 'string' ? content : content instanceof ArrayBuffer ? Buffer.from(content) : JSON.stringify(content);
    if (target === 'stdout') streams.stdout.write(data);
    else if (target === 'stderr') streams.stderr.write(data);
    else {
      try {
        await mkdir(path.dirname(path.resolve(target)), { recursive: true });
        await writeFile(target, data);
      } catch (error) {
        problems.push(`could not open '${target}': ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

/**
 * The header k6 prints before a run: execution, script, output and the scenarios (sorted by start
 * time, then name) with the most VUs they can need at once and the longest the test can last.
 */
function describeExecution(scenarios: Scenario[], workers: number, script: string, outputs: readonly Output[]): string {
  const sorted = [...scenarios].sort((a, b) => a.startTimeMs - b.startTimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const maxDurationMs = Math.max(0, ...scenarios.map(scenarioEndMs));
  const label = (name: string) => `${name}:`.padStart(15);
  const count = scenarios.length;
  return [
    `${label('execution')} local (embedded engine, ${workers} worker${workers === 1 ? '' : 's'})`,
    `${label('script')} ${script}`,
    `${label('output')} ${outputs.map((output) => output.description).join(', ') || '-'}`,
    '',
    `${label('scenarios')} (100.00%) ${count} scenario${count === 1 ? '' : 's'}, ${maxConcurrentVUs(scenarios)} max VUs, ${goDuration(maxDurationMs)} max duration (incl. graceful stop):`,
    ...sorted.map((scenario) => `${' '.repeat(14)}* ${describeScenario(scenario)}`),
  ].join('\n');
}

/** k6's "max VUs": the most VUs the scenarios can hold at the same moment, each over its start … end (grace included). */
function maxConcurrentVUs(scenarios: Scenario[]): number {
  const edges = scenarios.flatMap((scenario) => [
    { at: scenario.startTimeMs, vus: scenarioMaxVUs(scenario) },
    { at: scenarioEndMs(scenario), vus: -scenarioMaxVUs(scenario) },
  ]);
  edges.sort((a, b) => a.at - b.at || a.vus - b.vus);
  let current = 0;
  let most = 0;
  for (const edge of edges) {
    current += edge.vus;
    most = Math.max(most, current);
  }
  return most;
}
