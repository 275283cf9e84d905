// The dashboards as code: the committed JSON is what the code generates, and every panel carries
// what ops need (a description, a unit, thresholds, a Prometheus query).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboards, renderDashboard } from '../../dashboards/index.ts';
import { createPrometheusRemoteWriteOutput } from '../../engine/outputs/prometheus-rw/index.ts';
import { allPanelQueries, isNativeHistogramDashboard, substitute, variableValues } from './dashboard-queries.ts';
import { iterationContainers } from './k6-samples.ts';
import { startTestPrometheus } from './prometheus-server.ts';

const generatedDir = join(import.meta.dirname, '..', '..', 'dashboards', 'generated');

describe('dashboards', () => {
  it('committed JSON equals what dashboards/generate.ts writes (run `npx tsx dashboards/generate.ts` after editing)', () => {
    const built = buildDashboards();
    expect(
      readdirSync(generatedDir)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(Object.keys(built).sort());
    for (const [file, model] of Object.entries(built)) {
      expect(readFileSync(join(generatedDir, file), 'utf8'), `dashboards/generated/${file} is stale`).toBe(renderDashboard(model));
    }
  });

  it('gives every panel a description, a unit, thresholds and Prometheus queries', () => {
    for (const [file, model] of Object.entries(buildDashboards())) {
      const ids = new Set<number>();
      for (const panel of model.panels ?? []) {
        const p = panel as unknown as Record<string, any>;
        expect(ids.has(p.id), `${file}: panel id ${p.id} twice`).toBe(false);
        ids.add(p.id);
        if (p.type === 'row') continue;
        const where = `${file} / ${p.title}`;
        expect(p.description?.length ?? 0, where).toBeGreaterThan(30);
        expect(p.fieldConfig?.defaults?.unit, where).toBeTruthy();
        expect(p.fieldConfig?.defaults?.thresholds?.steps?.length, where).toBeGreaterThan(0);
        expect(p.datasource, where).toEqual({ type: 'prometheus', uid: '$datasource' });
        expect(p.targets?.length, where).toBeGreaterThan(0);
        for (const target of p.targets) expect(target.expr, where).toMatch(/\w+/);
      }
    }
  });

  it('reads top-down from "is it healthy?" to "why not?" and offers the testid, scenario and service filters', () => {
    const built = buildDashboards();
    for (const model of Object.values(built)) {
      const first = model.panels![0] as unknown as { type: string; title: string };
      expect(first.type).toBe('row');
      expect(first.title).toMatch(/\?$/);
    }
    const variables = (file: string) => built[file].templating?.list?.map((v) => v.name) ?? [];
    expect(variables('load-test.json')).toEqual(
      expect.arrayContaining(['datasource', 'testid', 'scenario', 'quantile_stat', 'adhoc_filter']),
    );
    expect(variables('service-health.json')).toEqual(expect.arrayContaining(['datasource', 'service', 'adhoc_filter']));
    expect(variables('bottleneck.json')).toEqual(
      expect.arrayContaining(['datasource', 'testid', 'scenario', 'service', 'quantile_stat', 'adhoc_filter']),
    );
    expect(variables('load-test-native-histogram.json')).toEqual(
      expect.arrayContaining(['datasource', 'testid', 'scenario', 'quantile', 'adhoc_filter']),
    );
    expect(variables('bottleneck-native-histogram.json')).toEqual(
      expect.arrayContaining(['datasource', 'testid', 'scenario', 'service', 'quantile', 'adhoc_filter']),
    );
    // As in Grafana's k6 dashboard: the stat is found from the series, k6's default p99 selected.
    const stat = built['load-test.json'].templating?.list?.find((v) => v.name === 'quantile_stat');
    expect(stat?.definition).toBe('metrics(k6_http_req_duration_)');
    expect(stat?.current?.value).toBe('p99');
  });

  it('filters every k6 query by the run and every service query by the service', () => {
    for (const query of allPanelQueries()) {
      for (const selector of query.expr.matchAll(/(k6_\w+|loadlab_\w+|process_\w+|nodejs_\w+)\{([^}]*)\}/g)) {
        const [, metric, matchers] = selector;
        const where = `${query.dashboard} / ${query.panel}: ${metric}`;
        if (metric.startsWith('k6_')) expect(matchers, where).toContain('testid=~"$testid"');
        else expect(matchers, where).toContain('service=~"$service"');
      }
    }
  });
});

async function writeIterations(writeUrl: string, env: Record<string, string>, testid: string): Promise<void> {
  const output = createPrometheusRemoteWriteOutput({
    argument: '',
    env: { K6_PROMETHEUS_RW_SERVER_URL: writeUrl, K6_PROMETHEUS_RW_PUSH_INTERVAL: '20ms', ...env },
    runTags: { testid },
    runDir: '/nonexistent',
    allowRemoteTargets: false,
    log: (message) => {
      throw new Error(message);
    },
  });
  await output.start();
  const start = Date.now() - 20_000;
  for (let i = 0; i < 20; i++) {
    output.addMetricSamples(iterationContainers(start + i * 1000, 20 + i, i, testid));
    if (i % 5 === 4) await new Promise((r) => setTimeout(r, 60));
  }
  await output.stop();
}

describe('dashboard queries on k6 series written by the remote-write output', () => {
  it("parse in Prometheus, and every k6 panel query returns data under k6's default settings and with native histograms", async () => {
    const prometheus = await startTestPrometheus();
    try {
      // k6's defaults: no K6_PROMETHEUS_RW_TREND_STATS, so trends are p99 only.
      await writeIterations(prometheus.writeUrl, {}, 'dash');
      await writeIterations(prometheus.writeUrl, { K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true' }, 'dash-native');
      const built = buildDashboards();
      const stat = built['load-test.json'].templating!.list!.find((v) => v.name === 'quantile_stat')!;
      const stats = await variableValues(prometheus.url, stat);
      expect(stats).toEqual(['p99']);
      const empty: string[] = [];
      for (const query of allPanelQueries()) {
        const native = isNativeHistogramDashboard(query.dashboard);
        const variables: Record<string, string> = native
          ? { testid: 'dash-native', scenario: '.*', service: '.*', quantile: '0.99' }
          : { testid: 'dash', scenario: '.*', service: '.*', quantile_stat: stats[0] };
        const expr = substitute(query.expr, variables, { rate: '30s', range: '5m' });
        expect(expr, `${query.dashboard} / ${query.panel}`).not.toMatch(/\$\w/);
        const result = await prometheus.query(expr); // throws on a parse error
        const servicesOnly = !/k6_/.test(expr);
        if (!servicesOnly && result.length === 0) empty.push(`${query.dashboard} / ${query.panel}: ${expr}`);
      }
      expect(empty).toEqual([]);
    } finally {
      await prometheus.close();
    }
  });
});
