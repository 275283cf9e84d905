// The VU side of a run in one thread (the main thread, or one worker): the script's per-VU
// factory, the VU pool, and the scenarios of this thread's execution segment.
import { EXECUTOR_IMPLEMENTATIONS } from '../executors/index.ts';
import { type ScenarioStats, ScenarioRun, StopSignal } from '../executors/scenario-run.ts';
import type { ExecutionSegment } from '../executors/segment.ts';
import { share } from '../executors/segment.ts';
import { VUPool } from '../executors/vu-pool.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import type { Options } from '../options/config.ts';
import { type Scenario, scenarioInitialVUs } from '../options/scenarios.ts';
import { type CompiledScript, compileScript, type ScriptBundle } from '../script/bundle.ts';
import { createScriptGlobals, type ScriptGlobals } from './modules.ts';
import type { SampleSink } from './sink.ts';
import type { InstanceCounters, Logger, ThreadContext } from './thread.ts';
import { VU } from './vu.ts';

export interface ThreadExecutionParams {
  bundle: ScriptBundle;
  segment: ExecutionSegment;
  env: Record<string, string>;
  runTags: Record<string, string>;
  sink: SampleSink;
  logger: Logger;
  allowRemoteTargets: boolean;
  /** exec.test.abort() in this thread. */
  onAbort: (reason: string) => void;
}

export class ThreadExecution implements ThreadContext {
  readonly scriptPath: string;
  readonly compiled: CompiledScript;
  readonly registry = new MetricRegistry();
  options: Options = {};
  readonly logger: Logger;
  readonly allowRemoteTargets: boolean;
  readonly instance: InstanceCounters = { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, testStartTime: 0 };
  readonly stop = new StopSignal();
  readonly runs: ScenarioRun[] = [];
  private readonly globals: ScriptGlobals;
  private readonly pool: VUPool;
  private readonly errorCounts = new Map<string, number>();
  private setupData: unknown;

  constructor(private readonly params: ThreadExecutionParams) {
    this.compiled = compileScript(params.bundle);
    this.scriptPath = params.bundle.scriptPath;
    this.logger = params.logger;
    this.allowRemoteTargets = params.allowRemoteTargets;
    this.globals = createScriptGlobals(this);
    this.pool = new VUPool((idInInstance, idInTest) => this.createVU(idInInstance, idInTest), params.segment);
  }

  get stack() {
    return this.compiled.stack;
  }

  abortTest(reason: string): void {
    this.params.onAbort(reason);
  }

  /** Evaluates the script for a new VU (its init context). Throws what the script throws. */
  createVU(idInInstance: number, idInTest: number): VU {
    const vu = new VU(idInInstance, idInTest, this.params.env, this.params.runTags, this.params.sink);
    const module = { exports: {} as Record<string, unknown> };
    this.globals.initContext.active = true;
    try {
      this.compiled.factory(vu, this.globals.modules, this.globals.open, this.globals.console, module);
    } finally {
      this.globals.initContext.active = false;
    }
    vu.exports = { ...module.exports };
    vu.inInitContext = false;
    this.instance.vusInitialized++;
    return vu;
  }

  /** The tags every sample of the run carries (options.tags and --tag), known after options merge. */
  configure(options: Options, runTags: Record<string, string>): void {
    this.options = options;
    Object.assign(this.params.runTags, runTags);
  }

  get stats(): ScenarioStats[] {
    return this.runs.map((run) => run.stats());
  }

  get vusMax(): number {
    return this.pool.initialized;
  }

  /** Initialises this thread's share of the VUs every scenario needs at its start. */
  prepare(scenarios: Scenario[]): void {
    const needed = scenarios.reduce((sum, s) => sum + share(scenarioInitialVUs(s), this.params.segment), 0);
    this.pool.preallocate(needed);
    for (const scenario of scenarios) {
      this.runs.push(new ScenarioRun(scenario, this.params.segment, this.pool, this, this.stop, () => this.setupData, this.errorCounts, this.params.sink));
    }
  }

  /** Runs every scenario from `startAt` (epoch ms, shared by all threads); resolves when all are done. */
  async run(setupData: unknown, startAt: number): Promise<void> {
    this.setupData = setupData;
    this.instance.testStartTime = startAt;
    await Promise.all(
      this.runs.map(async (run) => {
        const delay = startAt + run.scenario.startTimeMs - Date.now();
        if (delay > 0) await this.stop.sleep(delay);
        if (this.stop.stopped) {
          run.done = true;
          return;
        }
        run.begin();
        await EXECUTOR_IMPLEMENTATIONS[run.scenario.executor](run);
      }),
    );
    this.stop.wakeAll();
  }

  /** Ctrl-C, test.abort(), abortOnFail: no new iterations, running ones interrupted. */
  abort(): void {
    this.stop.stop();
    for (const run of this.runs) run.interruptAll();
  }

  async close(): Promise<void> {
    await this.globals.modules.http.close();
  }
}
