import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../engine/metrics/aggregator.ts';
import { BUILTIN_METRICS as M } from '../../engine/metrics/builtin.ts';
import {
  buildSummaryData,
  humanizeBytes,
  humanizeDuration,
  renderDefaultSummary,
  renderTextSummary,
  type SummaryData,
  type SummaryMetric,
  toSummaryExport,
  validateSummaryOptions,
} from '../../engine/metrics/summary.ts';
import type { MetricDescriptor, SampleContainer } from '../../engine/metrics/types.ts';

// End-of-test summary printed by k6 v0.40 (from a public benchmark write-up), with
// summaryTrendStats avg,min,med,max,p(95),p(99),p(99.99),count and a threshold on
// http_req_duration{gzip:yes}.
const K6_TEXT_SUMMARY = `     █ main index page

       ✓ is status 200

     checks.........................: 100.00% ✓ 1501       ✗ 0   
     data_received..................: 3.6 MB  239 kB/s
     data_sent......................: 73 kB   4.8 kB/s
     group_duration.................: avg=278.22µs min=225.94µs med=260.97µs max=4.7ms    p(95)=304.74µs p(99)=963.37µs p(99.99)=4.21ms   count=1501
     http_req_blocked...............: avg=9.72µs   min=160ns    med=262ns    max=922.33µs p(95)=361ns    p(99)=649.83µs p(99.99)=919.25µs count=1501
     http_req_connecting............: avg=700ns    min=0s       med=0s       max=99.76µs  p(95)=0s       p(99)=44.79µs  p(99.99)=96.78µs  count=1501
     http_req_duration..............: avg=213.93µs min=181.89µs med=209.62µs max=588.97µs p(95)=238.92µs p(99)=327.53µs p(99.99)=586.16µs count=1501
       { expected_response:true }...: avg=213.93µs min=181.89µs med=209.62µs max=588.97µs p(95)=238.92µs p(99)=327.53µs p(99.99)=586.16µs count=1501
     ✓ { gzip:yes }.................: avg=213.93µs min=181.89µs med=209.62µs max=588.97µs p(95)=238.92µs p(99)=327.53µs p(99.99)=586.16µs count=1501
     http_req_failed................: 0.00%   ✓ 0          ✗ 1501
     http_req_receiving.............: avg=21.72µs  min=14.74µs  med=19.78µs  max=194.79µs p(95)=27.82µs  p(99)=93.34µs  p(99.99)=193.84µs count=1501
     http_req_sending...............: avg=57.33µs  min=25.28µs  med=31.96µs  max=312.68µs p(95)=202.96µs p(99)=211.36µs p(99.99)=309.35µs count=1501
     http_req_tls_handshaking.......: avg=7.8µs    min=0s       med=0s       max=744.19µs p(95)=0s       p(99)=547.02µs p(99.99)=740.18µs count=1501
     http_req_waiting...............: avg=134.87µs min=0s       med=152.74µs max=520.46µs p(95)=174.36µs p(99)=230.68µs p(99.99)=510.61µs count=1501
     http_reqs......................: 1501    100.053087/s
     iteration_duration.............: avg=291.89µs min=236.67µs med=273.92µs max=4.72ms   p(95)=319.85µs p(99)=983.59µs p(99.99)=4.24ms   count=1501
     iterations.....................: 1501    100.053087/s
     vus............................: 20      min=20       max=20
     vus_max........................: 20      min=20       max=20`;

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(95)', 'p(99)', 'p(99.99)', 'count'];

/** Turns a printed duration back into milliseconds, just above the value k6 truncated from. */
function unhumanizeDuration(text: string): number {
  const match = /^([\d.]+)(ns|µs|ms|s)$/.exec(text)!;
  const value = Number(match[1]);
  if (value === 0) return 0;
  switch (match[2]) {
    case 'ns':
      return (value + 0.5) / 1e6;
    case 'µs':
      return (value + 0.005) / 1000;
    case 'ms':
      return value + 0.005;
    default:
      return (value + 0.005) * 1000;
  }
}

/** The SummaryData k6 would have had for K6_TEXT_SUMMARY, rebuilt from its trend lines. */
function dataForK6Example(): SummaryData {
  const metrics: Record<string, SummaryMetric> = {};
  for (const line of K6_TEXT_SUMMARY.split('\n')) {
    const match = /^\s+(?:✓ )?([\w{}: ]+?)\.+: (avg=.*)$/.exec(line);
    if (match === null) continue;
    const name = match[1].startsWith('{') ? `http_req_duration{${match[1].slice(2, -2)}}` : match[1];
    const values: Record<string, number> = {};
    for (const [, stat, value] of match[2].matchAll(/(\S+)=(\S+)/g)) {
      values[stat] = stat === 'count' ? Number(value) : unhumanizeDuration(value);
    }
    metrics[name] = { type: 'trend', contains: 'time', values };
  }
  metrics['http_req_duration{gzip:yes}'].thresholds = { 'p(95)<500': { ok: true } };
  Object.assign(metrics, {
    checks: { type: 'rate', contains: 'default', values: { rate: 1, passes: 1501, fails: 0 } },
    data_received: { type: 'counter', contains: 'data', values: { count: 3_600_000, rate: 239_000 } },
    data_sent: { type: 'counter', contains: 'data', values: { count: 73_000, rate: 4_800 } },
    http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 1501 } },
    http_reqs: { type: 'counter', contains: 'default', values: { count: 1501, rate: 100.053087 } },
    iterations: { type: 'counter', contains: 'default', values: { count: 1501, rate: 100.053087 } },
    vus: { type: 'gauge', contains: 'default', values: { value: 20, min: 20, max: 20 } },
    vus_max: { type: 'gauge', contains: 'default', values: { value: 20, min: 20, max: 20 } },
  });
  return {
    root_group: {
      name: '',
      path: '',
      id: 'd41d8cd98f00b204e9800998ecf8427e',
      checks: [],
      groups: [
        {
          name: 'main index page',
          path: '::main index page',
          id: 'x',
          groups: [],
          checks: [{ name: 'is status 200', path: '::main index page::is status 200', id: 'y', passes: 1501, fails: 0 }],
        },
      ],
    },
    options: { summaryTrendStats: TREND_STATS, summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 15_000 },
    metrics,
  };
}

describe('text summary', () => {
  it('renders exactly what k6 printed for the same data', () => {
    const text = renderTextSummary(dataForK6Example(), { indent: ' ', enableColors: false });
    expect(text.split('\n')).toEqual(K6_TEXT_SUMMARY.split('\n'));
  });

  it('marks failed thresholds and failing checks, and colours only when asked', () => {
    const data = dataForK6Example();
    data.metrics['http_req_duration{gzip:yes}'].thresholds = { 'p(95)<500': { ok: true }, 'max<0.1': { ok: false } };
    data.root_group.groups[0].checks[0].fails = 499;
    const text = renderTextSummary(data, { enableColors: false });
    expect(text).toContain('     ✗ { gzip:yes }.................: avg=213.93µs');
    expect(text).toContain('       ✗ is status 200\n        ↳  75% — ✓ 1501 / ✗ 499');
    expect(text).not.toContain('\x1b[');
    const coloured = renderTextSummary(data, { enableColors: true });
    expect(coloured).toContain('\x1b[31m✗\x1b[0m { gzip:yes }\x1b[2m.................:\x1b[0m');
    expect(coloured).toContain('avg=\x1b[36m213.93µs\x1b[0m');
    expect(renderDefaultSummary(data, false)).toBe(`\n${text}\n\n`);
  });

  it('formats values like k6', () => {
    expect(humanizeDuration(0)).toBe('0s');
    expect(humanizeDuration(0.0001234)).toBe('123ns');
    expect(humanizeDuration(0.5)).toBe('500µs');
    expect(humanizeDuration(12.3456)).toBe('12.34ms');
    expect(humanizeDuration(1234.5)).toBe('1.23s');
    expect(humanizeDuration(90_500)).toBe('1m30s');
    expect(humanizeDuration(3_723_000)).toBe('1h2m3s');
    expect(humanizeDuration(1234.5, 'ms')).toBe('1234.50ms');
    expect(humanizeDuration(1.5, 'us')).toBe('1500.00µs');
    expect(humanizeBytes(5)).toBe('5 B');
    expect(humanizeBytes(2_369_335)).toBe('2.4 MB');
    expect(humanizeBytes(372_009_371)).toBe('372 MB');
  });
});

function c(tags: Record<string, string>, ...samples: [MetricDescriptor, number][]): SampleContainer {
  return { time: 0, tags, samples: samples.map(([metric, value]) => ({ metric, value })) };
}

describe('handleSummary data', () => {
  function runAggregator(): Aggregator {
    const aggregator = new Aggregator({ thresholds: { http_req_duration: ['avg<150', 'p(95)<500'] } });
    const containers: SampleContainer[] = [c({}, [M.vus, 1], [M.vus_max, 50]), c({}, [M.vus, 49]), c({}, [M.vus, 1])];
    for (let i = 1; i <= 200; i++) {
      const tags = { name: 'http://127.0.0.1/', method: 'GET', status: '200', expected_response: 'true', group: '' };
      containers.push(
        c(
          tags,
          [M.http_reqs, 1],
          [M.http_req_duration, i],
          [M.http_req_blocked, 0.01],
          [M.http_req_connecting, 0],
          [M.http_req_tls_handshaking, 0],
          [M.http_req_sending, 0.02],
          [M.http_req_waiting, i - 0.5],
          [M.http_req_receiving, 0.47],
          [M.http_req_failed, 0],
          [M.data_sent, 100],
          [M.data_received, 1000],
        ),
        c({ check: 'is status 200', group: '' }, [M.checks, 1]),
        c({ group: '' }, [M.iterations, 1], [M.iteration_duration, i + 1]),
      );
    }
    aggregator.addMetricSamples(containers);
    aggregator.evaluateThresholds(20_000, { final: true });
    return aggregator;
  }

  it('has the shape k6 hands to handleSummary', () => {
    const data = buildSummaryData(runAggregator(), {
      testRunDurationMs: 20_000,
      summaryTrendStats: TREND_STATS,
      isStdOutTTY: true,
      isStdErrTTY: true,
    });
    expect(Object.keys(data)).toEqual(['root_group', 'options', 'state', 'metrics']);
    // The reference values below come from a k6 v0.40 summary.json for a comparable run.
    expect(data.root_group).toEqual({
      name: '',
      path: '',
      id: 'd41d8cd98f00b204e9800998ecf8427e',
      groups: [],
      checks: [{ name: 'is status 200', path: '::is status 200', id: '548d37ca5f33793206f7832e7cea54fb', passes: 200, fails: 0 }],
    });
    expect(data.options).toEqual({ summaryTrendStats: TREND_STATS, summaryTimeUnit: '', noColor: false });
    expect(data.state).toEqual({ isStdOutTTY: true, isStdErrTTY: true, testRunDurationMs: 20_000 });
    const k6Shapes: Record<string, [string, string]> = {
      iterations: ['counter', 'default'],
      http_req_receiving: ['trend', 'time'],
      checks: ['rate', 'default'],
      data_sent: ['counter', 'data'],
      iteration_duration: ['trend', 'time'],
      data_received: ['counter', 'data'],
      http_req_tls_handshaking: ['trend', 'time'],
      http_req_failed: ['rate', 'default'],
      http_req_blocked: ['trend', 'time'],
      vus: ['gauge', 'default'],
      http_reqs: ['counter', 'default'],
      http_req_waiting: ['trend', 'time'],
      http_req_duration: ['trend', 'time'],
      'http_req_duration{expected_response:true}': ['trend', 'time'],
      http_req_connecting: ['trend', 'time'],
      http_req_sending: ['trend', 'time'],
      vus_max: ['gauge', 'default'],
    };
    expect(Object.keys(data.metrics).sort()).toEqual(Object.keys(k6Shapes).sort());
    for (const [name, [type, contains]] of Object.entries(k6Shapes)) {
      const metric = data.metrics[name];
      expect([name, metric.type, metric.contains]).toEqual([name, type, contains]);
      const expectedKeys = {
        counter: ['count', 'rate'],
        rate: ['rate', 'passes', 'fails'],
        gauge: ['value', 'min', 'max'],
        trend: TREND_STATS,
      }[type]!;
      expect(Object.keys(metric.values)).toEqual(expectedKeys);
    }
    expect(data.metrics.http_reqs.values).toEqual({ count: 200, rate: 10 });
    expect(data.metrics.vus.values).toEqual({ value: 1, min: 1, max: 49 });
    expect(data.metrics.http_req_failed.values).toEqual({ rate: 0, passes: 0, fails: 200 });
    expect(data.metrics.checks.values).toEqual({ rate: 1, passes: 200, fails: 0 });
    expect(data.metrics.data_received.values).toEqual({ count: 200_000, rate: 10_000 });
    const duration = data.metrics.http_req_duration;
    expect(duration.values).toEqual({
      avg: 100.5,
      min: 1,
      med: 100.5,
      max: 200,
      'p(95)': expect.closeTo(190.05, 9),
      'p(99)': expect.closeTo(198.01, 9),
      'p(99.99)': expect.closeTo(199.9801, 9),
      count: 200,
    });
    expect(duration.thresholds).toEqual({ 'avg<150': { ok: true }, 'p(95)<500': { ok: true } });
    expect(data.metrics.http_reqs.thresholds).toBeUndefined();
  });

  it('builds the group tree from check and group_duration tags', () => {
    const aggregator = new Aggregator();
    aggregator.addMetricSamples([
      c({ group: '::login' }, [M.group_duration, 5]),
      c({ group: '::login', check: 'form shown' }, [M.checks, 1]),
      c({ group: '::login::submit', check: 'redirected' }, [M.checks, 0]),
      c({ group: '::login::submit', check: 'redirected' }, [M.checks, 1]),
      c({ group: '::empty group' }, [M.group_duration, 1]),
      c({ group: '', check: 'root check' }, [M.checks, 1]),
    ]);
    const root = aggregator.rootGroup();
    expect(root.checks.map((check) => check.path)).toEqual(['::root check']);
    expect(root.groups.map((group) => [group.name, group.path])).toEqual([
      ['login', '::login'],
      ['empty group', '::empty group'],
    ]);
    const login = root.groups[0];
    expect(login.checks).toEqual([expect.objectContaining({ name: 'form shown', path: '::login::form shown', passes: 1, fails: 0 })]);
    expect(login.groups[0]).toEqual(
      expect.objectContaining({
        name: 'submit',
        path: '::login::submit',
        checks: [expect.objectContaining({ name: 'redirected', passes: 1, fails: 1 })],
      }),
    );
    const text = renderTextSummary(buildSummaryData(aggregator, { testRunDurationMs: 1000 }), { enableColors: false });
    expect(text).toContain(
      '     ✓ root check\n\n     █ login\n\n       ✓ form shown\n\n       █ submit\n\n         ✗ redirected\n          ↳  50% — ✓ 1 / ✗ 1\n\n     █ empty group\n',
    );
  });

  it('exports the legacy --summary-export format', () => {
    const data = buildSummaryData(runAggregator(), { testRunDurationMs: 20_000 });
    data.metrics.http_req_duration.thresholds!['avg<150'].ok = false;
    const exported = JSON.parse(toSummaryExport(data));
    expect(Object.keys(exported).sort()).toEqual(['metrics', 'root_group', 'state']);
    expect(exported.metrics.checks).toEqual({ value: 1, passes: 200, fails: 0 });
    expect(exported.metrics.http_reqs).toEqual({ count: 200, rate: 10 });
    expect(exported.metrics.http_req_duration.thresholds).toEqual({ 'avg<150': true, 'p(95)<500': false });
    expect(exported.metrics.http_req_duration['p(90)']).toBeCloseTo(180.1, 9);
    expect(exported.root_group.checks['is status 200']).toEqual({
      name: 'is status 200',
      path: '::is status 200',
      id: '548d37ca5f33793206f7832e7cea54fb',
      passes: 200,
      fails: 0,
    });
    expect(exported.root_group.groups).toEqual({});
    expect(toSummaryExport(data)).toMatch(/^\{\n {4}"root_group"/);
  });

  it('validates summary options', () => {
    expect(validateSummaryOptions({ summaryTrendStats: ['avg', 'p(99.9)', 'count'], summaryTimeUnit: 'ms' })).toEqual([]);
    expect(validateSummaryOptions({ summaryTrendStats: ['avg', 'p99', 'mean'], summaryTimeUnit: 'minutes' })).toEqual([
      expect.stringMatching(/stat 'p99' is unknown/),
      expect.stringMatching(/stat 'mean' is unknown/),
      expect.stringMatching(/summaryTimeUnit 'minutes' is invalid/),
    ]);
  });
});
