// Live progress on stderr: one line per scenario (VUs, iterations, progress bar, req/s, errors)
// and a totals line with the request p95. Redrawn in place on a terminal; a plain line every
// 10 s otherwise.
import type { ScenarioStats } from '../executors/scenario-run.ts';
import { formatDuration } from '../options/duration.ts';
import { BUILTIN_METRICS } from '../metrics/builtin.ts';
import type { DigestConsumer, DigestEntry } from '../metrics/digest.ts';
import type { TextStream } from '../metrics/types.ts';

export interface ProgressTotals {
  elapsedMs: number;
  requests: number;
  failed: number;
  p95Ms: number | null;
  vusActive: number;
  vusMax: number;
}

const BAR_WIDTH = 24;

/** Requests and failed requests per scenario, from the http_reqs and http_req_failed series. */
export class RequestTally implements DigestConsumer {
  readonly requests = new Map<string, number>();
  readonly failures = new Map<string, number>();
  total = 0;
  failed = 0;

  addDigest(entries: readonly DigestEntry[]): void {
    for (const { metric, tags, sink } of entries) {
      const scenario = tags.scenario ?? '';
      if (metric === BUILTIN_METRICS.http_reqs && sink.type === 'counter') {
        this.requests.set(scenario, (this.requests.get(scenario) ?? 0) + sink.samples);
        this.total += sink.samples;
      } else if (metric === BUILTIN_METRICS.http_req_failed && sink.type === 'rate' && sink.passes > 0) {
        this.failures.set(scenario, (this.failures.get(scenario) ?? 0) + sink.passes);
        this.failed += sink.passes;
      }
    }
  }
}

export class ProgressDisplay {
  private drawnLines = 0;
  private lastPlain = 0;
  private readonly previous = new Map<string, { at: number; requests: number }>();

  constructor(
    private readonly stream: TextStream,
    private readonly enabled: boolean,
  ) {}

  private rate(key: string, requests: number, now: number): number {
    const prev = this.previous.get(key);
    this.previous.set(key, { at: now, requests });
    if (!prev || now - prev.at < 1) return 0;
    return ((requests - prev.requests) * 1000) / (now - prev.at);
  }

  render(scenarios: ScenarioStats[], tally: RequestTally, totals: ProgressTotals, final = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    const tty = this.stream.isTTY === true;
    if (!tty && !final && now - this.lastPlain < 10_000) return;
    this.lastPlain = now;
    const width = Math.max(...scenarios.map((s) => s.name.length), 7);
    const lines = scenarios.map((s) => {
      const filled = Math.round(s.progress * BAR_WIDTH);
      const bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (s.done ? '=' : '>') : ''}${' '.repeat(BAR_WIDTH - filled)}]`;
      const requests = tally.requests.get(s.name) ?? 0;
      const failures = tally.failures.get(s.name) ?? 0;
      const reqRate = this.rate(s.name, requests, now);
      const dropped = s.dropped > 0 ? ` ${s.dropped} dropped` : '';
      return `${s.name.padEnd(width)} ${bar} ${String(s.activeVUs).padStart(5)}/${s.maxVUs} VUs ${String(s.iterations).padStart(7)} iters${dropped} ${reqRate.toFixed(0).padStart(6)} req/s ${failures} errors${s.done ? ' ✓' : ''}`;
    });
    const errorPct = totals.requests === 0 ? 0 : (100 * totals.failed) / totals.requests;
    lines.push(
      `${'total'.padEnd(width)} ${formatDuration(totals.elapsedMs).padStart(8)} ${totals.vusActive}/${totals.vusMax} VUs ${totals.requests} reqs ${this.rate('', totals.requests, now).toFixed(0)} req/s p95 ${totals.p95Ms === null ? '-' : `${totals.p95Ms.toFixed(1)}ms`} errors ${errorPct.toFixed(2)}%`,
    );
    if (tty) {
      const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
      this.stream.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
      this.drawnLines = lines.length;
    } else {
      this.stream.write(`${lines.join('\n')}\n`);
    }
  }
}
