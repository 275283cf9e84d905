// A worker thread's side of a multi-worker run: its execution segment of every scenario. Samples
// go to the main thread in compact batches; status and log lines too.
import { parentPort, workerData } from 'node:worker_threads';
import type { ExecutionSegment } from '../executors/segment.ts';
import { ThreadExecution } from '../runtime/execution.ts';
import { BatchingSink } from '../runtime/sink.ts';
import { createLogger } from '../runtime/thread.ts';
import type { ScriptBundle } from '../script/bundle.ts';
import type { PartStatus } from './parts.ts';
import { BatchEncoder } from './transport.ts';

export interface WorkerData {
  bundle: ScriptBundle;
  segment: ExecutionSegment;
  env: Record<string, string>;
  allowRemoteTargets: boolean;
}

export type ToWorker =
  | { type: 'prepare'; options: Record<string, unknown>; runTags: Record<string, string>; scenarios: unknown[] }
  | { type: 'run'; data: unknown; startAt: number }
  | { type: 'abort' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'prepared' }
  | { type: 'error'; message: string }
  | { type: 'samples'; batch: import('./transport.ts').EncodedBatch }
  | { type: 'status'; status: PartStatus }
  | { type: 'log'; line: string }
  | { type: 'abort'; reason: string }
  | { type: 'done' }
  | { type: 'closed' };

const port = parentPort!;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer as never);
const input = workerData as WorkerData;
const encoder = new BatchEncoder();
const sink = new BatchingSink((batch) => {
  const encoded = encoder.encode(batch);
  post({ type: 'samples', batch: encoded }, [encoded.data.buffer as ArrayBuffer]);
});
const execution = new ThreadExecution({
  bundle: input.bundle,
  segment: input.segment,
  env: input.env,
  runTags: {},
  sink,
  logger: createLogger((line) => post({ type: 'log', line })),
  allowRemoteTargets: input.allowRemoteTargets,
  onAbort: (reason) => post({ type: 'abort', reason }),
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
