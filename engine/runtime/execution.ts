// The VU side of a run in one thread (the main thread, or one worker): the script's per-VU
// factory, the VU pool, and the scenarios of this thread's execution segment.
import type { TrustEnv } from '../modules/http/tls.ts';
import { runScenario, scenarioInitialVUs } from '../executors/registry.ts';
import { type ScenarioStats, ScenarioRun, StopSignal } from '../executors/scenario-run.ts';
import type { ExecutionSegment } from '../executors/segment.ts';
import { share } from '../executors/segment.ts';
import { VUPool } from '../executors/vu-pool.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { type RequestRateLimiter, rpsLimiter } from '../modules/http/rps-limit.ts';
import type { Options } from '../options/config.ts';
import type { Scenario } from '../options/scenarios.ts';
import { type CompiledScript, compileScript, type ScriptBundle } from '../script/bundle.ts';
import { ScriptError } from '../script/errors.ts';
import { isThenable, ScriptRealm } from '../script/realm.ts';
import { createScriptGlobals, type ScriptGlobals } from './modules.ts';
import type { CallTracking } from './pending.ts';
import type { SampleSink } from './sink.ts';
import type { InstanceCounters, Logger, ThreadContext } from './thread.ts';
import { metadataTagsOf, VU } from './vu.ts';

export interface ThreadExecutionParams {
  bundle: ScriptBundle;
  segment: ExecutionSegment;
  env: Record<string, string>;
  runTags: Record<string, string>;
  sink: SampleSink;
  logger: Logger;
  allowRemoteTargets: boolean;
  trustEnv: TrustEnv;
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
  readonly trustEnv: TrustEnv;
  readonly instance: InstanceCounters = {
    iterationsCompleted: 0,
    iterationsInterrupted: 0,
    vusActive: 0,
    vusInitialized: 0,
    testStartTime: 0,
  };
  /** Set by prepare(), when the scenarios (and so this thread's part of the VUs) are known. */
  rpsLimiter: RequestRateLimiter | null = null;
  /** systemTags' vu/iter for the VUs made from now on (see VU.metadataTags). */
  private metadataTags = 0;
  readonly stop = new StopSignal();
  readonly runs: ScenarioRun[] = [];
  private readonly globals: ScriptGlobals;
  readonly realm = new ScriptRealm();
  private readonly tracking: CallTracking = { marks: this.realm.sequential.calls };
  private readonly pool: VUPool;
  private readonly errorCounts = new Map<string, number>();
  private setupData: unknown;

  constructor(private readonly params: ThreadExecutionParams) {
    this.scriptPath = params.bundle.scriptPath;
    this.logger = params.logger;
    this.allowRemoteTargets = params.allowRemoteTargets;
    this.trustEnv = params.trustEnv;
    this.globals = createScriptGlobals(this, this.realm, this.tracking);
    this.realm.install({ console: this.globals.console, open: this.globals.open });
    this.compiled = compileScript(params.bundle, this.realm);
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
    vu.metadataTags = this.metadataTags;
    const module = { exports: {} as Record<string, unknown> };
    this.globals.initContext.active = true;
    try {
      this.compiled.factory(vu, this.globals.modules, this.realm.sequential, module);
    } finally {
      this.globals.initContext.active = false;
    }
    const exports: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(module.exports))
      exports[name] = typeof value === 'function' ? this.engineEntry(vu, value as (data?: unknown) => unknown) : value;
    vu.exports = exports;
    vu.inInitContext = false;
    this.instance.vusInitialized++;
    return vu;
  }

  /**
   * An exported function as the engine calls it: its data copied into the realm (each VU gets its
   * own copy, as k6 gives each VU the JSON of setup()'s result), and, like k6, finished only when the
   * requests and sleeps it started are done. A blocking call left pending is a script error.
   */
  private engineEntry(vu: VU, fn: (data?: unknown) => unknown): (data?: unknown) => unknown {
    return (data?: unknown) => {
      let arg = data;
      if (data !== null && typeof data === 'object') {
        if (vu.scriptDataSource !== data) {
          vu.scriptData = this.realm.copyIn(data);
          vu.scriptDataSource = data;
        }
        arg = vu.scriptData;
      }
      const result = fn(arg);
      if (!isThenable(result) && (vu.calls === null || vu.calls.count === 0)) return result;
      return this.settle(vu, result);
    };
  }

  // Callbacks rather than `await`: the result is the realm's promise, which a host `await` takes
  // only through the slow thenable path (two more microtask turns per iteration).
  private settle(vu: VU, result: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const finish = (value: unknown, failure: { error: unknown } | null) => {
        const calls = vu.calls;
        if (calls === null || calls.count === 0) {
          if (failure !== null) reject(failure.error);
          else resolve(value);
          return;
        }
        const leaked = calls.blockingCount > 0 ? this.describeLeak(calls) : null;
        calls.idle().then(() => {
          if (failure !== null) reject(failure.error);
          else if (leaked !== null) reject(new ScriptError(leaked));
          else resolve(value);
        });
      };
      if (!isThenable(result)) finish(result, null);
      else {
        try {
          (result as PromiseLike<unknown>).then(
            (value) => finish(value, null),
            (error: unknown) => finish(undefined, { error }),
          );
        } catch (error) {
          finish(undefined, { error });
        }
      }
    });
  }

  private describeLeak(calls: NonNullable<VU['calls']>): string {
    const names = [...calls.blocking].map(([name, n]) => (n > 1 ? `${name}() ×${n}` : `${name}()`)).join(', ');
    const sites = [...calls.sites].map(
      (site) => `${site.name}() at ${this.stack.firstScriptPosition(site.trace.stack) ?? 'an unknown place'}`,
    );
    const where = sites.length > 0 ? `: ${[...new Set(sites)].join(', ')}` : '';
    return (
      `the function returned while ${names} it started had not finished${where}. In k6 these calls block until done; here the script went on without waiting ` +
      '(a call the synchronous-style transform could not see, e.g. through a computed property or a function stored in an array): add `await` before the call. ' +
      'The engine waited for it before going on'
    );
  }

  /** The tags every sample of the run carries (options.tags and --tag), known after options merge. */
  configure(options: Options, runTags: Record<string, string>): void {
    this.options = options;
    this.metadataTags = metadataTagsOf(options.systemTags);
    Object.assign(this.params.runTags, runTags);
  }

  get runTags(): Readonly<Record<string, string>> {
    return this.params.runTags;
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
    this.rpsLimiter = rpsLimiter(this.options, this.params.segment.counters?.rpsNextAt);
    for (const scenario of scenarios) {
      this.runs.push(
        new ScenarioRun(
          scenario,
          this.params.segment,
          this.pool,
          this,
          this.stop,
          () => this.setupData,
          this.errorCounts,
          this.params.sink,
        ),
      );
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
        await runScenario(run);
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
