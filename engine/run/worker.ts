// A worker thread's side of a multi-worker run: its execution segment of every scenario. Samples
// go to the main thread in compact batches; status and log lines too.
import type { TrustEnv } from '../modules/http/tls.ts';
import { parentPort, workerData } from 'node:worker_threads';
import type { ExecutionSegment } from '../executors/segment.ts';
import { ThreadExecution } from '../runtime/execution.ts';
import { BatchingSink, FoldingSink } from '../runtime/sink.ts';
import { consoleAwareLogger } from './logging.ts';
import type { ScriptBundle } from '../script/bundle.ts';
import { TestAbortError } from '../script/errors.ts';
import type { VU } from '../runtime/vu.ts';
import type { PartStatus } from './parts.ts';
import { BatchEncoder } from './transport.ts';

export interface WorkerData {
  bundle: ScriptBundle;
  segment: ExecutionSegment;
  env: Record<string, string>;
  allowRemoteTargets: boolean;
  trustEnv: TrustEnv;
  /** No output needs every sample: fold them here and send the series (metrics/digest.ts). */
  foldSamples: boolean;
}

export type ToWorker =
  | { type: 'prepare'; options: Record<string, unknown>; runTags: Record<string, string>; scenarios: unknown[] }
  | { type: 'run'; data: unknown; startAt: number }
  | { type: 'lifecycle'; name: 'setup' | 'teardown'; data: unknown }
  | { type: 'abort' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'prepared' }
  | { type: 'error'; message: string }
  | { type: 'samples'; batch: import('./transport.ts').EncodedBatch }
  | { type: 'digest'; batch: import('./transport.ts').EncodedBatch }
  | { type: 'status'; status: PartStatus }
  | { type: 'log'; line: string; console?: boolean }
  | { type: 'abort'; reason: string }
  | { type: 'done' }
  | { type: 'lifecycle-done'; outcome: LifecycleOutcome }
  | { type: 'closed' };

/** How setup() or teardown() ended in the worker; the result is JSON (setup data is copied as JSON, as k6 does). */
export type LifecycleOutcome =
  | { kind: 'ok'; json: string | undefined }
  | { kind: 'missing' }
  | { kind: 'aborted'; message: string }
  | { kind: 'error'; text: string };

const port = parentPort!;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer as never);
const input = workerData as WorkerData;
const encoder = new BatchEncoder();
const sink = input.foldSamples
  ? new FoldingSink((entries) => {
      const encoded = encoder.encodeDigest(entries);
      post({ type: 'digest', batch: encoded }, [encoded.data.buffer as ArrayBuffer]);
    })
  : new BatchingSink((batch) => {
      const encoded = encoder.encode(batch);
      post({ type: 'samples', batch: encoded }, [encoded.data.buffer as ArrayBuffer]);
    });
const execution = new ThreadExecution({
  bundle: input.bundle,
  segment: input.segment,
  env: input.env,
  runTags: {},
  sink,
  // Debug console lines are filtered on the main thread, which knows --verbose.
  logger: consoleAwareLogger((line, fromConsole) => post({ type: 'log', line, console: fromConsole }), false),
  allowRemoteTargets: input.allowRemoteTargets,
  trustEnv: input.trustEnv,
  // exec.test.abort(): no new iteration starts here at once (the aborting one still counts, as in k6);
  // the main thread then interrupts what is left everywhere.
  onAbort: (reason) => {
    execution.stop.draining = true;
    post({ type: 'abort', reason });
  },
});
const status = (): PartStatus => ({ scenarios: execution.stats, vusActive: execution.instance.vusActive, vusMax: execution.vusMax });

port.on('message', async (message: ToWorker) => {
  switch (message.type) {
    case 'prepare':
      try {
        execution.configure(message.options, message.runTags);
        execution.prepare(message.scenarios as never);
        post({ type: 'status', status: status() });
        post({ type: 'prepared' });
      } catch (error) {
        post({ type: 'error', message: execution.stack.describe(error) });
      }
      break;
    case 'run': {
      sink.start();
      const timer = setInterval(() => post({ type: 'status', status: status() }), 200);
      await execution.run(message.data, message.startAt);
      clearInterval(timer);
      sink.stop();
      post({ type: 'status', status: status() });
      post({ type: 'done' });
      break;
    }
    case 'lifecycle':
      post({ type: 'lifecycle-done', outcome: await runLifecycle(message.name, message.data) });
      break;
    case 'abort':
      execution.abort();
      break;
    case 'close':
      await execution.close();
      post({ type: 'closed' });
      port.close();
      break;
  }
});

/** setup() and teardown() run here, not on the main thread, so that a busy one can be stopped (setupTimeout, Ctrl-C). */
let lifecycleVU: VU | null = null;

async function runLifecycle(name: 'setup' | 'teardown', data: unknown): Promise<LifecycleOutcome> {
  if (!lifecycleVU) {
    lifecycleVU = execution.createVU(0, 0);
    execution.instance.vusInitialized--;
  }
  const vu = lifecycleVU;
  const fn = vu.exports[name];
  if (typeof fn !== 'function') return { kind: 'missing' };
  sink.start();
  vu.groupPath = `::${name}`;
  vu.iter = 0;
  try {
    const result = await (fn as (d: unknown) => unknown)(data);
    return { kind: 'ok', json: result === undefined ? undefined : JSON.stringify(result) };
  } catch (error) {
    if (error instanceof TestAbortError) return { kind: 'aborted', message: error.message };
    return { kind: 'error', text: execution.stack.describe(error) };
  } finally {
    // k6 emits setup's and teardown's data_sent/data_received even when nothing was sent, in their group.
    vu.emitData(Date.now(), true);
    vu.groupPath = '';
    sink.flush();
  }
}
