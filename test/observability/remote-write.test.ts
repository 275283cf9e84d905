// The experimental-prometheus-rw output against a real Prometheus: the series names and labels
// are k6's, the values are k6's cumulative aggregates, and a down or failing endpoint never
// breaks the run.

import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputParams, SampleContainer } from '../../engine/metrics/types.ts';
import { createPrometheusRemoteWriteOutput } from '../../engine/outputs/prometheus-rw/index.ts';
import { iterationContainers } from './k6-samples.ts';
import { startTestPrometheus, type TestPrometheus } from './prometheus-server.ts';

let prometheus: TestPrometheus;

beforeAll(async () => {
  prometheus = await startTestPrometheus();
});

afterAll(async () => {
  await prometheus?.close();
});

function outputParams(env: Record<string, string>, log: string[] = [], extra: object = {}): OutputParams {
  return {
    argument: '',
    env: { K6_PROMETHEUS_RW_PUSH_INTERVAL: '50ms', ...env },
    runTags: {},
    runDir: '/nonexistent',
    allowRemoteTargets: false,
    log: (message) => log.push(message),
    ...extra,
  };
}

/** Twenty iterations, request durations 10, 20, ... 200 ms, in two deliveries a push apart. */
async function runIterations(env: Record<string, string>, testid: string, log: string[] = []): Promise<void> {
  const output = createPrometheusRemoteWriteOutput(outputParams({ K6_PROMETHEUS_RW_SERVER_URL: prometheus.writeUrl, ...env }, log));
  await output.start();
  const start = Date.now() - 30_000;
  const batches: SampleContainer[][] = [[], []];
  for (let i = 0; i < 20; i++) batches[i < 10 ? 0 : 1].push(...iterationContainers(start + i * 500, (i + 1) * 10, i, testid));
  output.addMetricSamples(batches[0]);
  await new Promise((r) => setTimeout(r, 200));
  output.addMetricSamples(batches[1]);
  await output.stop();
}

async function seriesOf(testid: string): Promise<Map<string, { labels: Record<string, string>; value: number }>> {
  const result = await prometheus.query(`{__name__=~"k6_.+", testid="${testid}"}`);
  const byName = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const r of result) {
    const { __name__: name, ...labels } = r.metric;
    expect(byName.has(name), `one series per name, ${name} twice`).toBe(false);
    byName.set(name, { labels, value: Number(r.value![1]) });
  }
  return byName;
}

const REQUEST_LABELS = (testid: string) => ({
  expected_response: 'true',
  method: 'GET',
  name: 'procedures search',
  proto: 'HTTP/1.1',
  scenario: 'browse',
  status: '200',
  testid,
  url: 'http://127.0.0.1:7102/api/procedures?q=abc',
});

describe('experimental-prometheus-rw output', () => {
  it('writes the series k6 writes, with k6 labels and cumulative values (default trend stats p(99))', async () => {
    const log: string[] = [];
    await runIterations({}, 'names-default', log);
    expect(log).toEqual([]);
    const series = await seriesOf('names-default');
    // k6 v1 docs and internal/output/prometheusrw: counters _total, rates _rate, gauges bare, trends _p99.
    expect([...series.keys()].sort()).toEqual(
      [
        'k6_checks_rate',
        'k6_data_received_total',
        'k6_data_sent_total',
        'k6_dropped_iterations_total',
        'k6_http_req_blocked_p99',
        'k6_http_req_connecting_p99',
        'k6_http_req_duration_p99',
        'k6_http_req_failed_rate',
        'k6_http_req_receiving_p99',
        'k6_http_req_sending_p99',
        'k6_http_req_tls_handshaking_p99',
        'k6_http_req_waiting_p99',
        'k6_http_reqs_total',
        'k6_iteration_duration_p99',
        'k6_iterations_total',
        'k6_vus',
        'k6_vus_max',
      ].sort(),
    );
    // Empty tags (group="") and k6's metadata (vu, iter) are not labels; url is.
    expect(series.get('k6_http_reqs_total')!.labels).toEqual(REQUEST_LABELS('names-default'));
    expect(series.get('k6_checks_rate')!.labels).toEqual({ check: 'status is 200', scenario: 'browse', testid: 'names-default' });
    expect(series.get('k6_vus')!.labels).toEqual({ testid: 'names-default' });
    expect(series.get('k6_http_reqs_total')!.value).toBe(20);
    expect(series.get('k6_iterations_total')!.value).toBe(20);
    expect(series.get('k6_data_sent_total')!.value).toBe(2400);
    expect(series.get('k6_checks_rate')!.value).toBe(0.75);
    expect(series.get('k6_http_req_failed_rate')!.value).toBe(0);
    expect(series.get('k6_vus')!.value).toBe(5);
    // k6's p(99) of 10..200 ms: rank 18.81 -> 190 + 0.81 * 10 = 198.1 ms, written in seconds.
    expect(series.get('k6_http_req_duration_p99')!.value).toBeCloseTo(0.1981, 9);
    // The first push (10 iterations) is in the TSDB too, at its own timestamp.
    const firstPush = await prometheus.query('k6_http_reqs_total{testid="names-default"}', (Date.now() - 30_000 + 4_600) / 1000);
    expect(Number(firstPush[0].value![1])).toBe(10);
  });

  it('writes every configured trend stat with k6 suffixes (p(99.9) -> _p999)', async () => {
    await runIterations({ K6_PROMETHEUS_RW_TREND_STATS: 'p(90),p(95),p(99.9),min,max,avg,med,count,sum' }, 'names-stats');
    const series = await seriesOf('names-stats');
    const duration = [...series.keys()].filter((n) => n.startsWith('k6_http_req_duration_')).sort();
    expect(duration).toEqual(
      ['avg', 'count', 'max', 'med', 'min', 'p90', 'p95', 'p999', 'sum'].map((s) => `k6_http_req_duration_${s}`).sort(),
    );
    const value = (stat: string) => series.get(`k6_http_req_duration_${stat}`)!.value;
    expect(value('min')).toBeCloseTo(0.01, 9);
    expect(value('max')).toBeCloseTo(0.2, 9);
    expect(value('avg')).toBeCloseTo(0.105, 9);
    expect(value('med')).toBeCloseTo(0.105, 9);
    expect(value('sum')).toBeCloseTo(2.1, 9);
    expect(value('count')).toBe(20);
    expect(value('p90')).toBeCloseTo(0.181, 9);
  });

  it('writes trends as native histograms named by unit when asked', async () => {
    await runIterations({ K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true' }, 'native');
    const count = await prometheus.query('histogram_count(k6_http_req_duration_seconds{testid="native"})');
    expect(Number(count[0].value![1])).toBe(20);
    const sum = await prometheus.query('histogram_sum(k6_http_req_duration_seconds{testid="native"})');
    expect(Number(sum[0].value![1])).toBeCloseTo(2.1, 9);
    const median = await prometheus.query('histogram_quantile(0.5, k6_http_req_duration_seconds{testid="native"})');
    expect(Number(median[0].value![1])).toBeGreaterThan(0.09);
    expect(Number(median[0].value![1])).toBeLessThan(0.12);
  });

  it('marks every series stale at the end with K6_PROMETHEUS_RW_STALE_MARKERS', async () => {
    await runIterations({ K6_PROMETHEUS_RW_STALE_MARKERS: 'true' }, 'stale');
    const before = await prometheus.query('k6_http_reqs_total{testid="stale"}', (Date.now() - 5000) / 1000);
    expect(before).toHaveLength(1);
    const after = await prometheus.query('{__name__=~"k6_.+", testid="stale"}', Date.now() / 1000 + 1);
    expect(after).toEqual([]);
  });

  it('finishes promptly when Prometheus is down, reporting the dropped samples once', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as { port: number };
    await new Promise((r) => closed.close(r));
    const log: string[] = [];
    const output = createPrometheusRemoteWriteOutput(
      outputParams({ K6_PROMETHEUS_RW_SERVER_URL: `http://127.0.0.1:${port}/api/v1/write` }, log),
    );
    await output.start();
    for (let i = 0; i < 10; i++) {
      output.addMetricSamples(iterationContainers(Date.now(), 10, i, 'down'));
      await new Promise((r) => setTimeout(r, 60));
    }
    const stopping = Date.now();
    await output.stop();
    // A few quick last attempts, well within the drain deadline (6 s), then the run ends.
    expect(Date.now() - stopping).toBeLessThan(6000);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED.*the run goes on`));
    const dropped = Number(/(\d+) samples were not delivered/.exec(log[1])?.[1]);
    expect(dropped).toBeGreaterThanOrEqual(17);
  });

  it('retries a failing endpoint with back-off and delivers everything in order', async () => {
    let requests = 0;
    const bodies: number[] = [];
    const server: Server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        if (requests <= 2) {
          res.writeHead(503).end('busy');
          return;
        }
        bodies.push(Number(req.headers['content-length']));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const log: string[] = [];
    const output = createPrometheusRemoteWriteOutput(outputParams({ K6_PROMETHEUS_RW_SERVER_URL: `http://127.0.0.1:${port}/w` }, log));
    await output.start();
    output.addMetricSamples(iterationContainers(Date.now(), 10, 0, 'retry'));
    await new Promise((r) => setTimeout(r, 100));
    output.addMetricSamples(iterationContainers(Date.now(), 10, 1, 'retry'));
    await output.stop();
    server.close();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/answered 503: busy; the run goes on/);
    expect(bodies.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps at most 50,000 series, however many distinct tag sets arrive, and says why once', async () => {
    let received = 0;
    const sink: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const { port } = sink.address() as { port: number };
    const log: string[] = [];
    const output = createPrometheusRemoteWriteOutput(
      outputParams({ K6_PROMETHEUS_RW_SERVER_URL: `http://127.0.0.1:${port}/w`, K6_PROMETHEUS_RW_PUSH_INTERVAL: '1h' }, log),
    );
    await output.start();
    const metric = { name: 'http_reqs', type: 'counter', contains: 'default' } as const;
    const time = Date.now();
    const containers: SampleContainer[] = [];
    for (let i = 0; i < 50_010; i++) containers.push({ time, tags: { url: `http://127.0.0.1/x/${i}` }, samples: [{ metric, value: 1 }] });
    output.addMetricSamples(containers);
    await output.stop();
    sink.close();
    expect(received).toBe(1);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/more than 50000 time series.*url/);
    expect(log[1]).toMatch(/^experimental-prometheus-rw: 10 samples of series beyond the 50000-series limit were not written/);
  });

  it('refuses a remote-write endpoint off loopback unless the run allows remote targets', () => {
    const env = { K6_PROMETHEUS_RW_SERVER_URL: 'http://10.20.30.40:9090/api/v1/write' };
    expect(() => createPrometheusRemoteWriteOutput(outputParams(env))).toThrow(/10\.20\.30\.40:9090' is not a loopback address/);
    expect(createPrometheusRemoteWriteOutput(outputParams(env, [], { allowRemoteTargets: true })).description).toContain('10.20.30.40');
  });

  it('rejects invalid settings with the variable named', () => {
    expect(() => createPrometheusRemoteWriteOutput(outputParams({ K6_PROMETHEUS_RW_TREND_STATS: 'p(99),p50' }))).toThrow(
      /K6_PROMETHEUS_RW_TREND_STATS: stat 'p50' is unknown/,
    );
    expect(() => createPrometheusRemoteWriteOutput(outputParams({ K6_PROMETHEUS_RW_PUSH_INTERVAL: 'soon' }))).toThrow(
      /K6_PROMETHEUS_RW_PUSH_INTERVAL: 'soon' is not a duration/,
    );
    expect(() => createPrometheusRemoteWriteOutput(outputParams({ K6_PROMETHEUS_RW_STALE_MARKERS: 'yes' }))).toThrow(
      /K6_PROMETHEUS_RW_STALE_MARKERS: 'yes' is not a boolean/,
    );
  });
});
