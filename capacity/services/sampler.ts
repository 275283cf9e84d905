// Samples the local mocks' /metrics every second during a run into services.jsonl, so a report can put
// each resource's saturation on the same time axis as the load.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ServiceSampleLine } from '../../results-format/index.ts';
import { fetchTextTrusting } from '../../engine/index.ts';
import { flattenMetrics } from '../../results-format/prometheus-text.ts';

export interface ServiceSamplerOptions {
  /** Base URLs by service name, e.g. { identity: 'http://127.0.0.1:7101' }. Loopback only. */
  urls: Record<string, string>;
  file: string;
  intervalMs?: number;
  /** Also receives every line, for live use (the capacity search reads saturation per step). */
  onSample?: (lines: ServiceSampleLine[]) => void;
}

export class ServiceSampler {
  private readonly stream: WriteStream;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<unknown>;
  scrapes = 0;
  failures = 0;

  constructor(private readonly options: ServiceSamplerOptions) {
    for (const [service, url] of Object.entries(options.urls)) {
      const host = new URL(url).hostname;
      if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/.test(host)) {
        throw new Error(`service sampler: ${service} at ${url} is not a loopback address`);
      }
    }
    this.stream = createWriteStream(options.file, { flags: 'a' });
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** One scrape at a time: a slow service delays the next sample rather than piling scrapes up. */
  private tick(): void {
    if (!this.inFlight) this.inFlight = this.sampleOnce().finally(() => (this.inFlight = undefined));
  }

  async sampleOnce(): Promise<ServiceSampleLine[]> {
    const t = Date.now() / 1000;
    const all: ServiceSampleLine[] = [];
    await Promise.all(
      Object.entries(this.options.urls).map(async ([service, url]) => {
        try {
          // Under --tls the mocks' CA is trusted as the scenarios trust it (SSL_CERT_FILE).
          const text = await fetchTextTrusting(new URL('/metrics', url), 900);
          all.push(...flattenMetrics(text, service, Math.round(t * 1000) / 1000));
        } catch {
          // A service that stops answering mid-run is part of what is measured, not a reason to stop.
          this.failures++;
        }
      }),
    );
    this.scrapes++;
    if (all.length > 0) {
      this.stream.write(all.map((line) => JSON.stringify(line)).join('\n') + '\n');
      this.options.onSample?.(all);
    }
    return all;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
    await this.sampleOnce();
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
