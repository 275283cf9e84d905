// Remote write writes what k6 writes: the same script on real k6 (LOADLAB_K6, e.g. ../shared/tools/k6)
// and on the embedded engine, both with k6's default remote-write settings, into one real Prometheus;
// the series names and each series' label keys must be the same, setup/teardown samples carry
// group="::setup"/"::teardown" and dropped_iterations the run's testid.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTest } from '../../../engine/index.ts';
import { startTestPrometheus, type TestPrometheus } from '../../observability/prometheus-server.ts';

const K6 = process.env.LOADLAB_K6;
const SCRIPT = join(import.meta.dirname, '..', '..', 'observability', 'fixtures', 'series-parity.js');
const suffix = process.pid;
const K6_TESTID = `parity-k6-${suffix}`;
const ENGINE_TESTID = `parity-engine-${suffix}`;

if (!K6)
  console.log('remote-write-series: skipped, set LOADLAB_K6 to a k6 binary (e.g. LOADLAB_K6=../shared/tools/k6) to compare with real k6');

let server: Server;
let base: string;
let prometheus: TestPrometheus;
let resultsRoot: string;

function runK6(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      K6!,
      ['run', '--no-usage-report', '-q', '-o', 'experimental-prometheus-rw', '--tag', `testid=${K6_TESTID}`, SCRIPT],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** Each series name of the run → the sorted label keys its series carry (values differ between runs). */
async function labelKeys(testid: string): Promise<Record<string, string[]>> {
  const series = await prometheus.query(`{__name__=~"k6_.+", testid="${testid}"}`);
  const keys: Record<string, Set<string>> = {};
  for (const { metric } of series) {
    const name = metric.__name__;
    keys[name] ??= new Set();
    for (const key of Object.keys(metric)) if (key !== '__name__') keys[name].add(key);
  }
  const sorted = Object.keys(keys).sort();
  return Object.fromEntries(sorted.map((name) => [name, [...keys[name]].sort()]));
}

const testids = K6 ? [K6_TESTID, ENGINE_TESTID] : [ENGINE_TESTID];

beforeAll(async () => {
  server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  prometheus = await startTestPrometheus();
  resultsRoot = mkdtempSync(join(tmpdir(), 'loadlab-parity-'));
  // k6's default remote-write settings; only where to write and how often.
  const rwEnv = { K6_PROMETHEUS_RW_SERVER_URL: prometheus.writeUrl, K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s' };
  if (K6) {
    const k6 = await runK6({ ...rwEnv, BASE: base });
    expect(k6.code, k6.stderr).toBe(0);
  }
  const saved = { ...process.env };
  Object.assign(process.env, rwEnv);
  try {
    const result = await runTest({
      script: SCRIPT,
      env: { BASE: base },
      tags: { testid: ENGINE_TESTID },
      out: ['experimental-prometheus-rw'],
      quiet: true,
      resultsRoot,
      workers: 1,
    });
    expect(result.exitCode).toBe(0);
  } finally {
    process.env = saved;
  }
}, 120_000);

afterAll(async () => {
  await prometheus?.close();
  server?.close();
  if (resultsRoot) rmSync(resultsRoot, { recursive: true, force: true });
});

describe('remote write: the engine writes the series real k6 writes', () => {
  it.skipIf(!K6)('has the same series names and label keys as k6', async () => {
    const k6 = await labelKeys(K6_TESTID);
    const engine = await labelKeys(ENGINE_TESTID);
    expect(Object.keys(k6).length).toBeGreaterThan(10);
    expect(engine).toEqual(k6);
  });

  it('tags setup and teardown requests with group ::setup / ::teardown, as k6 does', async () => {
    for (const testid of testids) {
      const groups = await prometheus.query(`group by (group, name) (k6_http_reqs_total{testid="${testid}"})`);
      const byName = Object.fromEntries(groups.map(({ metric }) => [metric.name, metric.group]));
      expect(byName, testid).toEqual({ setup: '::setup', item: '::browse', teardown: '::teardown' });
    }
  });

  it('writes dropped_iterations with the run tags, so testid-filtered panels see it', async () => {
    for (const testid of testids) {
      const dropped = await prometheus.query(`sum(k6_dropped_iterations_total{testid="${testid}"})`);
      expect(dropped.length, testid).toBe(1);
      expect(Number(dropped[0].value![1]), testid).toBeGreaterThan(0);
    }
  });
});
