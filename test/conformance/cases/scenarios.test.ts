// Several scenarios at once: exec, startTime, env, tags, and the tags k6 puts on their samples.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check } from 'k6';\n`;

describeConformance('scenarios', () => {
  conformance('two scenarios with exec, env and tags', {
    script: `${HEAD}export const options = { scenarios: {
  browse: { executor: 'per-vu-iterations', vus: 2, iterations: 2, exec: 'browse', env: { PAGE: 'json' }, tags: { flow: 'browse' } },
  submit: { executor: 'shared-iterations', vus: 1, iterations: 3, exec: 'submit', tags: { flow: 'submit' } },
} };
export function browse() { http.get(__ENV.TARGET + '/' + __ENV.PAGE); check(null, { ['page ' + __ENV.PAGE]: () => true }); }
export function submit() { http.post(__ENV.TARGET + '/echo', 'x'); check(null, { ['submit page ' + __ENV.PAGE]: () => true }); }`,
    workers: [undefined, 1, 8],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const flows = new Set(
          run.jsonPoints.filter((p) => p.metric === 'http_reqs').map((p) => `${p.tags.scenario}:${p.tags.flow}:${p.tags.method}`),
        );
        expect([...flows].sort()).toEqual(['browse:browse:GET', 'submit:submit:POST']);
      }
    },
  });

  conformance('startTime delays a scenario', {
    script: `${HEAD}import exec from 'k6/execution';
export const options = { scenarios: {
  early: { executor: 'shared-iterations', vus: 1, iterations: 1 },
  late: { executor: 'shared-iterations', vus: 1, iterations: 1, startTime: '700ms' },
} };
export default function () { check(null, { [exec.scenario.name + ' after start ' + (Date.now() - exec.scenario.startTime < 100)]: () => true }); }`,
    workers: [undefined, 1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const times = ['early', 'late'].map((s) =>
          Date.parse(run.jsonPoints.find((p) => p.metric === 'iterations' && p.tags.scenario === s)!.time),
        );
        expect(times[1] - times[0]).toBeGreaterThan(600);
      }
    },
  });

  conformance('scenario env overrides -e, which overrides the system env', {
    script: `${HEAD}export const options = { scenarios: { a: { executor: 'shared-iterations', env: { B: 'scenario' } } } };
export default function () { check(null, { ['A=' + __ENV.A + ' B=' + __ENV.B + ' C=' + __ENV.C]: () => true }); }`,
    flags: ['-e', 'A=flag', '-e', 'B=flag'],
    env: { A: 'system', C: 'system' },
    workers: [1],
  });

  conformance('global tags, scenario tags and --tag on every metric', {
    script: `${HEAD}export const options = { tags: { app: 'portal', flow: 'global' }, scenarios: { s: { executor: 'shared-iterations', iterations: 2, tags: { flow: 'scenario' } } } };
export default function () { http.get(__ENV.TARGET + '/'); check(1, { ok: () => true }); }`,
    flags: ['--tag', 'env=ci'],
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const tagged = run.jsonPoints.filter((p) => p.metric === 'http_reqs')[0].tags;
        // --tag replaces options.tags as a whole: 'app' is gone, the scenario's 'flow' stays.
        expect([tagged.app, tagged.flow, tagged.env]).toEqual([undefined, 'scenario', 'ci']);
      }
    },
  });

  conformance('a scenario whose exec is not exported: exit 104 before running', {
    script: `${HEAD}export const options = { scenarios: { a: { executor: 'shared-iterations', exec: 'missing' } } };
export default function () {}`,
    workers: [1],
  });

  conformance('four executors together', {
    script: `${HEAD}import { sleep } from 'k6';
export const options = { scenarios: {
  si: { executor: 'shared-iterations', vus: 2, iterations: 4, exec: 'fast' },
  pvi: { executor: 'per-vu-iterations', vus: 2, iterations: 2, exec: 'fast' },
  car: { executor: 'constant-arrival-rate', rate: 10, duration: '1050ms', preAllocatedVUs: 2, exec: 'fast' },
  cv: { executor: 'constant-vus', vus: 1, duration: '1s', exec: 'slow' },
} };
export function fast() { http.get(__ENV.TARGET + '/'); }
export function slow() { http.get(__ENV.TARGET + '/'); sleep(0.25); }`,
    counts: { relative: 0.2, absolute: 2 },
    workers: [undefined, 1],
  });
});
