import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Aggregator } from '../../engine/metrics/aggregator.ts';
import { BUILTIN_METRICS as M } from '../../engine/metrics/builtin.ts';
import { MetricRegistry } from '../../engine/metrics/registry.ts';
import { buildSummaryData } from '../../engine/metrics/summary.ts';
import type { SampleContainer } from '../../engine/metrics/types.ts';
import { createOutputs, OutputConfigError, parseOutSpec, SUPPORTED_OUTPUTS } from '../../engine/outputs/index.ts';
import { createJsonOutput } from '../../engine/outputs/json.ts';
import {
  createResultsDirOutput,
  REDACTED,
  type TimeseriesLine,
  writeMetaJson,
  writeSummaryJson,
} from '../../engine/outputs/results-dir.ts';
import { formatRfc3339Nano } from '../../engine/outputs/rfc3339.ts';

const dir = mkdtempSync(join(tmpdir(), 'loadlab-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logs: string[] = [];
const baseParams = {
  env: {},
  runTags: {},
  runDir: join(dir, 'run'),
  allowRemoteTargets: false,
  log: (message: string) => logs.push(message),
};

/** The samples of k6's own output/json test, and the lines k6 writes for them. */
function k6JsonFixture(): { containers: SampleContainer[]; expected: string[] } {
  const registry = new MetricRegistry();
  const metric1 = registry.define('my_metric1', 'gauge');
  const metric2 = registry.add('my_metric2', 'counter', 'data');
  const time1 = Date.UTC(2021, 1, 24, 13, 37, 10);
  const connTags = { key: 'val' };
  const containers: SampleContainer[] = [
    { time: time1, tags: { tag1: 'val1' }, samples: [{ metric: metric1, value: 1 }] },
    { time: time1, tags: { tag2: 'val2' }, samples: [{ metric: metric1, value: 2 }] },
    {
      time: time1 + 10_000,
      tags: connTags,
      samples: [
        { metric: metric2, value: 3 },
        { metric: metric1, value: 4 },
      ],
    },
    { time: time1 + 20_000, tags: { tag3: 'val3', tag4: 'val4' }, samples: [{ metric: metric2, value: 5 }] },
  ];
  const expected = [
    // k6 adds the thresholds and submetrics it knows about; outputs here get none, as for my_metric2 in k6's test.
    `{"type":"Metric","data":{"name":"my_metric1","type":"gauge","contains":"default","thresholds":[],"submetrics":null},"metric":"my_metric1"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":1,"tags":{"tag1":"val1"}},"metric":"my_metric1"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":2,"tags":{"tag2":"val2"}},"metric":"my_metric1"}`,
    `{"type":"Metric","data":{"name":"my_metric2","type":"counter","contains":"data","thresholds":[],"submetrics":null},"metric":"my_metric2"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:20Z","value":3,"tags":{"key":"val"}},"metric":"my_metric2"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:20Z","value":4,"tags":{"key":"val"}},"metric":"my_metric1"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:30Z","value":5,"tags":{"tag3":"val3","tag4":"val4"}},"metric":"my_metric2"}`,
  ];
  return { containers, expected };
}

describe('--out json', () => {
  it('writes the same lines as k6 for k6 test samples', async () => {
    const { containers, expected } = k6JsonFixture();
    const file = join(dir, 'out', 'k6.json');
    const output = createJsonOutput({ ...baseParams, argument: file });
    expect(output.description).toBe(`json (${file})`);
    await output.start();
    output.addMetricSamples(containers.slice(0, 2));
    output.addMetricSamples(containers.slice(2));
    await output.stop();
    expect(readFileSync(file, 'utf8')).toBe(`${expected.join('\n')}\n`);
  });

  it('gzips when the file name ends in .gz', async () => {
    const { containers, expected } = k6JsonFixture();
    const file = join(dir, 'k6.json.gz');
    const output = createJsonOutput({ ...baseParams, argument: file });
    await output.start();
    output.addMetricSamples(containers);
    await output.stop();
    const lines = gunzipSync(readFileSync(file)).toString('utf8').trimEnd().split('\n');
    expect(lines).toEqual(expected);
  });

  it('fails to start with a clear message when the file cannot be created', async () => {
    const output = createJsonOutput({ ...baseParams, argument: join(dir, 'k6.json.gz', 'inside-a-file.json') });
    await expect(output.start()).rejects.toThrow(/--out json: cannot create .*inside-a-file.json/);
  });

  it('formats times as Go RFC3339Nano in UTC', () => {
    expect(formatRfc3339Nano(Date.UTC(2022, 6, 11, 0, 18, 34, 249))).toBe('2022-07-11T00:18:34.249Z');
    expect(formatRfc3339Nano(Date.UTC(2022, 6, 11, 0, 18, 34, 249) + 0.760961)).toBe('2022-07-11T00:18:34.249761Z');
    expect(formatRfc3339Nano(Date.UTC(2022, 6, 11, 0, 18, 34, 100))).toBe('2022-07-11T00:18:34.1Z');
  });
});

describe('--out parsing', () => {
  it('parses name=argument specs and lists supported outputs on unknown names', () => {
    expect(parseOutSpec('json=results/out.json')).toEqual({ name: 'json', argument: 'results/out.json' });
    expect(parseOutSpec('json=a=b.json')).toEqual({ name: 'json', argument: 'a=b.json' });
    expect(parseOutSpec('experimental-prometheus-rw')).toEqual({ name: 'experimental-prometheus-rw', argument: '' });
    expect(SUPPORTED_OUTPUTS).toEqual(['json', 'experimental-prometheus-rw', 'web-dashboard']);
    expect(() => parseOutSpec('influxdb=http://x')).toThrow(OutputConfigError);
    expect(() => parseOutSpec('influxdb=http://x')).toThrow(
      "unknown output type 'influxdb', supported outputs: json, experimental-prometheus-rw, web-dashboard",
    );
    expect(() => parseOutSpec('=x')).toThrow(/expected name or name=argument/);
  });

  it('creates one output per spec', () => {
    const outputs = createOutputs(['json=a.json', 'json=b.json.gz'], baseParams);
    expect(outputs.map((output) => output.description)).toEqual(['json (a.json)', 'json (b.json.gz)']);
  });
});

async function readWhenWritten(path: string, lines: number): Promise<string[]> {
  const deadline = Date.now() + 3000;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {}
    const found = text.split('\n').filter((line) => line !== '');
    if (found.length >= lines || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('results folder', () => {
  it('writes 1-second aggregates per metric and tag set, second by second', async () => {
    const runDir = join(dir, 'results', 'run-1');
    let now = 100_000;
    const output = createResultsDirOutput({ runDir, log: baseParams.log });
    (output as unknown as { now: () => number }).now = () => now;
    await output.start();
    const request = (time: number, status: string, duration: number, vu: string): SampleContainer => ({
      time,
      // Tag order differs between requests on purpose: one tag set is one series.
      tags:
        status === '200'
          ? { url: `http://127.0.0.1/a?id=${vu}`, name: 'A', status, vu, iter: '3', method: 'GET' }
          : { method: 'GET', status, name: 'A', vu, url: 'http://127.0.0.1/a' },
      samples: [
        { metric: M.http_reqs, value: 1 },
        { metric: M.http_req_duration, value: duration },
        { metric: M.http_req_failed, value: status === '200' ? 0 : 1 },
      ],
    });
    const containers: SampleContainer[] = [];
    for (let i = 1; i <= 100; i++) containers.push(request(100_000 + i * 9, '200', i, String(i % 7)));
    containers.push(request(100_500, '503', 7, '1'));
    containers.push(request(101_200, '200', 42, '2'));
    containers.push({ time: 100_990, tags: {}, samples: [{ metric: M.vus, value: 10 }] });
    containers.push({ time: 100_995, tags: {}, samples: [{ metric: M.vus, value: 8 }] });
    output.addMetricSamples(containers);

    // Second 100 closes; second 101 is still open and must not be written yet.
    now = 103_500;
    output.flushClosedSeconds(101_000);
    const firstSecond = (await readWhenWritten(output.timeseriesPath, 7)).map((line) => JSON.parse(line) as TimeseriesLine);
    expect(firstSecond.every((line) => line.t === 100)).toBe(true);
    const find = (lines: TimeseriesLine[], metric: string, status?: string) =>
      lines.find((line) => line.metric === metric && line.tags.status === status)!;
    expect(find(firstSecond, 'http_reqs', '200')).toEqual({
      t: 100,
      metric: 'http_reqs',
      type: 'counter',
      tags: { method: 'GET', name: 'A', status: '200' },
      values: { count: 100 },
    });
    const trend = find(firstSecond, 'http_req_duration', '200');
    expect(trend.type).toBe('trend');
    expect(trend.values).toEqual({
      count: 100,
      sum: 5050,
      min: 1,
      max: 100,
      avg: 50.5,
      p50: 50.5,
      p90: expect.closeTo(90.1, 9),
      p95: expect.closeTo(95.05, 9),
      p99: expect.closeTo(99.01, 9),
    });
    expect(find(firstSecond, 'http_req_failed', '503').values).toEqual({ passes: 1, fails: 0 });
    expect(find(firstSecond, 'http_req_failed', '200').values).toEqual({ passes: 0, fails: 100 });
    expect(find(firstSecond, 'vus')).toEqual({ t: 100, metric: 'vus', type: 'gauge', tags: {}, values: { value: 8, max: 10 } });
    expect(firstSecond).toHaveLength(7);

    await output.stop();
    const all = (await readWhenWritten(output.timeseriesPath, 10)).map((line) => JSON.parse(line) as TimeseriesLine);
    expect(all.slice(7).map((line) => [line.t, line.metric, line.values.count ?? line.values.fails])).toEqual([
      [101, 'http_reqs', 1],
      [101, 'http_req_duration', 1],
      [101, 'http_req_failed', 1],
    ]);
    expect(all.every((line) => !('url' in line.tags) && !('vu' in line.tags) && !('iter' in line.tags))).toBe(true);
  });

  it('writes summary.json and meta.json', async () => {
    const runDir = join(dir, 'results', 'run-2');
    const aggregator = new Aggregator({ thresholds: { http_reqs: ['count>0'] } });
    aggregator.addMetricSamples([{ time: 0, tags: {}, samples: [{ metric: M.http_reqs, value: 3 }] }]);
    aggregator.evaluateThresholds(1500, { final: true });
    const data = buildSummaryData(aggregator, { testRunDurationMs: 1500 });
    await writeSummaryJson(runDir, data);
    expect(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'))).toEqual(data);
    expect(data.metrics.http_reqs).toEqual({
      type: 'counter',
      contains: 'default',
      values: { count: 3, rate: 2 },
      thresholds: { 'count>0': { ok: true } },
    });

    await writeMetaJson(runDir, {
      runId: 'run-2',
      script: 'scenarios/login.ts',
      engine: 'embedded',
      startTime: new Date('2026-01-01T00:00:00Z'),
      endTime: new Date('2026-01-01T00:00:01.500Z'),
      exitCode: 0,
      interrupted: false,
      thresholdsOk: true,
      workers: 2,
      options: { vus: 5 },
      env: { BASE_URL: 'http://127.0.0.1:7101', CLIENT_SECRET: 's3cr3t', api_token: 'abc' },
      tags: { testid: 't1' },
      meta: { profile: 'smoke' },
    });
    const meta = JSON.parse(readFileSync(join(runDir, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({
      runId: 'run-2',
      engine: 'embedded',
      startTime: '2026-01-01T00:00:00.000Z',
      endTime: '2026-01-01T00:00:01.500Z',
      durationMs: 1500,
      exitCode: 0,
      interrupted: false,
      thresholdsOk: true,
      workers: 2,
      options: { vus: 5 },
      env: { BASE_URL: 'http://127.0.0.1:7101', CLIENT_SECRET: REDACTED, api_token: REDACTED },
      tags: { testid: 't1' },
      profile: 'smoke',
    });
    expect(typeof meta.hostname).toBe('string');
    expect(meta.gitRevision === null || /^[0-9a-f]{40}$/.test(meta.gitRevision)).toBe(true);
  });
});
