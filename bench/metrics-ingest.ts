// Ingest rate of the metrics engine (containers/s, one HTTP request = one container of 11 samples)
// and the memory a trend needs for 10 million samples. Run: node --expose-gc --import tsx bench/metrics-ingest.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aggregator } from '../engine/metrics/aggregator.ts';
import { BUILTIN_METRICS as M } from '../engine/metrics/builtin.ts';
import { TrendSink } from '../engine/metrics/sinks.ts';
import type { SampleContainer } from '../engine/metrics/types.ts';
import { createJsonOutput } from '../engine/outputs/json.ts';
import { createResultsDirOutput } from '../engine/outputs/results-dir.ts';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const NAMES = ['login', 'token', 'userinfo', 'procedures', 'dossier'];

/** Fresh tag objects per request, as the runtime builds them. */
function makeContainers(count: number, startMs: number, perSecond: number): SampleContainer[] {
  const containers: SampleContainer[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const failed = i % 50 === 0;
    const duration = 5 + ((i * 7919) % 1000) / 10;
    containers[i] = {
      time: startMs + Math.floor((i / perSecond) * 1000),
      tags: {
        scenario: 'default',
        group: '',
        name: `http://127.0.0.1:7101/${NAMES[i % 5]}`,
        method: 'GET',
        url: `http://127.0.0.1:7101/${NAMES[i % 5]}?q=${i}`,
        status: failed ? '503' : '200',
        expected_response: failed ? 'false' : 'true',
        vu: String(i % 1000),
        iter: String(i >> 10),
      },
      samples: [
        { metric: M.http_reqs, value: 1 },
        { metric: M.http_req_duration, value: duration },
        { metric: M.http_req_blocked, value: 0.002 },
        { metric: M.http_req_connecting, value: 0 },
        { metric: M.http_req_tls_handshaking, value: 0 },
        { metric: M.http_req_sending, value: 0.01 },
        { metric: M.http_req_waiting, value: duration - 0.05 },
        { metric: M.http_req_receiving, value: 0.04 },
        { metric: M.http_req_failed, value: failed ? 1 : 0 },
        { metric: M.data_sent, value: 120 },
        { metric: M.data_received, value: 800 },
      ],
    };
  }
  return containers;
}

/** Feeds batches of 512 as worker threads would, letting the event loop run between batches (I/O). */
async function measure(label: string, containers: SampleContainer[], ingest: (batch: SampleContainer[]) => void): Promise<number> {
  const batch = 512;
  const started = process.hrtime.bigint();
  for (let i = 0; i < containers.length; i += batch) {
    ingest(containers.slice(i, i + batch));
    if ((i / batch) % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = containers.length / seconds;
  console.log(`${label.padEnd(48)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} containers/s`);
  return rate;
}

function trendMemory(): void {
  // Memory of one trend with 10M samples, measured before anything else is allocated.
  const samples = 10_000_000;
  gc();
  const before = process.memoryUsage();
  const trend = new TrendSink();
  let seed = 1;
  const started = process.hrtime.bigint();
  for (let i = 0; i < samples; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    trend.add(1 + (seed / 4294967296) * 2000);
  }
  const addNs = Number(process.hrtime.bigint() - started) / samples;
  gc();
  const after = process.memoryUsage();
  const grown = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1024;
  console.log(
    `trend: 10,000,000 samples → +${grown.toFixed(0)} KiB (heap + array buffers), ${addNs.toFixed(1)} ns/sample, ` +
      `p(95)=${trend.percentile(95).toFixed(2)} (exact ≈ ${(1 + 0.95 * 1999).toFixed(2)}), RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB`,
  );
}

async function main(): Promise<void> {
  trendMemory();
  const count = Number(process.env.BENCH_CONTAINERS ?? 1_000_000);
  const start = Date.UTC(2026, 0, 1);
  const containers = makeContainers(count, start, 50_000);
  console.log(`ingest: ${count.toLocaleString('en-US')} containers × 11 samples (9 tags each)`);

  const warm = new Aggregator();
  warm.addMetricSamples(makeContainers(100_000, start, 50_000));

  const aggregator = new Aggregator({
    thresholds: {
      http_req_duration: ['p(95)<500', 'p(99.9)<1000'],
      'http_req_duration{name:http://127.0.0.1:7101/login}': ['p(95)<300'],
      http_req_failed: ['rate<0.05'],
    },
  });
  await measure('aggregator (sinks, 2 submetrics, thresholds)', containers, (b) => aggregator.addMetricSamples(b));

  const dir = mkdtempSync(join(tmpdir(), 'loadlab-bench-'));
  const results = createResultsDirOutput({ runDir: dir, log: console.error });
  await results.start();
  await measure('results-dir time series (1 s × metric × tags)', containers, (b) => results.addMetricSamples(b));
  await results.stop();

  const json = createJsonOutput({
    argument: join(dir, 'out.json.gz'),
    env: {},
    runTags: {},
    runDir: dir,
    allowRemoteTargets: false,
    log: console.error,
  });
  await json.start();
  const jsonContainers = containers.slice(0, 200_000);
  await measure('--out json=out.json.gz ', jsonContainers, (b) => json.addMetricSamples(b));
  const stopping = process.hrtime.bigint();
  await json.stop();
  console.log(`  final flush at stop: ${(Number(process.hrtime.bigint() - stopping) / 1e6).toFixed(0)} ms`);
  rmSync(dir, { recursive: true, force: true });
}

await main();
