// End to end: the mocks scraped by a real Prometheus, two smoke runs of the portal-day scenario on the
// embedded engine writing `--out experimental-prometheus-rw` to the same Prometheus — one with k6's
// default remote-write settings (trends as p99 only), one with native histograms — then EVERY PromQL
// expression of EVERY dashboard panel (and every template variable) must return data.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboards } from '../../dashboards/index.ts';
import { runTest } from '../../engine/index.ts';
import { type RunningMocks, startMocks } from '../../mocks/index.ts';
import { allPanelQueries, isNativeHistogramDashboard, substitute, variableValues } from './dashboard-queries.ts';
import { startTestPrometheus, type TestPrometheus } from './prometheus-server.ts';

const TESTID = `live-${process.pid}`;
const NATIVE_TESTID = `live-native-${process.pid}`;
const SCRIPT = join(import.meta.dirname, '..', '..', 'scenarios', 'portal-day.ts');

let mocks: RunningMocks;
let prometheus: TestPrometheus;
let resultsRoot: string;
let runEnd = 0;
let nativeRunEnd = 0;
let exitCode = -1;
let nativeExitCode = -1;
let summaryMetrics: Record<string, { type: string }> = {};

beforeAll(async () => {
  mocks = await startMocks({ port: 0 });
  const targets = Object.values(mocks.urls).map((url) => new URL(url!).host);
  prometheus = await startTestPrometheus(targets);
  resultsRoot = mkdtempSync(join(tmpdir(), 'loadlab-live-'));
  // k6 reads its output settings from the process environment; -e values go to the script. Only
  // where to write and how often: every other setting is k6's default.
  const rwEnv = { K6_PROMETHEUS_RW_SERVER_URL: prometheus.writeUrl, K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s' };
  const run = async (testid: string, extraEnv: Record<string, string>) => {
    const saved = { ...process.env };
    Object.assign(process.env, rwEnv, extraEnv);
    try {
      return await runTest({
        script: SCRIPT,
        env: { PROFILE: 'smoke', IDENTITY_URL: mocks.urls.identity!, PORTAL_URL: mocks.urls.portal!, NDXP_URL: mocks.urls.ndxp! },
        tags: { testid },
        out: ['experimental-prometheus-rw'],
        quiet: true,
        resultsRoot,
      });
    } finally {
      process.env = saved;
    }
  };
  const result = await run(TESTID, {});
  runEnd = Date.now();
  exitCode = result.exitCode;
  summaryMetrics = result.summary.metrics as Record<string, { type: string }>;
  nativeExitCode = (await run(NATIVE_TESTID, { K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true' })).exitCode;
  nativeRunEnd = Date.now();
  // Two more scrapes of the mocks after the last request.
  await new Promise((r) => setTimeout(r, 2500));
}, 150_000);

afterAll(async () => {
  await prometheus?.close();
  await mocks?.close();
  if (resultsRoot) rmSync(resultsRoot, { recursive: true, force: true });
});

describe('dashboards against a live run', () => {
  it('the smoke run itself finished (thresholds may be crossed, the run may not crash)', () => {
    expect([0, 99]).toContain(exitCode);
    expect([0, 99]).toContain(nativeExitCode);
  });

  it('the engine wrote exactly the series k6 writes for the metrics of the run', async () => {
    // k6's mapping, stated independently of the output's code: counters _total, gauges bare,
    // rates _rate, trends one series per K6_PROMETHEUS_RW_TREND_STATS entry.
    // k6's default K6_PROMETHEUS_RW_TREND_STATS is p(99).
    const suffixes: Record<string, string[]> = { counter: ['_total'], gauge: [''], rate: ['_rate'], trend: ['_p99'] };
    const expected = Object.entries(summaryMetrics)
      .filter(([name]) => !name.includes('{'))
      .flatMap(([name, { type }]) => suffixes[type].map((suffix) => `k6_${name}${suffix}`))
      .sort();
    for (const builtin of [
      'k6_http_reqs_total',
      'k6_http_req_duration_p99',
      'k6_http_req_failed_rate',
      'k6_vus',
      'k6_iterations_total',
      'k6_checks_rate',
    ]) {
      expect(expected).toContain(builtin);
    }
    const written = await prometheus.query(`group by (__name__) ({__name__=~"k6_.+", testid="${TESTID}"})`, (runEnd - 1000) / 1000);
    expect(written.map((r) => r.metric.__name__).sort()).toEqual(expected);
    const labels = await prometheus.query(`k6_http_reqs_total{testid="${TESTID}"}`, (runEnd - 1000) / 1000);
    for (const { metric } of labels) {
      expect(metric).toHaveProperty('scenario');
      expect(metric).toHaveProperty('name');
      expect(metric).not.toHaveProperty('vu');
      expect(metric).not.toHaveProperty('iter');
    }
  });

  it("every panel query of every dashboard returns data, with k6's default settings and with native histograms", async () => {
    const stat = buildDashboards()['load-test.json'].templating!.list!.find((v) => v.name === 'quantile_stat')!;
    // The stat Grafana would select: discovered from the series, k6's default p99 the only one.
    const stats = await variableValues(prometheus.url, stat);
    expect(stats).toEqual(['p99']);
    const empty: string[] = [];
    const queries = allPanelQueries();
    expect(queries.length).toBeGreaterThan(50);
    for (const query of queries) {
      // Each flavour's panels read at the end of its own run, as ops would look at it.
      const native = isNativeHistogramDashboard(query.dashboard);
      const at = ((native ? nativeRunEnd : runEnd) - 1000) / 1000;
      const variables: Record<string, string> = native
        ? { testid: NATIVE_TESTID, scenario: '.*', service: '.*', quantile: '0.99' }
        : { testid: TESTID, scenario: '.*', service: '.*', quantile_stat: stats[0] };
      const expr = substitute(query.expr, variables, { rate: '10s', range: '2m' });
      const result = await prometheus.query(expr, at);
      if (result.length === 0) empty.push(`${query.dashboard} / ${query.panel}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('every template variable lists values, including this run and every mock', async () => {
    for (const model of Object.values(buildDashboards())) {
      for (const variable of model.templating?.list ?? []) {
        if (variable.type !== 'query') continue;
        const listed = await variableValues(prometheus.url, variable, { testid: TESTID });
        if (variable.name === 'testid') expect(listed).toEqual(expect.arrayContaining([TESTID, NATIVE_TESTID]));
        else if (variable.name === 'service') expect(listed).toEqual(expect.arrayContaining(['identity', 'portal', 'ndxp']));
        else if (variable.name === 'quantile_stat') expect(listed).toEqual(['p99']);
        else expect(listed.length, `${model.title}: $${variable.name}`).toBeGreaterThan(0);
      }
    }
  });
});
