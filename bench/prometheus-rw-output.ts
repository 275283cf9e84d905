// Cost of the experimental-prometheus-rw output on the engine's main thread: containers/s through
// addMetricSamples (one HTTP request = one container of 9 samples, fresh tag objects as the runtime
// builds them), and the time to encode + compress one push of every series.
// Run: node --expose-gc --import tsx bench/prometheus-rw-output.ts
import { createServer } from 'node:http';
import { BUILTIN_METRICS as M } from '../engine/metrics/builtin.ts';
import type { SampleContainer } from '../engine/metrics/types.ts';
import { createPrometheusRemoteWriteOutput } from '../engine/outputs/prometheus-rw/index.ts';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const NAMES = ['/authorize', '/token', '/userinfo', '/api/procedures', '/api/dossiers'];

function containers(from: number, count: number, startMs: number, distinctUrls: number): SampleContainer[] {
  const out: SampleContainer[] = new Array(count);
  for (let j = 0; j < count; j++) {
    const i = from + j;
    const duration = 5 + ((i * 7919) % 1000) / 10;
    out[j] = {
      time: startMs + Math.floor(i / 2),
      tags: {
        scenario: 'portal',
        group: '',
        name: NAMES[i % 5],
        method: 'GET',
        url: `http://127.0.0.1:7102${NAMES[i % 5]}?id=${i % distinctUrls}`,
        status: i % 50 === 0 ? '503' : '200',
        expected_response: i % 50 === 0 ? 'false' : 'true',
        proto: 'HTTP/1.1',
        testid: 'bench',
      },
      samples: [
        { metric: M.http_reqs, value: 1 },
        { metric: M.http_req_duration, value: duration },
        { metric: M.http_req_blocked, value: 0.01 },
        { metric: M.http_req_connecting, value: 0 },
        { metric: M.http_req_sending, value: 0.02 },
        { metric: M.http_req_waiting, value: duration - 0.1 },
        { metric: M.http_req_receiving, value: 0.08 },
        { metric: M.http_req_failed, value: i % 50 === 0 ? 1 : 0 },
        { metric: M.data_received, value: 2048 },
      ],
    };
  }
  return out;
}

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address() as { port: number };

for (const distinctUrls of process.env.URLS ? [Number(process.env.URLS)] : [5, 20_000]) {
  const output = createPrometheusRemoteWriteOutput({
    argument: '',
    env: {
      K6_PROMETHEUS_RW_SERVER_URL: `http://127.0.0.1:${port}/api/v1/write`,
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '1h',
      K6_PROMETHEUS_RW_TREND_STATS: 'p(95),p(99),avg,max',
    },
    runTags: {},
    runDir: '/nonexistent',
    allowRemoteTargets: false,
    log: (m) => console.log('  log:', m),
  });
  await output.start();
  const total = 1_000_000;
  const start = Date.now() - 600_000;
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let ingestMs = 0;
  // Batches of 1000 requests built fresh, as the worker threads deliver them; only ingestion is timed.
  for (let i = 0; i < total; i += 1000) {
    const batch = containers(i, 1000, start, distinctUrls);
    const t0 = performance.now();
    output.addMetricSamples(batch);
    ingestMs += performance.now() - t0;
  }
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  await output.stop(); // one push of every series, encoded, compressed and posted
  const pushMs = performance.now() - t1;
  console.log(
    `${distinctUrls} distinct URLs: ingest ${Math.round(total / (ingestMs / 1000)).toLocaleString('en')} containers/s ` +
      `(${((ingestMs / total) * 1000).toFixed(2)} µs each), series memory ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MB, ` +
      `final push (encode + snappy + POST) ${pushMs.toFixed(0)} ms`,
  );
}
server.close();
