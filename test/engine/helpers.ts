// Test helpers for the engine: a real HTTP target on a free loopback port, scripts written to a
// temporary folder, and an in-process output that records every sample container.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type RunTestOptions, type RunTestResult, runTest } from '../../engine/index.ts';
import type { Output, SampleContainer } from '../../engine/metrics/types.ts';

export interface Target {
  url: string;
  server: http.Server;
  requests: number;
  close(): Promise<void>;
}

/** A small static target: `/` → 200 text, `/json` → JSON, `/status/N` → status N, `/slow/MS` → delayed. */
export async function startTarget(): Promise<Target> {
  const target = { requests: 0 } as Target;
  const server = http.createServer((req, res) => {
    target.requests++;
    const url = req.url ?? '/';
    if (url.startsWith('/json')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ user: { name: 'An', roles: ['citizen', 'admin'] }, ok: true }));
    } else if (url.startsWith('/status/')) {
      res.statusCode = Number(url.split('/')[2]);
      res.end('status');
    } else if (url.startsWith('/slow/')) {
      setTimeout(() => res.end('slow'), Number(url.split('/')[2]));
    } else if (url.startsWith('/echo')) {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.end(JSON.stringify({ method: req.method, headers: req.headers, body })));
    } else {
      res.end('hello');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.server = server;
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-engine-'));
let counter = 0;

/** Writes a script (TypeScript by default) and returns its path. */
export function writeScript(source: string, extension = 'ts'): string {
  const file = path.join(dir, `script-${++counter}.${extension}`);
  writeFileSync(file, source);
  return file;
}

export function writeFile(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

export class Recorder implements Output {
  readonly description = 'test recorder';
  readonly containers: SampleContainer[] = [];
  async start(): Promise<void> {}
  addMetricSamples(containers: readonly SampleContainer[]): void {
    this.containers.push(...containers);
  }
  async stop(): Promise<void> {}

  /** Sum of a metric's values, optionally only for containers whose tags match. */
  sum(metric: string, tags: Record<string, string> = {}): number {
    let total = 0;
    for (const c of this.containers) {
      if (!Object.entries(tags).every(([k, v]) => c.tags[k] === v)) continue;
      for (const s of c.samples) if (s.metric.name === metric) total += s.value;
    }
    return total;
  }

  samples(metric: string): { time: number; tags: Record<string, string>; value: number }[] {
    return this.containers.flatMap((c) =>
      c.samples.filter((s) => s.metric.name === metric).map((s) => ({ time: c.time, tags: c.tags, value: s.value })),
    );
  }
}

/** runTest, quiet, one worker unless told, results in the temp folder, stderr captured. */
export async function run(
  script: string,
  options: Partial<RunTestOptions> = {},
): Promise<RunTestResult & { recorder: Recorder; stderr: string; stdout: string }> {
  const recorder = new Recorder();
  let stderr = '';
  let stdout = '';
  const result = await runTest({
    script,
    quiet: true,
    workers: 1,
    resultsRoot: path.join(dir, 'results'),
    stdout: { write: (chunk) => void (stdout += chunk.toString()) },
    stderr: { write: (chunk) => void (stderr += chunk.toString()) },
    ...options,
    outputs: [recorder, ...(options.outputs ?? [])],
  });
  return { ...result, recorder, stderr, stdout };
}

/** Resolves once the target has answered `count` requests in all (polls: the VUs run on worker threads). */
export async function whenRequests(target: Target, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (target.requests < count) {
    if (Date.now() > deadline) throw new Error(`the target answered ${target.requests} of ${count} requests in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
