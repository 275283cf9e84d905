// A real Prometheus (the Debian binary) for the tests: free port, temporary data folder,
// remote-write receiver on, scraping the given targets every second.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchPrometheus } from '../../cli/stack.ts';

export interface TestPrometheus {
  readonly url: string;
  readonly writeUrl: string;
  /** /api/v1/query at `time` (unix seconds, default now): the result vector or matrix. */
  query(expr: string, time?: number): Promise<PromResult[]>;
  close(): Promise<void>;
}

export interface PromResult {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
  histogram?: [number, { count: string; sum: string }];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startTestPrometheus(scrapeTargets: string[] = []): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-prom-'));
  const configFile = join(dir, 'prometheus.yml');
  const scrape = scrapeTargets.length
    ? `scrape_configs:\n  - job_name: mocks\n    static_configs:\n      - targets: [${scrapeTargets.map((t) => `'${t}'`).join(', ')}]\n`
    : '';
  writeFileSync(configFile, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n${scrape}`);
  const port = await freePort();
  const { url, child } = await launchPrometheus({ configFile, dataDir: join(dir, 'data'), port, logFile: join(dir, 'log') });
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    async query(expr, time) {
      const params = new URLSearchParams({ query: expr });
      if (time !== undefined) params.set('time', String(time));
      const response = await fetch(`${url}/api/v1/query?${params}`);
      const body = (await response.json()) as { status: string; error?: string; data: { resultType: string; result: unknown } };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
      if (body.data.resultType === 'scalar') return [{ metric: {}, value: body.data.result as [number, string] }];
      return body.data.result as PromResult[];
    },
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
