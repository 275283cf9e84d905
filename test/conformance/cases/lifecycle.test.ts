// setup → VU code → teardown → handleSummary, with their data, timeouts, failures and flags.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check, sleep } from 'k6';\n`;
const NO_DATA = ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'] as const;

describeConformance('lifecycle', () => {
  conformance('setup data reaches every iteration and teardown; each VU has its own copy', {
    script: `${HEAD}export const options = { scenarios: { p: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } } };
export function setup() { http.get(__ENV.TARGET + '/'); return { token: 'abc', o: { n: 1 }, when: new Date(0) }; }
export default function (data) { data.o.n++; check(data, { ['token ' + data.token + ' n ' + data.o.n + ' ' + typeof data.when]: () => true }); }
export function teardown(data) { check(data, { ['teardown ' + data.token + ' ' + data.o.n]: () => true }); http.get(__ENV.TARGET + '/status/204'); }`,
    workers: [undefined, 1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const groups = run.jsonPoints.filter((p) => p.metric === 'http_reqs').map((p) => p.tags.group);
        expect(groups.sort()).toEqual(['::setup', '::teardown']);
      }
    },
  });

  conformance('setup that throws: exit 107, no teardown', {
    script: `${HEAD}export function setup() { throw new Error('setup broke'); }
export default function () { http.get(__ENV.TARGET + '/'); }
export function teardown() { http.get(__ENV.TARGET + '/status/204'); }`,
    workers: [1],
    check: ({ k6, engine }) => {
      expect(k6.stderr).toContain('setup broke');
      expect(engine.stderr).toContain('setup broke');
    },
  });

  conformance('teardown that throws: exit 107 after the iterations', {
    script: `${HEAD}export const options = { iterations: 2 };
export default function () { http.get(__ENV.TARGET + '/'); }
export function teardown() { throw new Error('teardown broke'); }`,
    workers: [1],
  });

  conformance('setupTimeout for a slow asynchronous setup: exit 100', {
    script: `${HEAD}export const options = { setupTimeout: '1s' };
export async function setup() { await new Promise((r) => setTimeout(r, 3000)); }
export default function () { http.get(__ENV.TARGET + '/'); }`,
    workers: [1],
    skip: [...NO_DATA],
    check: ({ k6, engine }) => {
      expect(k6.exitCode).toBe(100);
      expect(k6.wallMs).toBeLessThan(2900);
      expect(engine.stderr).toContain('setup() execution timed out after 1 seconds');
    },
  });

  conformance('setupTimeout for a synchronous busy setup: exit 100 (issue 9)', {
    script: `${HEAD}export const options = { setupTimeout: '1s' };
export function setup() { const end = Date.now() + 4000; while (Date.now() < end) {} }
export default function () {}`,
    cli: true,
    skip: [...NO_DATA],
    timeoutMs: 20_000,
    check: ({ k6, engine }) => {
      expect(k6.exitCode).toBe(100);
      expect(k6.wallMs).toBeLessThan(3900);
      expect(engine.stderr).toContain('setup() execution timed out after 1 seconds');
    },
  });

  conformance('teardownTimeout: exit 101', {
    script: `${HEAD}export const options = { teardownTimeout: '500ms' };
export default function () {}
export function teardown() { sleep(2); }`,
    workers: [1],
    skip: ['jsonPoints'],
  });

  conformance('--no-setup and --no-teardown skip them', {
    script: `${HEAD}export function setup() { http.get(__ENV.TARGET + '/status/201'); return { from: 'setup' }; }
export default function (data) { check(data, { ['data ' + JSON.stringify(data)]: () => true }); }
export function teardown() { http.get(__ENV.TARGET + '/status/202'); }`,
    flags: ['--no-setup', '--no-teardown'],
    workers: [1],
  });

  conformance('handleSummary writes stdout and files; the default summary is not printed', {
    script: `${HEAD}export const options = { iterations: 2 };
export default function () { http.get(__ENV.TARGET + '/'); }
export function handleSummary(data) {
  return {
    stdout: 'custom summary: ' + data.metrics.iterations.values.count + '\\n',
    [__ENV.OUT_DIR + '/report.json']: JSON.stringify({ reqs: data.metrics.http_reqs.values.count, keys: Object.keys(data).sort() }),
    [__ENV.CONFORMANCE_SUMMARY]: JSON.stringify(data),
  };
}`,
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        expect(run.stdout).toContain('custom summary: 2');
        expect(run.stdout).not.toContain('http_reqs');
      }
      const read = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
      expect(read(engine.dir)).toEqual(read(k6.dir));
    },
  });

  conformance('handleSummary that throws: the error is logged, the default summary follows', {
    script: `${HEAD}export const options = { iterations: 1 };
export default function () {}
export function handleSummary() { throw new Error('summary broke'); }`,
    captureSummary: false,
    skip: [...NO_DATA],
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        expect(run.stderr).toContain('summary broke');
        expect(run.stdout).toContain('iterations');
      }
    },
  });

  conformance('handleSummary data: options, state and root_group', {
    script: `${HEAD}export const options = { iterations: 1, summaryTrendStats: ['avg', 'p(99)', 'count'], summaryTimeUnit: 'ms' };
export default function () { http.get(__ENV.TARGET + '/'); }
export function handleSummary(data) {
  const shape = { options: data.options, state: Object.keys(data.state).sort(), root: [data.root_group.name, data.root_group.path, data.root_group.id] };
  return { [__ENV.OUT_DIR + '/shape.json']: JSON.stringify(shape), [__ENV.CONFORMANCE_SUMMARY]: JSON.stringify(data) };
}`,
    workers: [1],
    check: ({ k6, engine }) => {
      const read = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'shape.json'), 'utf8'));
      expect(read(engine.dir)).toEqual(read(k6.dir));
    },
  });

  conformance('setup() returning nothing: default gets undefined', {
    script: `${HEAD}export function setup() {}
export default function (data) { check(null, { ['data ' + typeof data]: () => true }); }`,
    workers: [1],
  });
});
