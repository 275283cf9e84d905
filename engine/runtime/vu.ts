// A virtual user: its own evaluation of the script (module state), its counters and tags. The
// bundled script reads __VU, __ITER and __ENV from this object (esbuild `define`), so the fields
// `vu`, `iter` and `env` are part of the script contract.
import { BUILTIN_METRICS } from '../metrics/builtin.ts';
import type { SampleContainer, Tags } from '../metrics/types.ts';
import type { PendingCalls } from './pending.ts';
import type { SampleSink } from './sink.ts';
import { internTags } from './tags.ts';

export interface ScenarioInfo {
  readonly name: string;
  readonly executor: string;
  /** Epoch ms when the scenario started. */
  startTime: number;
  /** Iterations started in this scenario by this thread (exec.scenario.iterationInInstance). */
  iterationsStarted: number;
  /** Stride of global iteration numbers between threads: iterationInTest = iterationInInstance * stride + offset. */
  readonly stride: number;
  readonly offset: number;
  progress(): number;
}

export const METADATA_VU = 1;
export const METADATA_ITER = 2;

/** systemTags → the VU's metadataTags bits. */
export function metadataTagsOf(systemTags: unknown): number {
  if (!Array.isArray(systemTags)) return 0;
  return (systemTags.includes('vu') ? METADATA_VU : 0) | (systemTags.includes('iter') ? METADATA_ITER : 0);
}

export class VU {
  /** __VU: the VU's number in the test (0 in setup and teardown). */
  vu: number;
  /** __ITER: the VU's iteration number, across scenarios, from 0. */
  iter = -1;
  /** __ENV: the run's env merged with the scenario's env. */
  env: Record<string, string>;
  /** The script's exports as this VU evaluated them. */
  exports: Record<string, unknown> = {};

  scenario: ScenarioInfo | null = null;
  iterationInScenario = -1;
  /** Tags on every sample of this VU: run tags, scenario tags, `scenario`, plus exec.vu.tags (interned, frozen). */
  tags: Tags = {};
  /** The tags of the iteration's own samples (iterations, iteration_duration, data_*), rebuilt when `tags` change. */
  iterationTags: Tags = {};
  groupPath = '';
  /** Set when the executor gave up on this VU (gracefulStop passed, Ctrl-C): its late samples are dropped. */
  interrupted = false;
  inInitContext = true;
  bytesSent = 0;
  bytesReceived = 0;
  /** k6/http per-VU state (cookie jar, response callback), owned by the http module. */
  http: unknown = null;
  checkTags: Map<string, Tags> | null = null;
  /** Which of systemTags' vu (METADATA_VU) and iter (METADATA_ITER) its samples carry; 0 (the default): none. */
  metadataTags = 0;
  /** Requests and sleeps this VU started that have not settled (made on first use). */
  calls: PendingCalls | null = null;
  /** The realm's copy of the data last handed to the script (setup() data), and what it was copied from. */
  scriptData: unknown = undefined;
  scriptDataSource: unknown = undefined;

  constructor(
    readonly idInInstance: number,
    idInTest: number,
    readonly baseEnv: Record<string, string>,
    readonly runTags: Readonly<Record<string, string>>,
    readonly sink: SampleSink,
  ) {
    this.vu = idInTest;
    this.env = { ...baseEnv };
    this.setTags({ ...runTags });
  }

  get idInTest(): number {
    return this.vu;
  }

  setTags(tags: Record<string, string>): void {
    this.tags = internTags(tags);
    this.iterationTags = internTags({ ...tags, group: '' });
    this.checkTags = null;
  }

  activate(scenario: ScenarioInfo, scenarioTags: Record<string, string>, scenarioEnv: Record<string, string>): void {
    this.scenario = scenario;
    this.interrupted = false;
    this.env = { ...this.baseEnv, ...scenarioEnv };
    this.setTags({ ...this.runTags, ...scenarioTags, scenario: scenario.name });
  }

  emit(container: SampleContainer): void {
    if (this.interrupted) return;
    this.sink.push(this.metadataTags === 0 ? container : this.withMetadata(container));
  }

  /** systemTags' vu and iter, as k6's metadata; setup() and teardown() (VU 0) have no vu. */
  private withMetadata(container: SampleContainer): SampleContainer {
    const metadata: { vu?: number; iter?: number } = {};
    if ((this.metadataTags & METADATA_VU) !== 0 && this.vu !== 0) metadata.vu = this.vu;
    if ((this.metadataTags & METADATA_ITER) !== 0) metadata.iter = Math.max(this.iter, 0);
    return { ...container, metadata };
  }

  /** The iteration's samples, with data_sent/data_received accumulated over its requests (as k6). */
  emitIteration(durationMs: number, time: number): void {
    this.emit({
      time,
      tags: this.iterationTags,
      samples: [
        { metric: BUILTIN_METRICS.iterations, value: 1 },
        { metric: BUILTIN_METRICS.iteration_duration, value: durationMs },
        { metric: BUILTIN_METRICS.data_sent, value: this.bytesSent },
        { metric: BUILTIN_METRICS.data_received, value: this.bytesReceived },
      ],
    });
    this.bytesSent = 0;
    this.bytesReceived = 0;
  }

  /** An iteration given up on (gracefulStop): k6 still counts the bytes it moved, but not the iteration. */
  emitInterruptedIteration(time: number): void {
    this.emit({
      time,
      tags: this.iterationTags,
      samples: [
        { metric: BUILTIN_METRICS.data_sent, value: this.bytesSent },
        { metric: BUILTIN_METRICS.data_received, value: this.bytesReceived },
      ],
    });
    this.bytesSent = 0;
    this.bytesReceived = 0;
  }

  /** data_sent/data_received outside iterations (setup, teardown). */
  emitData(time: number, evenIfZero = false): void {
    if (this.bytesSent === 0 && this.bytesReceived === 0 && !evenIfZero) return;
    this.emit({
      time,
      tags: { ...this.tags, group: this.groupPath },
      samples: [
        { metric: BUILTIN_METRICS.data_sent, value: this.bytesSent },
        { metric: BUILTIN_METRICS.data_received, value: this.bytesReceived },
      ],
    });
    this.bytesSent = 0;
    this.bytesReceived = 0;
  }
}
