// End to end: the mocks scraped by a real Prometheus, a smoke run of the portal-day scenario on the
// embedded engine writing `--out experimental-prometheus-rw` to the same Prometheus, then EVERY
// PromQL expression of EVERY dashboard panel (and every template variable) must return data.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboards } from '../../dashboards/index.ts';
import { runTest } from '../../engine/index.ts';
import { type RunningMocks, startMocks } from '../../mocks/index.ts';
import { allPanelQueries, substitute } from './dashboard-queries.ts';
import { startTestPrometheus, type TestPrometheus } from './prometheus-server.ts';

const TESTID = `live-${process.pid}`;
const SCRIPT = join(import.meta.dirname, '..', '..', 'scenarios', 'portal-day.ts');

let mocks: RunningMocks;
let prometheus: TestPrometheus;
let resultsRoot: string;
let runEnd = 0;
let exitCode = -1;
let summaryMetrics: Record<string, { type: string }> = {};

beforeAll(async () => {
  mocks = await startMocks({ port: 0 });
  const targets = Object.values(mocks.urls).map((url) => new URL(url!).host);
  prometheus = await startTestPrometheus(targets);
  resultsRoot = mkdtempSync(join(tmpdir(), 'loadlab-live-'));
  // k6 reads its output settings from the process environment; -e values go to the script.
  const rwEnv = {
    K6_PROMETHEUS_RW_SERVER_URL: prometheus.writeUrl,
    K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
    K6_PROMETHEUS_RW_TREND_STATS: 'p(95),p(99),avg,max',
  };
  const saved = { ...process.env };
  Object.assign(process.env, rwEnv);
  try {
    const result = await runTest({
      script: SCRIPT,
      env: { PROFILE: 'smoke', IDENTITY_URL: mocks.urls.identity!, PORTAL_URL: mocks.urls.portal!, NDXP_URL: mocks.urls.ndxp!, ...rwEnv },
      tags: { testid: TESTID },
      out: ['experimental-prometheus-rw'],
      quiet: true,
      resultsRoot,
    });
    exitCode = result.exitCode;
    summaryMetrics = result.summary.metrics as Record<string, { type: string }>;
  } finally {
    process.env = saved;
  }
  runEnd = Date.now();
  // Two more scrapes of the mocks after the last request.
  await new Promise((r) => setTimeout(r, 2500));
}, 90_000);

afterAll(async () => {
  await prometheus?.close();
  await mocks?.close();
  if (resultsRoot) rmSync(resultsRoot, { recursive: true, force: true });
});

describe('dashboards against a live run', () => {
  it('the smoke run itself finished (thresholds may be crossed, the run may not crash)', () => {
    expect([0, 99]).toContain(exitCode);
  });

  it('the engine wrote exactly the series k6 writes for the metrics of the run', async () => {
    // k6's mapping, stated independently of the output's code: counters _total, gauges bare,
    // rates _rate, trends one series per K6_PROMETHEUS_RW_TREND_STATS entry.
    const suffixes: Record<string, string[]> = { counter: ['_total'], gauge: [''], rate: ['_rate'], trend: ['_p95', '_p99', '_avg', '_max'] };
    const expected = Object.entries(summaryMetrics)
      .filter(([name]) => !name.includes('{'))
      .flatMap(([name, { type }]) => suffixes[type].map((suffix) => `k6_${name}${suffix}`))
      .sort();
    for (const builtin of ['k6_http_reqs_total', 'k6_http_req_duration_p95', 'k6_http_req_failed_rate', 'k6_vus', 'k6_iterations_total', 'k6_checks_rate']) {
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

  it('every panel query of every dashboard returns data', async () => {
    const variables = { testid: TESTID, scenario: '.*', service: '.*' };
    const at = (runEnd - 1000) / 1000;
    const empty: string[] = [];
    const queries = allPanelQueries();
    expect(queries.length).toBeGreaterThan(50);
    for (const query of queries) {
      const expr = substitute(query.expr, variables, { rate: '10s', range: '2m' });
      const result = await prometheus.query(expr, at);
      if (result.length === 0) empty.push(`${query.dashboard} / ${query.panel}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('every template variable lists values, including this run and every mock', async () => {
    const values = async (query: string) => {
      const match = /^label_values\((.+), (\w+)\)$/.exec(query.replaceAll('$testid', TESTID));
      if (!match) throw new Error(`unexpected variable query ${query}`);
      const response = await fetch(`${prometheus.url}/api/v1/label/${match[2]}/values?${new URLSearchParams({ 'match[]': match[1] })}`);
      return ((await response.json()) as { data: string[] }).data;
    };
    for (const model of Object.values(buildDashboards())) {
      for (const variable of model.templating?.list ?? []) {
        if (variable.type !== 'query') continue;
        const listed = await values(String(variable.definition));
        if (variable.name === 'testid') expect(listed).toContain(TESTID);
        else if (variable.name === 'service') expect(listed).toEqual(expect.arrayContaining(['identity', 'portal', 'ndxp']));
        else expect(listed.length, `${model.title}: $${variable.name}`).toBeGreaterThan(0);
      }
    }
  });
});
