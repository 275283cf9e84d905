// Iteration-based executors: exact counts, with fewer VUs than worker threads and more.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const GET = `import http from 'k6/http';\n`;
const MANY = [undefined, 1, 2, 8];

describeConformance('executors: iteration-based', () => {
  conformance('vus 1, iterations 3 runs 3 iterations on any worker count (issue 9)', {
    script: `${GET}export const options = { vus: 1, iterations: 3 };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: MANY,
    check: ({ k6 }) => expect(k6.summary?.metrics.iterations.values.count).toBe(3),
  });

  conformance('vus 2, iterations 10 runs 10 iterations with 8 workers (issue 9)', {
    script: `${GET}export const options = { vus: 2, iterations: 10 };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: [8, undefined],
    check: ({ k6 }) => expect(k6.requests['/']).toBe(10),
  });

  conformance('--vus 3 --iterations 7 from the command line', {
    script: `${GET}export default function () { http.get(__ENV.TARGET + '/status/201'); }`,
    flags: ['--vus', '3', '--iterations', '7'],
    workers: MANY,
  });

  conformance('no options: one iteration of one VU', {
    script: `${GET}export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: [undefined, 8],
  });

  conformance('shared-iterations scenario: 5 VUs, 11 iterations', {
    script: `${GET}export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 5, iterations: 11 } } };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: MANY,
  });

  conformance('shared-iterations defaults: 1 VU, 1 iteration', {
    script: `${GET}export const options = { scenarios: { s: { executor: 'shared-iterations' } } };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: [undefined, 8],
  });

  conformance('per-vu-iterations: 3 VUs × 4 iterations', {
    script: `${GET}export const options = { scenarios: { p: { executor: 'per-vu-iterations', vus: 3, iterations: 4 } } };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: MANY,
  });

  conformance('per-vu-iterations: 1 VU, more workers than VUs', {
    script: `${GET}export const options = { scenarios: { p: { executor: 'per-vu-iterations', vus: 1, iterations: 5 } } };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: [8],
  });

  conformance('shared-iterations maxDuration interrupts long iterations (gracefulStop 0s)', {
    script: `${GET}export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 100, maxDuration: '1s', gracefulStop: '0s' } } };
export default function () { http.get(__ENV.TARGET + '/delay/300'); }`,
    counts: { relative: 0.3, absolute: 2 },
    uncountedMetrics: ['http_reqs', 'http_req_failed'],
    skip: ['jsonPoints', 'requests'],
    check: ({ k6, engine }) => {
      expect(k6.summary?.metrics.iterations.values.count).toBeLessThan(10);
      expect(engine.summary?.metrics.iterations.values.count).toBeLessThan(10);
    },
  });

  conformance('per-vu-iterations maxDuration with gracefulStop lets the running iteration finish', {
    script: `${GET}export const options = { scenarios: { p: { executor: 'per-vu-iterations', vus: 1, iterations: 10, maxDuration: '1s', gracefulStop: '2s' } } };
export default function () { http.get(__ENV.TARGET + '/delay/700'); }`,
    check: ({ k6 }) => expect(k6.summary?.metrics.iterations.values.count).toBe(2),
  });

  conformance('maxDuration under 1s is refused (exit 104)', {
    script: `export const options = { scenarios: { p: { executor: 'per-vu-iterations', maxDuration: '500ms' } } };
export default function () {}`,
    workers: [1],
  });

  conformance('iterations with a thrown exception still count, and the error is logged', {
    script: `export const options = { vus: 2, iterations: 6 };
export default function () { if (__ITER % 2 === 0) throw new Error('boom ' + __ITER); }`,
    workers: [undefined, 1],
    check: ({ k6, engine }) => {
      expect(k6.stderr).toContain('boom');
      expect(engine.stderr).toContain('boom');
    },
  });
});
