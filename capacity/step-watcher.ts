// An in-process engine Output that sees every sample of one capacity step as it happens, so the search
// can judge the step live and stop it early once it is clearly broken.
import { TrendSink } from '../engine/index.ts';
import type { Output, SampleContainer } from '../engine/index.ts';
import type { Unreachable } from '../results-format/index.ts';
import { SampleWindow } from './sample-window.ts';

/** k6 error codes of requests that got no response at all (lib/netext/httpext/error_codes.go). */
const NO_RESPONSE: Readonly<Record<string, Unreachable['reason']>> = {
  '1212': 'refused',
  '1211': 'timeout',
  '1050': 'timeout',
  '1210': 'network',
  '1200': 'network',
  '1100': 'network',
  '1101': 'network',
};
/** Share of a step's requests without a response above which the target counts as not answering. */
const UNREACHABLE_SHARE = 0.9;

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
    const inStep = containers.filter((container) => container.time <= until);
    this.window.add(inStep);
    for (const container of inStep) {
      if (container.time < this.measureFrom || container.samples[0]?.metric.name !== 'http_reqs') continue;
      this.requests++;
      // The request that opened a TLS connection carries its handshake time; reused connections carry 0.
      for (const sample of container.samples)
        if (sample.metric.name === 'http_req_tls_handshaking' && sample.value > 0) this.clientHandshakes.add(sample.value);
      const code = container.tags.error_code;
      if (code === undefined) continue;
      this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1;
      if (NO_RESPONSE[code] !== undefined && container.tags.url) this.silentOrigins.add(originOf(container.tags.url));
    }
  }

  /** Handshake times (ms) of the measured window's requests that opened a TLS connection. */
  readonly clientHandshakes = new TrendSink();
  /** Requests of the measured window per k6 error code. */
  readonly errorCodes: Record<string, number> = {};
  private requests = 0;
  private readonly silentOrigins = new Set<string>();

  /** The target did not answer most of the step's requests: named by origin and by the commonest reason. */
  unreachable(): Unreachable | undefined {
    const byReason = new Map<Unreachable['reason'], number>();
    for (const [code, count] of Object.entries(this.errorCodes)) {
      const reason = NO_RESPONSE[code];
      if (reason) byReason.set(reason, (byReason.get(reason) ?? 0) + count);
    }
    const failed = [...byReason.values()].reduce((sum, count) => sum + count, 0);
    if (this.requests === 0 || failed < this.requests * UNREACHABLE_SHARE) return undefined;
    const reason = [...byReason.entries()].sort((a, b) => b[1] - a[1])[0][0];
    return { reason, origins: [...this.silentOrigins].sort(), requests: this.requests, failed };
  }

  async stop(): Promise<void> {
    this.stoppedAt = Date.now();
  }

  measuredSeconds(): number {
    return Math.max(0, (this.measureUntil - this.measureFrom) / 1000);
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
