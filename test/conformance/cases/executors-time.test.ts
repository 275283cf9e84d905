// Time-based executors: counts within a stated tolerance (two processes on 2 shared cores: ±25 %, at
// least ±3), VU numbers exact where k6 fixes them.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const TIME = { relative: 0.25, absolute: 3 } as const;
const SLEEPY = `import http from 'k6/http';\nimport { sleep } from 'k6';\n`;

describeConformance('executors: time-based', () => {
  conformance('constant-vus: 3 VUs for 1.5s, 100 ms iterations', {
    script: `${SLEEPY}export const options = { vus: 3, duration: '1500ms' };
export default function () { http.get(__ENV.TARGET + '/'); sleep(0.1); }`,
    counts: TIME,
    workers: [undefined, 1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(run.summary?.metrics.vus_max.values.value).toBe(3);
    },
  });

  conformance('constant-vus scenario with more workers than VUs', {
    script: `${SLEEPY}export const options = { scenarios: { c: { executor: 'constant-vus', vus: 1, duration: '1s' } } };
export default function () { http.get(__ENV.TARGET + '/'); sleep(0.1); }`,
    counts: TIME,
    workers: [8],
  });

  conformance('--duration 1s --vus 2 flags', {
    script: `${SLEEPY}export default function () { sleep(0.1); }`,
    flags: ['--duration', '1s', '--vus', '2'],
    counts: TIME,
  });

  conformance('ramping-vus: stages up and down', {
    script: `${SLEEPY}export const options = { stages: [{ duration: '1s', target: 4 }, { duration: '1s', target: 0 }] };
export default function () { sleep(0.1); }`,
    counts: { relative: 0.3, absolute: 4 },
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(run.summary?.metrics.vus_max.values.value).toBe(4);
    },
  });

  conformance('ramping-vus scenario: startVUs, gracefulRampDown', {
    script: `${SLEEPY}export const options = { scenarios: { r: { executor: 'ramping-vus', startVUs: 2, stages: [{ duration: '500ms', target: 2 }, { duration: '500ms', target: 1 }], gracefulRampDown: '0s' } } };
export default function () { sleep(0.2); }`,
    counts: { relative: 0.3, absolute: 4 },
  });

  conformance('constant-arrival-rate: 20/s for 1.2s, iterations on schedule', {
    script: `${SLEEPY}export const options = { scenarios: { c: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1200ms', preAllocatedVUs: 3, maxVUs: 5 } } };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: [undefined, 1, 8],
    // k6 v1.3.0 itself runs 24 or 25: an iteration may start on the duration's last tick.
    counts: { relative: 0, absolute: 1 },
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        expect(run.summary?.metrics.iterations.values.count).toBeGreaterThanOrEqual(24);
        expect(run.summary?.metrics.iterations.values.count).toBeLessThanOrEqual(25);
      }
    },
  });

  conformance('constant-arrival-rate with 1 VU and 2 workers drops nothing', {
    script: `${SLEEPY}export const options = { scenarios: { c: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '1050ms', preAllocatedVUs: 1, maxVUs: 1 } } };
export default function () {}`,
    workers: [undefined, 2, 8],
  });

  conformance('constant-arrival-rate too few VUs: dropped_iterations', {
    script: `${SLEEPY}export const options = { scenarios: { c: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 2 } } };
export default function () { sleep(0.3); }`,
    counts: TIME,
    workers: [undefined, 1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(run.summary?.metrics.dropped_iterations.values.count).toBeGreaterThan(5);
    },
  });

  conformance('constant-arrival-rate timeUnit 500ms', {
    script: `${SLEEPY}export const options = { scenarios: { c: { executor: 'constant-arrival-rate', rate: 5, timeUnit: '500ms', duration: '1050ms', preAllocatedVUs: 2 } } };
export default function () {}`,
    workers: [undefined, 1],
  });

  conformance('ramping-arrival-rate: 0 → 20/s → 0', {
    script: `${SLEEPY}export const options = { scenarios: { r: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 2, maxVUs: 4, stages: [{ duration: '1s', target: 20 }, { duration: '1s', target: 0 }] } } };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    counts: { relative: 0.1, absolute: 2 },
    workers: [undefined, 1],
  });

  conformance('ramping-arrival-rate startRate and a flat stage', {
    script: `${SLEEPY}export const options = { scenarios: { r: { executor: 'ramping-arrival-rate', startRate: 10, timeUnit: '1s', preAllocatedVUs: 2, stages: [{ duration: '1s', target: 10 }] } } };
export default function () {}`,
    counts: { relative: 0, absolute: 1 },
  });

  conformance('constant-vus: gracefulStop interrupts a long iteration at the end', {
    script: `${SLEEPY}export const options = { scenarios: { c: { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '200ms' } } };
export default function () { http.get(__ENV.TARGET + '/delay/2000'); }`,
    skip: ['requests'],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        expect(run.summary?.metrics.iterations).toBeUndefined();
        expect(Number(run.summary?.state.testRunDurationMs)).toBeLessThan(1900);
      }
    },
  });
});
