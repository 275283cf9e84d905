// One worker thread as an ExecutionPart of the run.
import type { TrustEnv } from '../modules/http/tls.ts';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { ExecutionSegment } from '../executors/segment.ts';
import type { DigestEntry } from '../metrics/digest.ts';
import type { MetricDescriptor, MetricType, SampleContainer, ValueType } from '../metrics/types.ts';
import type { Options } from '../options/config.ts';
import type { Scenario } from '../options/scenarios.ts';
import type { ScriptBundle } from '../script/bundle.ts';
import { ScriptError } from '../script/errors.ts';
import type { ExecutionPart, PartStatus } from './parts.ts';
import { BatchDecoder } from './transport.ts';
import type { FromWorker, LifecycleOutcome, ToWorker, WorkerData } from './worker.ts';

export interface WorkerPartParams {
  bundle: ScriptBundle;
  segment: ExecutionSegment;
  env: Record<string, string>;
  allowRemoteTargets: boolean;
  trustEnv: TrustEnv;
  resolveMetric: (name: string, type: MetricType, contains: ValueType) => MetricDescriptor;
  /** The workers fold their samples (no output needs each one): they arrive as onDigest. */
  foldSamples: boolean;
  onSamples: (containers: SampleContainer[]) => void;
  onDigest: (entries: DigestEntry[]) => void;
  onLog: (line: string, fromConsole: boolean) => void;
  onAbort: (reason: string) => void;
}

/**
 * V8's heap settings for a run, set once before the first worker starts (isolates read them when
 * they are created; the growing factor applies at each major GC, in every isolate).
 *
 * Young generation: a VU thread allocates ~13 KB per request and keeps almost none of it. Run side
 * by side on one core (two engines at once against one target, 8 paired runs), a GET loop made 5 %
 * more requests with the semi-space limit set to 8 MB than with V8's worker default, and the same
 * at 16 or 32 MB (4 MB: 1.4 % less than 8). Thousands of VUs requesting at once are another matter:
 * each wave keeps its requests alive until the responses come, so a small young generation copies
 * them out again and again. 16,667 VUs of request-then-sleep(5) on one thread used 18–19 s of CPU
 * with 16 MB, 15.7–17.5 s with 64 MB and 13 s with 256 MB, at 616, 719 and 1,052 MB peak RSS; in the
 * 50,000-VU benchmark (three processes on two cores, VUs started paced) 32 MB gave 0.84–0.95 of the
 * ideal iterations against 0.83–0.86 with 16 MB, at 1.8 GB instead of 1.7 GB; 64 MB: 0.81–0.95 at
 * 2.0 GB, too close to the benchmark's 2 GB.
 *
 * Old generation: by default V8 lets the heap grow up to 4× past what survived the last major GC
 * when it allocates fast, and 16,000 VUs with their connections then peaked at ~1,000 MB RSS. Growing
 * by at most 50 % each time: 586–610 MB, with the same iterations (87–91 % of ideal against 89–93 %
 * on this shared machine) and no change on the GET loop (paired median 1.00). 25 %: 548 MB.
 */
let heapConfigured = false;
function configureHeap(): void {
  if (heapConfigured) return;
  heapConfigured = true;
  v8.setFlagsFromString('--max-semi-space-size=32');
  v8.setFlagsFromString('--heap-growing-percent=50');
}

export class WorkerPart implements ExecutionPart {
  private readonly worker: Worker;
  private readonly decoder: BatchDecoder;
  private last: PartStatus = { scenarios: [], vusActive: 0, vusMax: 0 };
  private waiting = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  private exited = false;
  private killed = false;
  private lifecycleOutcome: LifecycleOutcome | null = null;

  constructor(private readonly params: WorkerPartParams) {
    this.decoder = new BatchDecoder(params.resolveMetric);
    const workerData: WorkerData = {
      bundle: params.bundle,
      segment: params.segment,
      env: params.env,
      allowRemoteTargets: params.allowRemoteTargets,
      trustEnv: params.trustEnv,
      foldSamples: params.foldSamples,
    };
    configureHeap();
    this.worker = new Worker(new URL('./worker-entry.js', import.meta.url), { workerData });
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error) =>
      this.settleAll(new ScriptError(`worker ${params.segment.index + 1} failed: ${error.stack ?? error.message}`)),
    );
    this.worker.on('exit', (code) => {
      this.exited = true;
      // A worker we terminated (stuck in synchronous code) has simply ended its part.
      this.settleAll(code === 0 || this.killed ? null : new ScriptError(`worker ${params.segment.index + 1} exited with code ${code}`));
    });
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'samples':
        this.params.onSamples(this.decoder.decode(message.batch));
        break;
      case 'digest':
        this.params.onDigest(this.decoder.decodeDigest(message.batch));
        break;
      case 'status':
        this.last = message.status;
        break;
      case 'log':
        this.params.onLog(message.line, message.console === true);
        break;
      case 'abort':
        this.params.onAbort(message.reason);
        break;
      case 'error':
        this.settle('prepared', new ScriptError(message.message));
        break;
      case 'prepared':
      case 'done':
      case 'closed':
        this.settle(message.type, null);
        break;
      case 'lifecycle-done':
        this.lifecycleOutcome = message.outcome;
        this.settle('lifecycle-done', null);
        break;
    }
  }

  private expect(event: string, send: ToWorker): Promise<void> {
    if (this.exited) return event === 'closed' ? Promise.resolve() : Promise.reject(new ScriptError('worker is gone'));
    return new Promise((resolve, reject) => {
      this.waiting.set(event, { resolve, reject });
      this.worker.postMessage(send);
    });
  }

  private settle(event: string, error: Error | null): void {
    const waiter = this.waiting.get(event);
    if (!waiter) return;
    this.waiting.delete(event);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  private settleAll(error: Error | null): void {
    for (const event of [...this.waiting.keys()]) this.settle(event, event === 'closed' ? null : error);
  }

  prepare(options: Options, runTags: Record<string, string>, scenarios: Scenario[]): Promise<void> {
    return this.expect('prepared', { type: 'prepare', options, runTags, scenarios });
  }

  run(setupData: unknown, startAt: number): Promise<void> {
    return this.expect('done', { type: 'run', data: setupData, startAt });
  }

  abort(): void {
    if (!this.exited) this.worker.postMessage({ type: 'abort' } satisfies ToWorker);
  }

  /** Runs setup() or teardown() in this worker; resolves with how it ended ('killed' when the worker was terminated meanwhile). */
  async lifecycle(name: 'setup' | 'teardown', data: unknown): Promise<LifecycleOutcome | { kind: 'killed' }> {
    this.lifecycleOutcome = null;
    await this.expect('lifecycle-done', { type: 'lifecycle', name, data });
    return this.lifecycleOutcome ?? { kind: 'killed' };
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Ends the thread whatever it is doing (a VU stuck in synchronous code): what it was waited for settles. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.killed = true;
    await this.worker.terminate();
  }

  status(): PartStatus {
    return this.last;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const closed = this.expect('closed', { type: 'close' });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
    await Promise.race([closed, timeout]);
    await this.worker.terminate();
  }
}
