// k6/execution: the VU, scenario, instance and test fields, compared through check names (a check
// per observed value: the multiset of values is compared exactly, independent of VU scheduling).
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import exec from 'k6/execution';\nimport { check } from 'k6';\n`;
/** A check named by a JavaScript expression of the script: the check's name is the observed value. */
const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;

describeConformance('k6/execution', () => {
  conformance('vu.iterationInScenario is per VU with several per-vu-iterations scenarios (issue 9)', {
    script: `${HEAD}export const options = { scenarios: {
  a: { executor: 'per-vu-iterations', vus: 2, iterations: 3 },
  b: { executor: 'per-vu-iterations', vus: 3, iterations: 2, exec: 'b' },
} };
export default function () { ${seen("'a iis=' + (exec.vu.iterationInScenario)")} }
export function b() { ${seen("'b iis=' + (exec.vu.iterationInScenario)")} }`,
    workers: [undefined, 1, 8],
  });

  conformance('scenario.iterationInTest and iterationInInstance number all iterations once', {
    script: `${HEAD}export const options = { scenarios: {
  s: { executor: 'shared-iterations', vus: 3, iterations: 9 },
  p: { executor: 'per-vu-iterations', vus: 2, iterations: 3, exec: 'p' },
} };
export default function () { ${seen("'s test=' + (exec.scenario.iterationInTest) + ' inst=' + (exec.scenario.iterationInInstance)")} }
export function p() { ${seen("'p test=' + (exec.scenario.iterationInTest) + ' inst=' + (exec.scenario.iterationInInstance)")} }`,
    workers: [undefined, 1, 8],
  });

  conformance('arrival-rate iterations are numbered 0..n-1 in the test', {
    script: `${HEAD}export const options = { scenarios: { c: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1025ms', preAllocatedVUs: 2 } } };
export default function () { ${seen("'test=' + (exec.scenario.iterationInTest)")} }`,
    workers: [undefined, 1],
  });

  conformance('__ITER and vu.iterationInInstance per VU', {
    script: `${HEAD}export const options = { scenarios: { p: { executor: 'per-vu-iterations', vus: 2, iterations: 3 } } };
export default function () { ${seen("'vu=' + (__VU) + ' iter=' + (__ITER) + ' iii=' + (exec.vu.iterationInInstance) + ' id=' + (exec.vu.idInTest) + ' idi=' + (exec.vu.idInInstance > 0)")} }`,
    workers: [undefined, 1],
  });

  conformance('__ITER across two scenarios run one after the other by the same VU', {
    script: `${HEAD}export const options = { scenarios: {
  first: { executor: 'per-vu-iterations', vus: 1, iterations: 2 },
  second: { executor: 'per-vu-iterations', vus: 1, iterations: 2, startTime: '500ms', exec: 'second' },
} };
export default function () { ${seen("'first iter=' + (__ITER) + ' iii=' + (exec.vu.iterationInInstance) + ' iis=' + (exec.vu.iterationInScenario)")} }
export function second() { ${seen("'second iter=' + (__ITER) + ' iii=' + (exec.vu.iterationInInstance) + ' iis=' + (exec.vu.iterationInScenario)")} }`,
    workers: [1],
  });

  conformance('scenario.name, executor, startTime and progress are visible', {
    script: `${HEAD}export const options = { scenarios: {
  one: { executor: 'shared-iterations', vus: 1, iterations: 2 },
  two: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '300ms' },
} };
export default function () {
  ${seen("(exec.scenario.name) + ' ' + (exec.scenario.executor) + ' start>0=' + (exec.scenario.startTime > 1e12) + ' progress=' + (exec.scenario.progress >= 0 && exec.scenario.progress <= 1)")}
}`,
    workers: [undefined, 1],
  });

  conformance('exec.test.options is the consolidated options (issue 9)', {
    script: `${HEAD}export const options = { vus: 2, iterations: 4, tags: { team: 'a' }, thresholds: { checks: ['rate>0'] }, setupTimeout: '20s' };
export default function () {
  const o = exec.test.options;
  ${seen("'scenario keys=' + (Object.keys(o.scenarios).join(\",\")) + ' executor=' + (o.scenarios.default.executor) + ' vus=' + (o.scenarios.default.vus) + ' iterations=' + (o.scenarios.default.iterations)")}
  ${seen("'tags=' + (JSON.stringify(o.tags)) + ' thresholds=' + (JSON.stringify(o.thresholds))")}
  ${seen("'setupTimeout=' + (o.setupTimeout) + ' summaryTrendStats=' + (JSON.stringify(o.summaryTrendStats))")}
  ${seen("'vus=' + (o.vus) + ' iterations=' + (o.iterations) + ' duration=' + (o.duration)")}
}`,
    workers: [undefined, 1],
  });

  conformance('exec.instance counters in teardown', {
    script: `${HEAD}export const options = { vus: 2, iterations: 6 };
export default function () {}
export function teardown() { ${seen("'completed=' + (exec.instance.iterationsCompleted) + ' interrupted=' + (exec.instance.iterationsInterrupted) + ' initialized=' + (exec.instance.vusInitialized) + ' active=' + (exec.instance.vusActive)")} }`,
    workers: [undefined, 1, 8],
  });

  conformance('exec.vu fields in setup throw as in k6', {
    script: `${HEAD}export function setup() {
  for (const [name, read] of Object.entries({ iis: () => exec.vu.iterationInScenario, sname: () => exec.scenario.name, id: () => exec.vu.idInTest })) {
    let result;
    try { result = 'value ' + read(); } catch (e) { result = 'throws'; }
    check(null, { [name + ' ' + result]: () => true });
  }
}
export default function () {}`,
    workers: [1],
  });

  conformance('exec.vu.tags set a tag on later samples', {
    script: `${HEAD}import http from 'k6/http';
export const options = { iterations: 2 };
export default function () { exec.vu.tags.phase = 'p' + __ITER; exec.vu.tags.n = 7; http.get(__ENV.TARGET + '/'); ${seen("'tag=' + (exec.vu.tags.phase) + ' n=' + (exec.vu.tags.n) + ' ' + (typeof exec.vu.tags.n)")} }`,
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const phases = run.jsonPoints.filter((p) => p.metric === 'http_reqs').map((p) => p.tags.phase);
        expect(phases.sort()).toEqual(['p0', 'p1']);
      }
    },
  });
});
