// What every executor needs: VUs for its scenario, running one iteration on a VU with k6's
// iteration metrics, and the stop sequence (duration → gracefulStop → interrupt).
import { BUILTIN_METRICS } from '../metrics/builtin.ts';
import type { Tags } from '../metrics/types.ts';
import { parseDuration } from '../options/duration.ts';
import type { Scenario } from '../options/scenarios.ts';
import { TestAbortError } from '../script/errors.ts';
import type { SampleSink } from '../runtime/sink.ts';
import type { ThreadContext } from '../runtime/thread.ts';
import type { ScenarioInfo, VU } from '../runtime/vu.ts';
import { type ExecutionSegment, ScenarioCounter } from './segment.ts';
import type { VUPool } from './vu-pool.ts';

export interface ScenarioStats {
  name: string;
  executor: string;
  activeVUs: number;
  maxVUs: number;
  iterations: number;
  interrupted: number;
  dropped: number;
  /** 0..1 */
  progress: number;
  done: boolean;
}

/** The run-wide stop (Ctrl-C, test.abort, thresholds abortOnFail). */
export class StopSignal {
  stopped = false;
  /** exec.test.abort() was called in this thread: no new iteration starts, running ones go on until the abort arrives. */
  draining = false;
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  private readonly waiters: (() => void)[] = [];

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Ends every pending sleep (the run is over; nothing may keep the process alive). */
  wakeAll(): void {
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
  }

  wait(): Promise<void> {
    return this.stopped ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves after `ms`, or at once when the run stops. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.sleepers.delete(timer);
          resolve();
        },
        Math.max(0, ms),
      );
      this.sleepers.set(timer, resolve);
    });
  }
}

const ERRORS_SHOWN_PER_MESSAGE = 5;
/** VUs started between two turns of the event loop (startVUs); 32, 128 and 256 measured the same at 16,667 VUs, 1,024 and 4,096 worse. */
const START_BATCH = 256;

/** The numbers of a VU's current iteration in its scenario (k6/execution reads them). */
export interface IterationNumbers {
  /** This VU's iterations in this scenario so far, from 0 (exec.vu.iterationInScenario). */
  ofVU: number;
  /** The scenario-wide number, unique across threads (exec.scenario.iterationInTest / InInstance). */
  inScenario: number;
}

const currentIteration = new WeakMap<VU, IterationNumbers>();
const vuData = new WeakMap<VU, { of: unknown; value: unknown }>();

export function iterationNumbersOf(vu: VU): IterationNumbers {
  return currentIteration.get(vu) ?? { ofVU: -1, inScenario: -1 };
}

export class ScenarioRun implements ScenarioInfo {
  readonly name: string;
  readonly executor: string;
  startTime = 0;
  iterationsStarted = 0;
  readonly stride: number;
  readonly offset: number;
  /** No new iterations (duration over, or the run is stopping). */
  stopping = false;
  done = false;
  activeVUs = 0;
  iterations = 0;
  interrupted = 0;
  dropped = 0;
  /** The most VUs this scenario may use in this thread (shown in the progress). */
  maxVUs = 0;
  progressOf: (elapsedMs: number) => number = () => 0;
  private readonly active = new Set<VU>();
  private readonly minIterationMs: number;
  /** Scenario-wide iteration numbers, shared by the threads. */
  readonly counter: ScenarioCounter;
  /** Iterations each VU ran in this scenario (a VU keeps its count when re-activated, as in k6). */
  private readonly perVU = new WeakMap<VU, number>();
  private readonly droppedTags: Tags;
  private startedAt = 0;

  constructor(
    readonly scenario: Scenario,
    readonly segment: ExecutionSegment,
    private readonly pool: VUPool,
    private readonly thread: ThreadContext,
    readonly stop: StopSignal,
    private readonly data: () => unknown,
    private readonly errorCounts: Map<string, number>,
    private readonly sink: SampleSink,
  ) {
    this.name = scenario.name;
    this.executor = scenario.executor;
    this.stride = segment.count;
    this.offset = segment.index;
    this.counter = new ScenarioCounter(segment, scenario.name);
    const minimum = thread.options.minIterationDuration;
    this.minIterationMs = minimum === undefined || minimum === null ? 0 : parseDuration(minimum as string);
    // As k6: the run's tags (options.tags and --tag, e.g. testid), the scenario's, and its name.
    this.droppedTags = { ...thread.runTags, ...scenario.tags, scenario: scenario.name };
  }

  begin(): void {
    this.startedAt = performance.now();
    this.startTime = Date.now();
  }

  /** Milliseconds since this scenario started. */
  elapsed(): number {
    return performance.now() - this.startedAt;
  }

  progress(): number {
    return this.done ? 1 : Math.min(1, Math.max(0, this.progressOf(this.elapsed())));
  }

  stats(): ScenarioStats {
    return {
      name: this.name,
      executor: this.executor,
      activeVUs: this.activeVUs,
      maxVUs: this.maxVUs,
      iterations: this.iterations,
      interrupted: this.interrupted,
      dropped: this.dropped,
      progress: this.progress(),
      done: this.done,
    };
  }

  get stopped(): boolean {
    return this.stopping || this.stop.stopped || this.stop.draining;
  }

  activate(): VU {
    const vu = this.pool.acquire();
    vu.activate(this, this.scenario.tags, this.scenario.env);
    // __ITER and exec.vu.iterationInInstance start again from 0 with each activation, as k6's VU.Activate.
    vu.iter = -1;
    if (typeof vu.exports[this.scenario.exec] !== 'function') {
      this.pool.release(vu);
      throw new Error(`scenario "${this.name}": the script exports no function "${this.scenario.exec}" (exec)`);
    }
    this.active.add(vu);
    this.activeVUs++;
    this.thread.instance.vusActive++;
    return vu;
  }

  /**
   * Activates `count` VUs at once (the scenario holds all of them from the start, as k6's executors
   * do), then starts `loop` on each. Thousands of VUs started in one synchronous run would hold every
   * first request (its connection, its write) until the last VU had started, and then take all the
   * responses as one burst; that wave comes back every iteration, so each VU waits for the whole wave
   * again. Every START_BATCH starts the thread takes its I/O instead, so the first VUs' requests
   * complete while the others start, as k6's VUs run as soon as each is spawned.
   */
  async startVUs(count: number, loop: (vu: VU) => Promise<void>): Promise<Promise<void>[]> {
    const vus = Array.from({ length: count }, () => this.activate());
    const loops: Promise<void>[] = [];
    for (let i = 0; i < vus.length; i++) {
      if (i > 0 && i % START_BATCH === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      loops.push(loop(vus[i]));
    }
    return loops;
  }

  release(vu: VU): void {
    if (!this.active.delete(vu)) return;
    this.activeVUs--;
    this.thread.instance.vusActive--;
    this.pool.release(vu);
  }

  /** Gives up on a VU whose iteration outlived its grace period: its later samples are dropped. */
  interrupt(vu: VU): void {
    if (!this.active.has(vu)) return;
    vu.emitInterruptedIteration(Date.now());
    vu.interrupted = true;
    this.interrupted++;
    this.thread.instance.iterationsInterrupted++;
    this.release(vu);
  }

  interruptAll(): void {
    for (const vu of [...this.active]) this.interrupt(vu);
  }

  /**
   * One iteration of the scenario's exec function on `vu`; never rejects. `number` is its
   * scenario-wide number when the executor drew it already (shared-iterations, arrival rates).
   */
  async iterate(vu: VU, number = this.counter.next()): Promise<void> {
    const fn = vu.exports[this.scenario.exec] as (data: unknown) => unknown;
    vu.iter++;
    const ofVU = this.perVU.get(vu) ?? 0;
    this.perVU.set(vu, ofVU + 1);
    currentIteration.set(vu, { ofVU, inScenario: number });
    vu.iterationInScenario = ofVU;
    this.iterationsStarted++;
    vu.groupPath = '';
    const start = performance.now();
    try {
      const result = fn(this.dataFor(vu));
      if (result instanceof Promise) await result;
    } catch (error) {
      if (!(error instanceof TestAbortError) && !vu.interrupted) this.reportException(error);
    }
    if (vu.interrupted) return;
    vu.groupPath = '';
    const duration = performance.now() - start;
    vu.emitIteration(duration, Date.now());
    this.iterations++;
    this.thread.instance.iterationsCompleted++;
    // minIterationDuration pads the iteration after its metrics, as k6 does (iteration_duration excludes the wait).
    if (this.minIterationMs > duration && !this.stopped) await this.sleep(this.minIterationMs - duration);
  }

  /** Each VU gets its own copy of the setup data, as in k6 (a VU's changes stay its own). */
  private dataFor(vu: VU): unknown {
    const data = this.data();
    if (data === undefined || data === null || typeof data !== 'object') return data;
    let copy = vuData.get(vu);
    if (copy === undefined || copy.of !== data) {
      copy = { of: data, value: structuredClone(data) };
      vuData.set(vu, copy);
    }
    return copy.value;
  }

  emitDropped(count = 1): void {
    this.dropped += count;
    this.sink.push({ time: Date.now(), tags: this.droppedTags, samples: [{ metric: BUILTIN_METRICS.dropped_iterations, value: count }] });
  }

  private reportException(error: unknown): void {
    const text = this.thread.stack.describe(error);
    const key = text.split('\n', 2).join('\n');
    const seen = (this.errorCounts.get(key) ?? 0) + 1;
    this.errorCounts.set(key, seen);
    if (seen <= ERRORS_SHOWN_PER_MESSAGE) {
      this.thread.logger.log('error', text, { executor: this.executor, scenario: this.name, source: 'stacktrace' });
    } else if (seen === ERRORS_SHOWN_PER_MESSAGE + 1) {
      this.thread.logger.log('error', `the error above keeps happening; further occurrences are not shown`, { scenario: this.name });
    }
  }

  /** Resolves after `ms`, or earlier when the run stops. */
  sleep(ms: number): Promise<void> {
    return this.stop.sleep(ms);
  }

  /**
   * k6's end of a scenario: wait for `work` until `endMs` after the scenario start, then stop
   * starting iterations and give running ones gracefulStop, then interrupt what is left.
   */
  async finish(work: Promise<unknown>, endMs: number): Promise<void> {
    let finished = false;
    const tracked = work.then(() => {
      finished = true;
    });
    await Promise.race([tracked, this.sleep(endMs - this.elapsed())]);
    if (!finished) {
      this.stopping = true;
      if (!this.stop.stopped) await Promise.race([tracked, this.sleep(this.scenario.gracefulStopMs)]);
      if (!finished) this.interruptAll();
    }
    this.done = true;
  }
}
