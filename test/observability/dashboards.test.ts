// The dashboards as code: the committed JSON is what the code generates, and every panel carries
// what ops need (a description, a unit, thresholds, a Prometheus query).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboards, renderDashboard } from '../../dashboards/index.ts';
import { createPrometheusRemoteWriteOutput } from '../../engine/outputs/prometheus-rw/index.ts';
import { allPanelQueries, substitute } from './dashboard-queries.ts';
import { iterationContainers } from './k6-samples.ts';
import { startTestPrometheus } from './prometheus-server.ts';

const generatedDir = join(import.meta.dirname, '..', '..', 'dashboards', 'generated');

describe('dashboards', () => {
  it('committed JSON equals what dashboards/generate.ts writes (run `npx tsx dashboards/generate.ts` after editing)', () => {
    const built = buildDashboards();
    expect(readdirSync(generatedDir).filter((f) => f.endsWith('.json')).sort()).toEqual(Object.keys(built).sort());
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
    expect(variables('load-test.json')).toEqual(expect.arrayContaining(['datasource', 'testid', 'scenario']));
    expect(variables('service-health.json')).toEqual(expect.arrayContaining(['datasource', 'service']));
    expect(variables('bottleneck.json')).toEqual(expect.arrayContaining(['datasource', 'testid', 'scenario', 'service']));
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

describe('dashboard queries on k6 series written by the remote-write output', () => {
  it('parse in Prometheus, and every k6 panel query returns data for a run', async () => {
    const prometheus = await startTestPrometheus();
    try {
      const output = createPrometheusRemoteWriteOutput({
        argument: '',
        env: { K6_PROMETHEUS_RW_SERVER_URL: prometheus.writeUrl, K6_PROMETHEUS_RW_PUSH_INTERVAL: '20ms', K6_PROMETHEUS_RW_TREND_STATS: 'p(95),p(99)' },
        runTags: { testid: 'dash' },
        runDir: '/nonexistent',
        allowRemoteTargets: false,
        log: (message) => {
          throw new Error(message);
        },
      });
      await output.start();
      const start = Date.now() - 20_000;
      for (let i = 0; i < 20; i++) {
        output.addMetricSamples(iterationContainers(start + i * 1000, 20 + i, i, 'dash'));
        if (i % 5 === 4) await new Promise((r) => setTimeout(r, 60));
      }
      await output.stop();
      const variables = { testid: 'dash', scenario: '.*', service: '.*', datasource: 'prometheus' };
      const empty: string[] = [];
      for (const query of allPanelQueries()) {
        const expr = substitute(query.expr, variables, { rate: '30s', range: '5m' });
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
