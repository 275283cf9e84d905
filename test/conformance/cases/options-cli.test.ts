// k6's options, K6_* variables and run flags: implemented with k6's meaning or refused (exit 104);
// the CLI's behaviour on signals, hangs and unwritable outputs.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check, sleep } from 'k6';\nimport exec from 'k6/execution';\n`;
const NO_DATA = ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'] as const;

describeConformance('options, variables and flags', () => {
  conformance('K6_VUS and K6_ITERATIONS override the script; the CLI overrides them', {
    script: `${HEAD}export const options = { vus: 5, iterations: 50 };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    env: { K6_VUS: '2', K6_ITERATIONS: '6' },
    flags: ['--iterations', '4'],
  });

  conformance('K6_NO_SUMMARY: no end-of-test summary and no handleSummary (issue 9)', {
    script: `${HEAD}export const options = { iterations: 1 };
export default function () {}`,
    env: { K6_NO_SUMMARY: 'true' },
    captureSummary: false,
    skip: [...NO_DATA],
    check: ({ k6, engine }) => {
      expect(k6.stdout).not.toContain('TOTAL RESULTS');
      expect(engine.stdout).not.toContain('TOTAL RESULTS');
    },
  });

  conformance('--summary-mode=disabled skips handleSummary', {
    script: `${HEAD}export default function () {}
export function handleSummary() { return { stdout: 'HANDLED' }; }`,
    flags: ['--summary-mode', 'disabled'],
    skip: [...NO_DATA],
    check: ({ k6, engine }) => {
      expect(k6.stdout).not.toContain('HANDLED');
      expect(engine.stdout).not.toContain('HANDLED');
    },
  });

  conformance('the default (compact) summary has the same lines as k6', {
    script: `${HEAD}export const options = { iterations: 3, thresholds: { http_req_duration: ['p(95)<5000'], checks: ['rate>0.9'] } };
export default function () { check(http.get(__ENV.TARGET + '/'), { 'is 200': (r) => r.status === 200 }); }`,
    captureSummary: false,
    flags: ['-q'],
    skip: [...NO_DATA],
    check: ({ k6, engine }) => {
      const shape = (text: string) =>
        text
          .split('\n')
          .filter((l) => !/^(running|default)/.test(l))
          // values (and so the padding after the last column, and kB/s or B/s) are timing
          .map((l) =>
            l
              .replace(/[0-9]+(\.[0-9]+)?(µs|ms|ns|s|m|kB|B|%)?/g, 'N')
              .replace(/N [kM]?B\/s/g, 'N B/s')
              .replace(/ +/g, ' ')
              .trimEnd(),
          )
          .join('\n');
      expect(shape(engine.stdout)).toEqual(shape(k6.stdout));
    },
  });

  conformance('--summary-trend-stats and --summary-time-unit', {
    script: `${HEAD}export const options = { iterations: 2 };
export default function () { http.get(__ENV.TARGET + '/'); }`,
    flags: ['--summary-trend-stats', 'avg,p(99),count,max', '--summary-time-unit', 'ms'],
  });

  conformance('--system-tags keeps only the listed system tags', {
    script: `${HEAD}export const options = { iterations: 2, tags: { team: 'x' } };
export default function () { http.get(__ENV.TARGET + '/'); check(1, { ok: () => true }); }`,
    flags: ['--system-tags', 'status,method,check'],
    // k6 v1 builds the group tree from the samples' tags: without `group`, no check is listed.
    check: ({ k6 }) => expect(k6.summary?.root_group.checks).toEqual([]),
  });

  conformance("--system-tags without 'check': groups listed, no checks", {
    script: `${HEAD}import { group } from 'k6';
export const options = { iterations: 2 };
export default function () { group('g', () => { check(1, { inner: () => true }); }); check(1, { root: () => false }); }`,
    flags: ['--system-tags', 'scenario,group'],
    check: ({ k6 }) => expect(k6.summary?.root_group.groups.map((g) => [g.name, g.checks.length])).toEqual([['g', 0]]),
  });

  conformance('systemTags option', {
    script: `${HEAD}export const options = { iterations: 1, systemTags: ['url', 'scenario'] };
export default function () { http.get(__ENV.TARGET + '/'); }`,
  });

  conformance('minIterationDuration pads iterations', {
    script: `${HEAD}export const options = { vus: 1, duration: '1200ms', minIterationDuration: '500ms' };
export default function () {}`,
    counts: { relative: 0, absolute: 1 },
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(run.summary?.metrics.iterations.values.count).toBeLessThanOrEqual(4);
    },
  });

  conformance('unknown option keys are warned about, not refused', {
    script: `${HEAD}export const options = { iterations: 1, notAnOption: true };
export default function () {}`,
    check: ({ k6, engine }) => {
      expect(k6.stderr).toContain('unknown fields in the options');
      expect(engine.stderr).toContain('unknown fields in the options');
    },
  });

  // (vus alone, without iterations, duration or stages, is ignored by k6 with a warning.)
  conformance('an invalid option value exits 104', {
    script: `${HEAD}export const options = { vus: -1, iterations: 2 };
export default function () {}`,
    skip: [...NO_DATA],
  });

  conformance('options k6 knows and the engine refuses exit 104 naming them', {
    script: `${HEAD}export const options = { iterations: 1, paused: true };
export default function () {}`,
    skip: [...NO_DATA],
    deliberate: [{ section: 'exitCode', reason: "paused needs k6's REST API to resume; the embedded engine refuses it (exit 104)" }],
    check: ({ engine }) => {
      expect(engine.exitCode).toBe(104);
      expect(engine.stderr).toContain('"paused"');
    },
  });

  conformance('--no-setup and --no-teardown (K6_NO_SETUP)', {
    script: `${HEAD}export function setup() { http.get(__ENV.TARGET + '/status/201'); }
export default function () {}
export function teardown() { http.get(__ENV.TARGET + '/status/202'); }`,
    env: { K6_NO_SETUP: 'true' },
    flags: ['--no-teardown'],
  });

  conformance('--include-system-env-vars=false: __ENV has only -e', {
    script: `${HEAD}export default function () { check(null, { ['sys ' + __ENV.FROM_SYSTEM + ' flag ' + __ENV.FROM_FLAG]: () => true }); }`,
    env: { FROM_SYSTEM: 'yes' },
    flags: ['--include-system-env-vars=false', '-e', 'FROM_FLAG=yes'],
  });

  conformance('--summary-export to an unwritable path: logged, run result kept (issue 9)', {
    script: `${HEAD}export const options = { iterations: 1 };
export default function () {}`,
    flags: [
      '--summary-export',
      '/dev/null/no/dir/summary.json',
    ] /* under a file: ENOTDIR (a recursive mkdir below /proc never returns in Node 20) */,
    cli: true,
    skip: ['summaryExport'],
    timeoutMs: 40_000,
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(run.stderr).toContain('failed to handle the end-of-test summary');
      const results = path.join(engine.dir, 'results');
      expect(readdirSync(results).some((d) => existsSync(path.join(results, d, 'meta.json')))).toBe(true);
    },
  });

  conformance('--out json to an unwritable path: exit 255 before the run', {
    script: `${HEAD}export default function () { http.get(__ENV.TARGET + '/'); }`,
    flags: ['--out', 'json=/dev/null/no/dir/out.json'],
    skip: [...NO_DATA, 'requests'],
  });

  conformance('a VU stuck in synchronous code ends at duration + gracefulStop (issue 9)', {
    script: `export const options = { scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '1s' } } };
export default function () { while (true) {} }`,
    cli: true,
    skip: [...NO_DATA, 'requests'],
    timeoutMs: 40_000,
    check: ({ k6, engine }) => {
      expect(k6.exitCode).toBe(0);
      expect(engine.exitCode).toBe(0);
    },
  });

  conformance('Ctrl-C during a long setup(): exit 105, no teardown (issue 9)', {
    script: `${HEAD}export function setup() { const end = Date.now() + 20000; while (Date.now() < end) {} }
export default function () {}
export function teardown() { http.get(__ENV.TARGET + '/status/204'); }`,
    cli: true,
    interrupt: { afterMs: 4000 },
    skip: [...NO_DATA],
    timeoutMs: 40_000,
    check: ({ k6, engine }) => {
      expect(k6.exitCode).toBe(105);
      expect(engine.wallMs).toBeLessThan(19_000);
    },
  });

  conformance('Ctrl-C during the test: exit 105, teardown runs', {
    script: `${HEAD}export const options = { vus: 1, duration: '30s' };
export default function () { http.get(__ENV.TARGET + '/'); sleep(0.2); }
export function teardown() { http.get(__ENV.TARGET + '/status/204'); }`,
    cli: true,
    interrupt: { afterMs: 6000 },
    counts: { relative: 1, absolute: 100 },
    skip: ['jsonPoints', 'requests'],
    timeoutMs: 40_000,
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(run.requests['/status/:code']).toBe(1);
    },
  });
});
