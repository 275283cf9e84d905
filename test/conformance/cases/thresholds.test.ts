// Thresholds: every aggregation, submetrics, abortOnFail, invalid expressions.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check, group, sleep } from 'k6';\nimport { Counter, Gauge, Rate, Trend } from 'k6/metrics';\n`;

describeConformance('thresholds', () => {
  conformance('every aggregation of every metric type, passing and failing', {
    script: `${HEAD}const c = new Counter('my_counter'); const g = new Gauge('my_gauge'); const r = new Rate('my_rate'); const t = new Trend('my_trend');
export const options = { iterations: 10, thresholds: {
  my_counter: ['count==10', 'count>10', 'rate>0'],
  my_gauge: ['value==9', 'value<5'],
  my_rate: ['rate==0.5', 'rate>0.9'],
  my_trend: ['avg==4.5', 'min==0', 'max==9', 'med==4.5', 'p(90)<10', 'p(99.9)>100', 'count==10'],
} };
export default function () { c.add(1); g.add(__ITER); r.add(__ITER % 2 === 0); t.add(__ITER); }`,
    workers: [1],
  });

  conformance('submetrics by status, check name, group and scenario', {
    script: `${HEAD}export const options = { iterations: 4, thresholds: {
  'http_req_duration{status:200}': ['max<5000'],
  'http_reqs{status:404}': ['count==2'],
  'checks{check:is ok}': ['rate==0.5'],
  'iterations{scenario:default}': ['count==4'],
  'http_req_duration{group:::g}': ['p(95)<5000'],
  'http_req_failed{method:GET}': ['rate<0.6'],
} };
export default function () {
  group('g', () => {
    const res = http.get(__ENV.TARGET + (__ITER % 2 ? '/status/404' : '/'));
    check(res, { 'is ok': (r) => r.status === 200 });
  });
}`,
    workers: [undefined, 1],
  });

  conformance('a crossed threshold exits 99', {
    script: `${HEAD}export const options = { iterations: 3, thresholds: { http_req_failed: ['rate<0.1'] } };
export default function () { http.get(__ENV.TARGET + '/status/500'); }`,
    workers: [1],
    check: ({ k6 }) => expect(k6.exitCode).toBe(99),
  });

  conformance('--no-thresholds: crossed thresholds do not fail the run', {
    script: `${HEAD}export const options = { iterations: 2, thresholds: { iterations: ['count>100'] } };
export default function () {}`,
    flags: ['--no-thresholds'],
    workers: [1],
  });

  conformance('abortOnFail stops the test early with exit 99', {
    script: `${HEAD}export const options = { scenarios: { c: { executor: 'constant-vus', vus: 1, duration: '10s' } },
  thresholds: { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true }] } };
export default function () { http.get(__ENV.TARGET + '/status/503'); sleep(0.1); }`,
    counts: { relative: 0.7, absolute: 10 },
    skip: ['jsonPoints', 'requests'],
    timeoutMs: 30_000,
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(Number(run.summary?.state.testRunDurationMs)).toBeLessThan(8000);
    },
  });

  conformance('abortOnFail with delayAbortEval waits before aborting', {
    script: `${HEAD}export const options = { scenarios: { c: { executor: 'constant-vus', vus: 1, duration: '8s' } },
  thresholds: { iterations: [{ threshold: 'count>1000000', abortOnFail: true, delayAbortEval: '3s' }] } };
export default function () { sleep(0.2); }`,
    counts: { relative: 0.5, absolute: 10 },
    skip: ['jsonPoints'],
    timeoutMs: 30_000,
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        expect(Number(run.summary?.state.testRunDurationMs)).toBeGreaterThan(2500);
        expect(Number(run.summary?.state.testRunDurationMs)).toBeLessThan(7800);
      }
    },
  });

  conformance('an invalid threshold expression exits 104', {
    script: `${HEAD}export const options = { thresholds: { http_req_duration: ['p95<100'] } };
export default function () {}`,
    workers: [1],
    skip: ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'],
  });

  conformance('a threshold on a metric the script never creates exits 104', {
    script: `${HEAD}export const options = { thresholds: { no_such_metric: ['count>0'] } };
export default function () {}`,
    workers: [1],
    skip: ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'],
  });

  conformance('an aggregation that does not fit the metric type exits 104', {
    script: `${HEAD}export const options = { thresholds: { iterations: ['p(95)<100'] } };
export default function () {}`,
    workers: [1],
    skip: ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'],
  });

  conformance('threshold on a custom metric created in the init context', {
    script: `${HEAD}const waits = new Trend('waits', true);
export const options = { iterations: 3, thresholds: { waits: ['p(95)<1000', 'avg>=0'], 'waits{kind:a}': ['count==3'] } };
export default function () { waits.add(5, { kind: 'a' }); }`,
    workers: [1],
  });
});
