// An in-process engine Output that sees every sample of one capacity step as it happens, so the search
// can judge the step live and stop it early once it is clearly broken.
import type { Output, SampleContainer } from '../engine/metrics/types.ts';
import { SampleWindow } from './sample-window.ts';

export class StepWatcher implements Output {
  readonly description = 'capacity step watcher';
  window: SampleWindow = new SampleWindow(Number.POSITIVE_INFINITY);
  /** When the first sample was taken: the scenario's real start, after setup() and worker start-up. */
  startedAt = 0;
  stoppedAt = 0;

  constructor(
    private readonly warmupMs: number,
    private readonly durationMs: number,
    private readonly requestFilter?: string,
  ) {}

  /** Start of the measured part of the step (after warm-up), ms since the epoch. */
  get measureFrom(): number {
    return this.startedAt + this.warmupMs;
  }

  /** Nominal end of the step; in-flight iterations finishing later belong to no step. */
  get measureUntil(): number {
    const end = this.startedAt + this.durationMs;
    return this.stoppedAt > 0 ? Math.min(end, this.stoppedAt) : end;
  }

  async start(): Promise<void> {}

  addMetricSamples(containers: readonly SampleContainer[]): void {
    if (containers.length === 0) return;
    if (this.startedAt === 0) {
      this.startedAt = Math.min(...containers.map((container) => container.time));
      this.window = new SampleWindow(this.measureFrom, this.requestFilter);
    }
    const until = this.startedAt + this.durationMs;
    this.window.add(containers.filter((container) => container.time <= until));
  }

  async stop(): Promise<void> {
    this.stoppedAt = Date.now();
  }

  measuredSeconds(): number {
    return Math.max(0, (this.measureUntil - this.measureFrom) / 1000);
  }
}
