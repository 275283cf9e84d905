import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithBaseline } from '../../reports/analysis/baseline.ts';
import { basePeakPerSec, loadWorkloadModel, projectDemand, WorkloadModelError } from '../../reports/analysis/projection.ts';
import { runFacts } from '../../reports/analysis/run-facts.ts';
import { analyseStability } from '../../reports/analysis/stability.ts';
import { messages } from '../../reports/i18n.ts';
import { buildReport } from '../../reports/model.ts';
import { loadFolder, loadRun, RunFolderError, type ServiceSampleLine } from '../../reports/run-folder.ts';
import { flattenMetrics } from '../../results-format/prometheus-text.ts';
import { SampleWindow } from '../../capacity/sample-window.ts';
import { criteriaFromThresholds, parseSloFlag, SloSyntaxError, sloThresholds } from '../../capacity/slo.ts';
import { brokenCriteria } from '../../capacity/analysis.ts';
import { saturationInWindow } from '../../results-format/index.ts';
import { writeSyntheticCapacity, writeSyntheticRun } from './fixtures/synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'loadlab-analysis-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('SLO parsing', () => {
  it('compiles the --slo flag into k6 thresholds on the built-in metrics', () => {
    const criteria = parseSloFlag('p95<800ms, p99<2s,errors<1%,checks>99%');
    expect(criteria.map((c) => [c.metric, c.threshold])).toEqual([
      ['http_req_duration', 'p(95)<800'],
      ['http_req_duration', 'p(99)<2000'],
      ['http_req_failed', 'rate<0.01'],
      ['checks', 'rate>0.99'],
    ]);
    expect(sloThresholds(criteria)).toEqual({
      http_req_duration: ['p(95)<800', 'p(99)<2000'],
      http_req_failed: ['rate<0.01'],
      checks: ['rate>0.99'],
    });
  });
  it("takes latencies in k6's duration units", () => {
    expect(parseSloFlag('p95<1m')[0].threshold).toBe('p(95)<60000');
    expect(parseSloFlag('p99<=1m30s')[0].threshold).toBe('p(99)<=90000');
    expect(parseSloFlag('avg<250')[0].threshold).toBe('avg<250');
    expect(parseSloFlag('max<500us')[0].threshold).toBe('max<0.5');
  });
  it('takes tag filters with quoted values and plain k6 thresholds, a comma between tags included', () => {
    const criteria = parseSloFlag(
      'p95{name:"/api/procedures"}<1s,http_req_duration{name:"/a b",method:GET}:p(99)<900,errors{flow:login}<2%',
    );
    expect(criteria.map((c) => [c.metric, c.threshold])).toEqual([
      ['http_req_duration{name:"/api/procedures"}', 'p(95)<1000'],
      ['http_req_duration{name:"/a b",method:GET}', 'p(99)<900'],
      ['http_req_failed{flow:login}', 'rate<0.02'],
    ]);
  });
  it('rejects malformed SLOs with the reason', () => {
    expect(() => parseSloFlag('p95<800kg')).toThrow(SloSyntaxError);
    expect(() => parseSloFlag('p95<800kg')).toThrow(/not a duration like 800ms/);
    expect(() => parseSloFlag('errors<1ms')).toThrow(/percentage/);
    expect(() => parseSloFlag('p95<5%')).toThrow(/duration/);
    expect(() => parseSloFlag('')).toThrow(/empty/);
    expect(() => parseSloFlag('http_req_duration:p95 under 800')).toThrow(SloSyntaxError);
  });
  it("reads k6 thresholds including submetrics and object form, with the engine's parser", () => {
    const criteria = criteriaFromThresholds({
      'http_req_duration{scenario:login}': ['p(95)<800', { threshold: 'p(99)<=1500', abortOnFail: true }],
      login_failures: ['rate<0.02'],
    });
    expect(criteria.map((c) => [c.metric, c.threshold, c.limit])).toEqual([
      ['http_req_duration{scenario:login}', 'p(95)<800', 800],
      ['http_req_duration{scenario:login}', 'p(99)<=1500', 1500],
      ['login_failures', 'rate<0.02', 0.02],
    ]);
    expect(() => criteriaFromThresholds({ http_req_duration: ['p95 under 800'] })).toThrow(/failed parsing threshold expression/);
  });
});

describe('SLO evaluation on a capacity step', () => {
  const duration = { name: 'http_req_duration', type: 'trend', contains: 'time' } as const;
  const failed = { name: 'http_req_failed', type: 'rate', contains: 'default' } as const;
  const reqs = { name: 'http_reqs', type: 'counter', contains: 'default' } as const;
  function windowWith(samples: { name: string; ms: number; failed?: boolean }[]): SampleWindow {
    const window = new SampleWindow(0);
    window.add(
      samples.map((sample, i) => ({
        time: 1000 + i,
        tags: Object.freeze({ name: sample.name, method: 'GET', status: '200' }),
        samples: [
          { metric: reqs, value: 1 },
          { metric: duration, value: sample.ms },
          { metric: failed, value: sample.failed ? 1 : 0 },
        ],
      })),
    );
    return window;
  }
  const samples = Array.from({ length: 100 }, (_, i) => ({
    name: i % 2 ? '/api/procedures' : '/api/dossiers',
    ms: i % 2 ? 1000 + i : 10 + i,
  }));

  it('matches quoted tag values, in --slo and in thresholds alike', () => {
    const window = windowWith(samples);
    const criteria = [
      ...parseSloFlag('p95{name:"/api/procedures"}<900ms,http_req_duration{name:\'/api/dossiers\'}:p(95)<900'),
      ...criteriaFromThresholds({ 'http_req_duration{name:"/api/procedures"}': ['p(95)<2000'] }),
    ];
    const outcomes = window.evaluate(criteria, 1);
    expect(outcomes.map((o) => [o.ok, o.noData ?? false])).toEqual([
      [false, false],
      [true, false],
      [true, false],
    ]);
    // The engine's percentile over exactly that request's samples: 1001, 1003, …, 1099.
    const procedures = samples.filter((s) => s.name === '/api/procedures').map((s) => s.ms);
    const rank = 0.95 * (procedures.length - 1);
    expect(outcomes[0].value).toBeCloseTo(
      procedures[Math.floor(rank)] + (procedures[Math.ceil(rank)] - procedures[Math.floor(rank)]) * (rank % 1),
      9,
    );
  });

  it('reports a criterion that matches nothing as "no data", never as met', () => {
    const window = windowWith(samples);
    const [outcome] = window.evaluate(parseSloFlag('p95{name:/api/typo}<800ms'), 1);
    expect(outcome).toMatchObject({ ok: false, noData: true });
    const step = { ...writeSyntheticCapacity(join(root, 'nodata-src'), 200).steps[0], slo: [outcome] };
    expect(brokenCriteria(step, 0.95)).toEqual(['@no-data:p95{name:/api/typo}<800ms']);
    expect(messages('en').firstBreak(1, 10, brokenCriteria(step, 0.95))).toContain('p95{name:/api/typo}<800ms: no data');
    expect(messages('vi').criterion(brokenCriteria(step, 0.95)[0])).toContain('không có dữ liệu');
  });
});

describe('demand projection', () => {
  it('turns the NDXP national preset into peak transactions per second with 20 %/year growth', () => {
    const model = loadWorkloadModel('ndxp-national');
    // 2.57 M/day in 8 working hours with a 2.5× peak hour: 223 tx/s in 2024 (DOMAIN.md: "low hundreds").
    expect(basePeakPerSec(model)).toBeCloseTo((2_570_000 / (8 * 3600)) * 2.5, 6);
    const projection = projectDemand(model, 300, 2025);
    expect(projection.years[1].peakPerSec).toBeCloseTo(basePeakPerSec(model) * 1.2, 6);
    // 223 · 1.2^n > 300 first for n = 2 → 2026.
    expect(projection.crossingYear).toBe(2026);
    expect(projection.headroomNow).toBeCloseTo(300 / (basePeakPerSec(model) * 1.2) - 1, 6);
  });
  it('computes the crossing year beyond the horizon for ample capacity', () => {
    const projection = projectDemand(loadWorkloadModel('ndxp-national'), 10_000, 2025);
    expect(projection.crossingYear).toBeNull();
    expect(projection.beyondHorizon).toBe(2024 + Math.floor(Math.log(10_000 / basePeakPerSec(projection.model)) / Math.log(1.2)) + 1);
  });
  it('validates model files with a specific message', () => {
    const file = join(root, 'bad-model.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'x',
        baseYear: 2024,
        growthPerYear: 0.2,
        horizonYears: 5,
        name: { en: 'x', vi: 'x' },
        description: { en: '', vi: '' },
        unit: { en: '/s', vi: '/giây' },
        source: { en: '', vi: '' },
      }),
    );
    expect(() => loadWorkloadModel(file)).toThrow(/exactly one of "daily" or "burst"/);
    expect(() => loadWorkloadModel('no-such-preset')).toThrow(WorkloadModelError);
    for (const preset of ['province-documents', 'cutover-login-storm'])
      expect(basePeakPerSec(loadWorkloadModel(preset))).toBeGreaterThan(0);
  });
});

describe('capacity analysis', () => {
  it('estimates the maximum sustainable throughput near the true saturation and names the bottleneck', () => {
    const result = writeSyntheticCapacity(join(root, 'capacity'), 200);
    const analysis = result.analysis;
    expect(analysis.bracket).toEqual({ sustainable: 190, unsustainable: 211 });
    expect(analysis.maxSustainableThroughput).toBeGreaterThan(180);
    expect(analysis.maxSustainableThroughput).toBeLessThan(211);
    expect(analysis.firstBreak?.stepIndex).toBe(5);
    expect(analysis.firstBreak?.criteria.join(' ')).toMatch(/p95<100ms/);
    expect(analysis.bottleneck).toMatchObject({ kind: 'resource', name: 'ndxp/population' });
    expect(analysis.knee).not.toBeNull();
  });
});

describe('results folders', () => {
  it('loads a run and derives per-flow and per-second facts', () => {
    const dir = writeSyntheticRun(join(root, 'run-a'), { rps: 40, durationS: 20 });
    const facts = runFacts(loadRun(dir));
    expect(facts.requests).toBe(800);
    expect(facts.seconds).toHaveLength(20);
    expect(facts.seconds[3].requests).toBe(40);
    expect(facts.flows.map((f) => f.name)).toEqual(['login']);
    expect(facts.thresholds.every((t) => t.ok)).toBe(true);
  });
  it('says what is wrong with a folder that is not a run', () => {
    expect(() => loadFolder(join(root, 'missing'))).toThrow(/does not exist/);
    const empty = join(root, 'empty');
    cpSync(writeSyntheticRun(join(root, 'tmp-run')), empty, { recursive: true });
    rmSync(join(empty, 'summary.json'));
    expect(() => loadFolder(empty)).toThrow(RunFolderError);
    writeFileSync(join(empty, 'summary.json'), '{"metrics": ');
    expect(() => loadFolder(empty)).toThrow(/not valid JSON/);
  });
  it('computes utilisation as busy slot-seconds per second over slots', () => {
    const lines = [0, 1, 2, 3].flatMap((s): ServiceSampleLine[] => [
      { t: 100 + s, service: 'identity', metric: 'loadlab_resource_capacity', labels: { resource: 'credential_check' }, value: 4 },
      {
        t: 100 + s,
        service: 'identity',
        metric: 'loadlab_resource_busy_seconds_total',
        labels: { resource: 'credential_check' },
        value: 3 * s,
      },
      {
        t: 100 + s,
        service: 'identity',
        metric: 'loadlab_resource_rejections_total',
        labels: { resource: 'credential_check', reason: 'queue_full' },
        value: s,
      },
      {
        t: 100 + s,
        service: 'identity',
        metric: 'loadlab_resource_rejections_total',
        labels: { resource: 'credential_check', reason: 'queue_timeout' },
        value: 2 * s,
      },
    ]);
    const [saturation] = saturationInWindow(lines, 100, 103);
    expect(saturation.utilisation).toBeCloseTo(0.75, 6);
    expect(saturation.rejections).toBe(9);
  });
  it('flattens Prometheus text into services.jsonl lines', () => {
    const text = [
      '# TYPE loadlab_resource_in_use gauge',
      'loadlab_resource_in_use{service="ndxp",resource="population"} 3',
      '# TYPE loadlab_resource_service_seconds histogram',
      'loadlab_resource_service_seconds_bucket{service="ndxp",resource="population",le="0.01"} 1',
      'loadlab_resource_service_seconds_bucket{service="ndxp",resource="population",le="+Inf"} 4',
      'loadlab_resource_service_seconds_sum{service="ndxp",resource="population"} 0.08',
      'loadlab_resource_service_seconds_count{service="ndxp",resource="population"} 4',
      '# TYPE nodejs_version_info gauge',
      'nodejs_version_info{version="v20"} 1',
    ].join('\n');
    const lines = flattenMetrics(text, 'ndxp', 1000);
    expect(lines).toEqual([
      { t: 1000, service: 'ndxp', metric: 'loadlab_resource_in_use', labels: { resource: 'population' }, value: 3 },
      { t: 1000, service: 'ndxp', metric: 'loadlab_resource_service_seconds_sum', labels: { resource: 'population' }, value: 0.08 },
      { t: 1000, service: 'ndxp', metric: 'loadlab_resource_service_seconds_count', labels: { resource: 'population' }, value: 4 },
    ]);
  });
});

describe('stability and baseline', () => {
  it('detects latency and memory drift in a long run and not in a flat one', () => {
    const drifting = loadRun(writeSyntheticRun(join(root, 'soak'), { durationS: 400, latencyDrift: 0.6 }));
    const stability = analyseStability(runFacts(drifting).seconds, drifting.services);
    expect(stability.meaningful).toBe(true);
    expect(stability.drifts.find((d) => d.subject === 'latency_p95')?.drifting).toBe(true);
    expect(stability.drifts.find((d) => d.subject === 'memory:identity')?.drifting).toBe(true);
    const flat = loadRun(writeSyntheticRun(join(root, 'flat'), { durationS: 60 }));
    expect(analyseStability(runFacts(flat).seconds, []).drifts.find((d) => d.subject === 'latency_p95')?.drifting).toBe(false);
  });
  it('flags an injected latency regression and nothing when runs match', () => {
    const before = loadFolder(writeSyntheticRun(join(root, 'base'), { p95: 100 }));
    const same = loadFolder(writeSyntheticRun(join(root, 'same'), { p95: 103 }));
    const worse = loadFolder(writeSyntheticRun(join(root, 'worse'), { p95: 160, failedRatio: 0.02 }));
    if (before.kind !== 'run' || same.kind !== 'run' || worse.kind !== 'run') throw new Error('expected runs');
    const base = { facts: runFacts(before.run), capacity: null };
    expect(compareWithBaseline({ facts: runFacts(same.run), capacity: null }, base).filter((c) => c.regression)).toEqual([]);
    const flagged = compareWithBaseline({ facts: runFacts(worse.run), capacity: null }, base)
      .filter((c) => c.regression)
      .map((c) => c.subject);
    expect(flagged).toContain('http_req_duration p(95)');
    expect(flagged).toContain('http_req_failed');
    const report = buildReport(worse, { baseline: before.dir });
    expect(report.recommendations.some((r) => r.key === 'regressions')).toBe(true);
  });
  it('gives a plain run a verdict from its thresholds', () => {
    const failing = loadFolder(writeSyntheticRun(join(root, 'failing'), { thresholdOk: false }));
    const report = buildReport(failing, { workload: 'none' });
    expect(report.verdict).toMatchObject({ key: 'thresholds', light: 'red', passed: 1, total: 2 });
    expect(report.flows[0].light).toBe('red');
    const json = JSON.parse(JSON.stringify(report));
    expect(json.capacity).toBeNull();
    expect(readFileSync(join(failing.dir, 'meta.json'), 'utf8')).toContain('exitCode');
  });
  it('says first that an interrupted run is partial, and never calls it green', () => {
    const interrupted = loadFolder(writeSyntheticRun(join(root, 'interrupted'), { interrupted: true, durationS: 12 }));
    const report = buildReport(interrupted, { workload: 'none' });
    expect(report.flows[0].findings[0]).toEqual({ key: 'interrupted', afterS: 12 });
    expect(report.flows[0].light).toBe('amber');
    expect(messages('vi').finding(report.flows[0].findings[0])).toBe('lần chạy bị ngắt sau 12 giây: số liệu chỉ là một phần');
  });
});

describe('number formats', () => {
  it('prints Vietnamese and English numbers, and never a negative zero', () => {
    const vi = messages('vi').fmt;
    const en = messages('en').fmt;
    expect(vi.number(1234.5, 1)).toBe('1.234,5');
    expect(en.number(1234.5, 1)).toBe('1,234.5');
    expect(vi.percent(-0.0004, 0)).toBe('0 %');
    expect(en.percent(-0.123, 0)).toBe('-12 %');
  });
});
