// Tags and groups, fail() and exec.test.abort(), and the init-context rules.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check, group, fail, sleep } from 'k6';\nimport exec from 'k6/execution';\n`;
const NO_DATA = ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'] as const;

describeConformance('tags, groups, aborts, init context', () => {
  conformance('nested groups: tree, group tags and group_duration', {
    script: `${HEAD}export const options = { iterations: 2 };
export default function () {
  group('outer', () => {
    http.get(__ENV.TARGET + '/');
    group('inner', () => { check(1, { 'inner ok': () => true }); http.get(__ENV.TARGET + '/status/201'); });
    check(1, { 'outer ok': () => true });
  });
  group('other', () => {});
  check(1, { 'root ok': () => true });
}`,
    workers: [undefined, 1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const groups = new Set(run.jsonPoints.filter((p) => p.metric === 'http_reqs').map((p) => p.tags.group));
        expect([...groups].sort()).toEqual(['::outer', '::outer::inner']);
      }
    },
  });

  conformance('a group name with "::" is refused', {
    script: `${HEAD}export default function () { group('a::b', () => {}); }`,
    workers: [1],
    check: ({ k6, engine }) => {
      expect(k6.stderr).toMatch(/::/);
      expect(engine.stderr).toMatch(/::/);
    },
  });

  conformance('an async group function: k6 throws, the engine runs it (deliberate)', {
    script: `${HEAD}export const options = { iterations: 2 };
export default function () { group('async', async () => { await Promise.resolve(); check(1, { inside: () => true }); }); }`,
    workers: [1],
    // The synchronous-style transform turns a group callback that makes blocking calls (http.get,
    // sleep) into an async function, which at run time cannot be told from one the user wrote async;
    // refusing async callbacks would refuse k6's own synchronous examples.
    deliberate: [
      { section: 'groups', reason: 'group() runs an async callback (the sync-style transform makes such callbacks); k6 throws' },
      { section: 'metrics', key: 'group_duration', reason: 'the async group ran, so it has a duration' },
      { section: 'metrics', key: 'checks', reason: 'the check inside the async group ran' },
      { section: 'counts', key: 'checks', reason: 'the check inside the async group ran' },
      { section: 'jsonMetrics', key: 'group_duration', reason: 'the async group ran' },
      { section: 'jsonMetrics', key: 'checks', reason: 'the async group ran' },
      { section: 'jsonPoints', key: 'group_duration', reason: 'the async group ran' },
      { section: 'jsonPoints', key: 'checks', reason: 'the async group ran' },
      { section: 'summaryExport', key: 'group_duration', reason: 'the async group ran' },
      { section: 'summaryExport', key: 'checks', reason: 'the async group ran' },
    ],
    check: ({ k6 }) => expect(k6.stderr).toContain('group() does not support async functions as arguments'),
  });

  conformance('fail() ends the iteration, not the test', {
    script: `${HEAD}export const options = { iterations: 3 };
export default function () { check(1, { before: () => true }); if (__ITER === 1) fail('iteration one'); check(1, { after: () => true }); }`,
    workers: [1],
    check: ({ k6, engine }) => {
      expect(k6.stderr).toContain('iteration one');
      expect(engine.stderr).toContain('iteration one');
    },
  });

  conformance('exec.test.abort() in VU code: exit 108, teardown still runs', {
    script: `${HEAD}export const options = { vus: 1, iterations: 10 };
export default function () { http.get(__ENV.TARGET + '/'); if (__ITER === 2) exec.test.abort('enough'); }
export function teardown() { http.get(__ENV.TARGET + '/status/204'); }`,
    workers: [1],
    check: ({ k6 }) => expect(k6.exitCode).toBe(108),
  });

  conformance('exec.test.abort() in setup: exit 108', {
    script: `${HEAD}export function setup() { exec.test.abort('no setup for you'); }
export default function () { http.get(__ENV.TARGET + '/'); }
export function teardown() { http.get(__ENV.TARGET + '/status/204'); }`,
    workers: [1],
  });

  conformance('exec.test.abort() in the init context: exit 107', {
    script: `${HEAD}exec.test.abort('init');
export default function () {}`,
    workers: [1],
    skip: [...NO_DATA],
  });

  conformance('an exception in the init context: exit 107', {
    script: `${HEAD}throw new Error('init broke');
export default function () {}`,
    workers: [1],
    skip: [...NO_DATA],
  });

  conformance('http requests in the init context are refused', {
    script: `${HEAD}const r = http.get(__ENV.TARGET + '/');
export default function () {}`,
    workers: [1],
    skip: [...NO_DATA],
  });

  conformance('check() and group() in the init context throw, as k6', {
    script: `${HEAD}let result = 'none';
try { check(1, { init: () => true }); result = 'check ok'; } catch (e) { result = 'check: ' + e.message; }
try { group('init', () => {}); result += ', group ok'; } catch (e) { result += ', group: ' + e.message; }
export default function () { check(null, { [result]: () => true }); }`,
    workers: [1],
    check: ({ k6 }) =>
      expect(k6.summary?.root_group.checks.map((c) => c.name)).toEqual([
        'check: Using check() in the init context is not supported, group: Using group() in the init context is not supported',
      ]),
  });

  conformance('check() in the init context, uncaught: exit 107', {
    script: `${HEAD}check(1, { init: () => true });
export default function () {}`,
    workers: [1],
    skip: [...NO_DATA],
    check: ({ engine }) => expect(engine.stderr).toContain('Using check() in the init context is not supported'),
  });

  conformance('no default function and no scenario exec: exit 104', {
    script: `${HEAD}export function other() {}`,
    workers: [1],
    skip: [...NO_DATA],
  });

  conformance('a script that does not parse: exit 107', {
    script: `${HEAD}export default function () { return ) }`,
    workers: [1],
    skip: [...NO_DATA],
  });

  conformance('an unknown k6 module: exit 107', {
    script: `import nope from 'k6/nope';\nexport default function () {}`,
    workers: [1],
    skip: [...NO_DATA],
  });

  conformance('__VU is 0 in the init context of the options VU and in setup', {
    script: `${HEAD}const initVU = __VU;
export function setup() { return { setupVU: __VU }; }
export default function (d) { check(null, { ['vu ' + __VU + ' setup ' + d.setupVU + ' init>0 ' + (initVU > 0)]: () => true }); }`,
    workers: [1],
  });
});
