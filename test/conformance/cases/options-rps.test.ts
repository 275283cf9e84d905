// The `rps` option (--rps, K6_RPS): one limit of requests per second over all VUs, as k6's
// rate.Limiter(rps, burst 1); on several worker threads each thread limits its part of the VUs.
import { expect } from 'vitest';
import { conformance, describeConformance, type RunRecord } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\n`;
const duration = (run: RunRecord) => Number(run.summary?.state.testRunDurationMs);
const rate = (run: RunRecord) => run.summary?.metrics.http_reqs.values.rate ?? 0;

describeConformance('options: rps', () => {
  conformance('rps 10 over 5 looping VUs for 3 s: about 10 requests a second', {
    script: `${HEAD}export const options = { vus: 5, duration: '3s', rps: 10 };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: [1, 2],
    // k6: 30 + the first token + the reservations of the VUs waiting at the end (35 here); timing-bound.
    counts: { relative: 0.1, absolute: 2 },
    timeoutMs: 20_000,
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        expect(run.summary?.metrics.http_reqs.values.count).toBeGreaterThanOrEqual(30);
        expect(run.summary?.metrics.http_reqs.values.count).toBeLessThanOrEqual(37);
        expect(rate(run)).toBeGreaterThan(9);
        expect(rate(run)).toBeLessThan(11.5);
      }
    },
  });

  conformance('--rps spaces the iterations of a fixed count (one VU, a worker without VUs)', {
    script: `${HEAD}export const options = { vus: 1, iterations: 8 };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    flags: ['--rps', '4'],
    // With 2 workers one thread has no VU: the limit follows the VUs, so the one VU still gets 4/s.
    workers: [1, 2],
    check: ({ k6, engine }) => {
      // 8 requests at 4/s: the first at once, the last 1.75 s later.
      for (const run of [k6, engine]) {
        expect(duration(run)).toBeGreaterThan(1650);
        expect(duration(run)).toBeLessThan(2600);
      }
    },
  });

  conformance('K6_RPS limits every request of http.batch, and setup() too', {
    script: `${HEAD}export const options = { vus: 2, iterations: 2 };
export function setup() { http.get(__ENV.TARGET + '/status/201'); http.get(__ENV.TARGET + '/status/201'); }
export default function () { http.batch([__ENV.TARGET + '/', __ENV.TARGET + '/', __ENV.TARGET + '/']); }`,
    env: { K6_RPS: '5' },
    workers: [1, 2],
    check: ({ k6, engine }) => {
      // 6 batch requests at 5/s: ≥ 1 s of test (setup's 2 requests are before the test's clock). With 2
      // workers the threads share k6's one limiter: a limiter per thread would let 2 requests go at once (≈ 0.8 s).
      for (const run of [k6, engine]) {
        expect(duration(run)).toBeGreaterThan(950);
        expect(duration(run)).toBeLessThan(2000);
      }
    },
  });

  conformance('rps 0 is no limit', {
    script: `${HEAD}export const options = { vus: 1, iterations: 20, rps: 0 };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(duration(run)).toBeLessThan(1500);
    },
  });
});
