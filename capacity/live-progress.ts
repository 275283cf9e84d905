// An engine Output that prints a progress line every few seconds of a quiet run, for `npm start`.
import type { Output, SampleContainer } from '../engine/index.ts';

export class LiveProgress implements Output {
  readonly description = 'progress lines';
  private timer?: NodeJS.Timeout;
  private started = 0;
  private requests = 0;
  private failed = 0;
  private iterations = 0;

  constructor(
    private readonly label: string,
    private readonly write: (line: string) => void,
    private readonly everyMs = 5000,
  ) {}

  async start(): Promise<void> {
    this.started = Date.now();
    this.timer = setInterval(() => this.write(this.line()), this.everyMs);
    this.timer.unref();
  }

  addMetricSamples(containers: readonly SampleContainer[]): void {
    for (const container of containers) {
      for (const sample of container.samples) {
        const name = sample.metric.name;
        if (name === 'http_reqs') this.requests += sample.value;
        else if (name === 'http_req_failed' && sample.value !== 0) this.failed++;
        else if (name === 'iterations') this.iterations += sample.value;
      }
    }
  }

  line(): string {
    const elapsed = Math.round((Date.now() - this.started) / 1000);
    const errors = this.requests > 0 ? ((this.failed / this.requests) * 100).toFixed(1) : '0.0';
    return `  ${this.label}: ${elapsed}s, ${this.iterations} iterations, ${this.requests} requests, ${errors} % failed`;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}
