// A live dashboard: one page that outlives runs, so `npm start` and the capacity search show their
// runs (or steps) one after the other on one time axis. Each run feeds it through runOutput(), an
// ordinary engine Output; `--out web-dashboard` makes one dashboard for its single run.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Output, SampleContainer } from '../../metrics/types.ts';
import { RunAggregate } from './aggregate.ts';
import type { WebDashboardConfig } from './config.ts';
import { type DashboardEvent, renderPage } from './page.ts';
import { buildDashboardServer, type EventFeed } from './server.ts';
import { ServiceScraper } from './services.ts';

export interface LiveDashboardOptions {
  readonly config: WebDashboardConfig;
  readonly title?: string;
  /** Problems worth one line (a service that cannot be scraped, a browser that cannot be opened). */
  readonly log?: (message: string) => void;
  readonly now?: () => number;
  readonly scraper?: ServiceScraper;
}

export interface RunInfo {
  readonly name: string;
  /** The script's thresholds option, or null (--no-thresholds). */
  readonly thresholds: unknown;
}

export class LiveDashboard implements EventFeed {
  readonly title: string;
  private readonly log: (message: string) => void;
  private readonly now: () => number;
  private readonly scraper: ServiceScraper;
  private readonly history: DashboardEvent[] = [];
  private readonly listeners = new Set<(event: DashboardEvent) => void>();
  private server: FastifyInstance | null = null;
  private current: RunAggregate | null = null;
  private lastTick = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private unreachableReported = new Set<string>();
  url: string | null = null;

  constructor(private readonly options: LiveDashboardOptions) {
    this.title = options.title ?? 'loadlab live dashboard';
    this.log = options.log ?? (() => {});
    this.now = options.now ?? Date.now;
    this.scraper = options.scraper ?? new ServiceScraper(options.config.serviceMetrics);
    this.emit('config', {
      title: this.title,
      periodMs: options.config.periodMs,
      services: options.config.serviceMetrics.map((endpoint) => endpoint.service),
    });
  }

  /** Serves the page unless the port is -1; returns its URL (null when not serving). */
  async listen(): Promise<string | null> {
    const { host, port, open } = this.options.config;
    if (port === -1 || this.server !== null) return this.url;
    const server = buildDashboardServer(this);
    try {
      await server.listen({ host, port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EADDRINUSE'
          ? `web dashboard: ${host}:${port} is already in use; pick another with K6_WEB_DASHBOARD_PORT (0 picks a free port, -1 serves none)`
          : `web dashboard: cannot listen on ${host}:${port}: ${(error as Error).message}`,
      );
    }
    this.server = server;
    const address = server.server.address();
    const actualPort = typeof address === 'object' && address !== null ? address.port : port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    if (open) this.openBrowser(this.url);
    return this.url;
  }

  events(): readonly DashboardEvent[] {
    return this.history;
  }

  subscribe(listener: (event: DashboardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  livePage(): string {
    return renderPage(this.title, null);
  }

  report(): string {
    return renderPage(this.title, this.history);
  }

  async writeReport(path: string): Promise<void> {
    await writeFile(path, this.report());
  }

  /** An Output for one run: samples go to this dashboard; stopping it ends the run, not the page. */
  runOutput(run: RunInfo): Output {
    return {
      description: `web dashboard (${this.url ?? 'no server'})`,
      start: async () => this.beginRun(run),
      addMetricSamples: (containers: readonly SampleContainer[]) => this.current?.add(containers),
      stop: async () => this.endRun(),
    };
  }

  beginRun(run: RunInfo): void {
    const t = this.now();
    this.current = new RunAggregate(run.name, run.thresholds ?? null, t);
    this.lastTick = t;
    const thresholds = this.current.totals(t).thresholds.map(({ metric, source }) => ({ metric, source }));
    this.emit('start', { t, run: run.name, thresholds });
    this.timer = setInterval(() => void this.tick(), this.options.config.periodMs);
    this.timer.unref();
  }

  async endRun(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    if (this.current === null) return;
    await this.tick();
    const run = this.current;
    this.current = null;
    this.emit('stop', { t: this.now(), run: run.run });
  }

  /** One period: the run's aggregate, the services' saturation, the running totals. */
  tick(): Promise<void> {
    if (this.ticking !== null) return this.ticking;
    const run = this.current;
    if (run === null) return Promise.resolve();
    const now = this.now();
    // A run that ends just after a tick leaves a sliver of a period: its counts would make rates spike.
    const metrics = run.snapshot(now, Math.max(1, now - this.lastTick), this.options.config.periodMs / 4);
    this.lastTick = now;
    const timeoutMs = Math.min(2000, Math.max(200, this.options.config.periodMs - 100));
    this.ticking = (async () => {
      const services = this.scraper.enabled ? await this.scraper.scrape(now, timeoutMs) : null;
      for (const { service, error } of services?.unreachable ?? []) {
        if (this.unreachableReported.has(service)) continue;
        this.unreachableReported.add(service);
        this.log(`web dashboard: service metrics of ${service} could not be read (${error}); it is shown as unreachable`);
      }
      this.emit('snapshot', { metrics, services });
      this.emit('cumulative', { totals: run.totals(now), firstSaturation: this.scraper.first });
    })().finally(() => (this.ticking = null));
    return this.ticking;
  }

  async close(): Promise<void> {
    await this.endRun();
    this.listeners.clear();
    await this.server?.close();
    this.server = null;
  }

  private emit(event: string, data: unknown): void {
    const entry: DashboardEvent = { id: this.history.length, event, data };
    this.history.push(entry);
    for (const listener of this.listeners) listener(entry);
  }

  private openBrowser(url: string): void {
    const [command, args] =
      process.platform === 'darwin'
        ? ['open', [url]]
        : process.platform === 'win32'
          ? ['cmd', ['/c', 'start', '', url]]
          : ['xdg-open', [url]];
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', (error) => this.log(`web dashboard: could not open a browser (${error.message}); open ${url} yourself`));
    child.unref();
  }
}
