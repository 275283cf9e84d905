import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../engine/metrics/aggregator.ts';
import { BUILTIN_METRICS } from '../../engine/metrics/builtin.ts';
import { MetricError, MetricRegistry } from '../../engine/metrics/registry.ts';
import { parseMetricName, parseThresholdExpression, ThresholdError, validateThresholds } from '../../engine/metrics/thresholds.ts';
import type { MetricDescriptor, SampleContainer } from '../../engine/metrics/types.ts';

const T0 = Date.UTC(2026, 0, 1);

function container(tags: Record<string, string>, ...samples: [MetricDescriptor, number][]): SampleContainer {
  return { time: T0, tags, samples: samples.map(([metric, value]) => ({ metric, value })) };
}

describe('threshold expressions', () => {
  it('parses every aggregation method and operator k6 accepts', () => {
    expect(parseThresholdExpression('p(95)<500')).toEqual({ method: 'p', percentile: 95, operator: '<', value: 500 });
    expect(parseThresholdExpression(' p(99.9) <= 1.5e3 ')).toEqual({
      method: 'p',
      percentile: 99.9,
      operator: '<=',
      value: 1500,
    });
    expect(parseThresholdExpression('rate>=0.95').operator).toBe('>=');
    expect(parseThresholdExpression('count>0').operator).toBe('>');
    expect(parseThresholdExpression('count===0').operator).toBe('===');
    expect(parseThresholdExpression('count==0').operator).toBe('==');
    expect(parseThresholdExpression('value!=3').operator).toBe('!=');
    for (const method of ['avg', 'min', 'max', 'med', 'value', 'count', 'rate']) {
      expect(parseThresholdExpression(`${method} < 1`).method).toBe(method);
    }
  });

  it('rejects malformed expressions with the reason', () => {
    expect(() => parseThresholdExpression('p(95)')).toThrow(/malformed threshold expression/);
    expect(() => parseThresholdExpression('p95<500')).toThrow(/unknown aggregation method "p95"/);
    expect(() => parseThresholdExpression('p(abc)<500')).toThrow(/malformed percentile value/);
    expect(() => parseThresholdExpression('avg<fast')).toThrow(/right hand side.*"fast" is not a number/);
    expect(() => parseThresholdExpression('average<5')).toThrow(ThresholdError);
    expect(() => parseThresholdExpression('p(101)<5')).toThrow(/outside 0–100/);
  });

  it('parses submetric names like k6', () => {
    expect(parseMetricName('http_req_duration')).toEqual({ metric: 'http_req_duration', filter: null, suffix: '' });
    expect(parseMetricName('http_req_duration{name:login, status:"200"}')).toEqual({
      metric: 'http_req_duration',
      filter: { name: 'login', status: '200' },
      suffix: 'name:login, status:"200"',
    });
    expect(() => parseMetricName('http_req_duration{status:200')).toThrow(/unmatched/);
    expect(() => parseMetricName('http_req_duration{status}')).toThrow(/malformed/);
    expect(() => parseMetricName('http_req_duration{status:200}x')).toThrow(/last position/);
  });

  it('validates the thresholds option against the registry', () => {
    const registry = new MetricRegistry();
    registry.define('login_time', 'trend', true);
    expect(
      validateThresholds(
        {
          http_req_duration: ['p(95)<500', { threshold: 'max<2000', abortOnFail: true, delayAbortEval: '10s' }],
          'http_req_failed{scenario:login}': ['rate<0.01'],
          login_time: ['med<100'],
          iterations: ['count>10', 'rate>1'],
          vus: ['value<=100'],
        },
        registry,
      ),
    ).toEqual([]);
    const problems = validateThresholds(
      {
        missing_metric: ['count>1'],
        http_reqs: ['p(95)<1'],
        checks: 'rate>0.9',
        http_req_duration: [{ threshold: 'p(95)<1', delayAbortEval: 'soon' }],
      },
      registry,
    );
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/invalid metric 'missing_metric'.*does not exist in the script/);
    expect(problems[1]).toMatch(/unsupported aggregation method p on metric of type counter.*count, rate/);
    expect(problems[2]).toMatch(/must be a list.*\["rate>0.9"\]/);
    expect(problems[3]).toMatch(/invalid delayAbortEval "soon"/);
    // Without a registry only the syntax is checked (before the init context ran).
    expect(validateThresholds({ custom_metric: ['count>1'] })).toEqual([]);
    expect(validateThresholds({ custom_metric: ['count>>1'] })[0]).toMatch(/custom_metric/);
  });

  it('rejects invalid metric names and redefinition with another type', () => {
    const registry = new MetricRegistry();
    const trend = registry.define('my_trend', 'trend', true);
    expect(registry.define('my_trend', 'trend', true)).toBe(trend);
    expect(() => registry.define('my_trend', 'counter')).toThrow(
      "metric 'my_trend' already exists but with type trend, instead of counter",
    );
    expect(() => registry.define('my_trend', 'trend')).toThrow(/value type time, instead of default/);
    expect(() => registry.define('http_reqs', 'gauge')).toThrow(MetricError);
    expect(() => registry.define('bad name', 'counter')).toThrow(/Invalid metric name: 'bad name'/);
    expect(() => registry.define('9lives', 'counter')).toThrow(MetricError);
    expect(() => registry.define('x'.repeat(130), 'counter')).toThrow(MetricError);
  });
});

describe('threshold evaluation', () => {
  it('evaluates trend, rate and counter thresholds at the end', () => {
    const aggregator = new Aggregator({
      thresholds: {
        http_req_duration: ['p(95)<500', 'avg<200'],
        http_req_failed: ['rate<0.1'],
        http_reqs: ['count>=100', 'rate>5'],
      },
    });
    const m = BUILTIN_METRICS;
    const batch: SampleContainer[] = [];
    for (let i = 0; i < 100; i++) {
      batch.push(
        container(
          { status: i < 90 ? '200' : '500' },
          [m.http_reqs, 1],
          [m.http_req_duration, i < 90 ? 50 : 900],
          [m.http_req_failed, i < 90 ? 0 : 1],
        ),
      );
    }
    aggregator.addMetricSamples(batch);
    // avg = (90*50 + 10*900)/100 = 135 → passes; p(95) is 900 → fails; failed rate 0.1 is not < 0.1.
    const result = aggregator.evaluateThresholds(10_000, { final: true });
    expect(result.ok).toBe(false);
    expect(result.breached).toEqual(['http_req_duration', 'http_req_failed']);
    const thresholds = aggregator.metric('http_req_duration')!.thresholds!.thresholds;
    expect(thresholds.map((t) => [t.source, t.ok])).toEqual([
      ['p(95)<500', false],
      ['avg<200', true],
    ]);
    // http_reqs rate = 100 / 10 s = 10/s > 5; over 30 s it is 3.3/s and fails.
    expect(aggregator.evaluateThresholds(30_000, { final: true }).breached).toEqual(['http_req_duration', 'http_req_failed', 'http_reqs']);
  });

  it('filters submetrics by every tag of the filter', () => {
    const aggregator = new Aggregator({
      thresholds: { 'http_req_duration{name:login,method:POST}': ['max<100'] },
    });
    const d = BUILTIN_METRICS.http_req_duration;
    aggregator.addMetricSamples([
      container({ name: 'login', method: 'POST', expected_response: 'true' }, [d, 40]),
      container({ name: 'login', method: 'GET', expected_response: 'true' }, [d, 400]),
      container({ name: 'home', method: 'POST', expected_response: 'false' }, [d, 700]),
      container({ name: 'login', method: 'POST', expected_response: 'true' }, [d, 60]),
    ]);
    const sub = aggregator.metric('http_req_duration{name:login,method:POST}')!;
    expect(sub.sink.type === 'trend' && [sub.sink.count, sub.sink.max]).toEqual([2, 60]);
    const expected = aggregator.metric('http_req_duration{expected_response:true}')!;
    expect(expected.sink.type === 'trend' && [expected.sink.count, expected.sink.max]).toEqual([3, 400]);
    const parent = aggregator.metric('http_req_duration')!;
    expect(parent.sink.type === 'trend' && parent.sink.count).toBe(4);
    expect(aggregator.evaluateThresholds(1000, { final: true }).ok).toBe(true);
    aggregator.addMetricSamples([container({ name: 'login', method: 'POST' }, [d, 150])]);
    expect(aggregator.evaluateThresholds(1000, { final: true }).breached).toEqual(['http_req_duration{name:login,method:POST}']);
  });

  it('aborts on failure only after delayAbortEval, and skips empty metrics during the run', () => {
    const aggregator = new Aggregator({
      thresholds: {
        http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true, delayAbortEval: '5s' }],
        checks: [{ threshold: 'rate>0.9', abortOnFail: true }],
      },
    });
    // No samples yet: nothing is evaluated during the run.
    expect(aggregator.evaluateThresholds(1000)).toEqual({ ok: true, abort: false, breached: [] });
    aggregator.addMetricSamples([container({}, [BUILTIN_METRICS.http_req_failed, 1])]);
    expect(aggregator.evaluateThresholds(3000)).toEqual({ ok: false, abort: false, breached: ['http_req_failed'] });
    expect(aggregator.evaluateThresholds(6000)).toEqual({ ok: false, abort: true, breached: ['http_req_failed'] });
    // At the end the empty `checks` rate is evaluated too: k6 divides 0 by 0 and the threshold fails.
    const final = aggregator.evaluateThresholds(7000, { final: true });
    expect(final).toEqual({ ok: false, abort: false, breached: ['checks', 'http_req_failed'] });
  });

  it('aborts immediately without delayAbortEval', () => {
    const aggregator = new Aggregator({ thresholds: { checks: [{ threshold: 'rate>0.9', abortOnFail: true }] } });
    aggregator.addMetricSamples([container({ check: 'ok', group: '' }, [BUILTIN_METRICS.checks, 0])]);
    expect(aggregator.evaluateThresholds(100).abort).toBe(true);
  });

  it('refuses thresholds on metrics the script does not define and tolerates them with --no-thresholds', () => {
    expect(() => new Aggregator({ thresholds: { my_counter: ['count>1'] } })).toThrow(
      /invalid metric 'my_counter' in threshold definitions: metric 'my_counter' does not exist/,
    );
    const lenient = new Aggregator({
      thresholds: { my_counter: ['count>1'], 'http_reqs{status:500}': ['count>>0'] },
      noThresholds: true,
    });
    expect(lenient.hasThresholds()).toBe(false);
    // The submetric is still tracked (and shown in the summary once it has samples), as in k6.
    lenient.addMetricSamples([container({ status: '500' }, [BUILTIN_METRICS.http_reqs, 1])]);
    expect(lenient.metric('http_reqs{status:500}')?.sink).toMatchObject({ value: 1 });
    expect(lenient.evaluateThresholds(1000, { final: true })).toEqual({ ok: true, abort: false, breached: [] });
    const registry = new MetricRegistry();
    registry.define('my_counter', 'counter');
    const strict = new Aggregator({ thresholds: { my_counter: ['count>1'] }, registry });
    expect(strict.evaluateThresholds(1000, { final: true }).breached).toEqual(['my_counter']);
  });
});
