// --summary-mode full as k6 v1.3 prints it: THRESHOLDS, TOTAL RESULTS (every metric, submetrics of
// thresholds), then a SCENARIO block per scenario with a nested GROUP block per group.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const NO_DATA = ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'] as const;
/** The summary's lines with every value (number and unit) as N: what is left is the layout. */
const shape = (text: string) =>
  text
    .split('\n')
    .map((l) =>
      l
        .replace(/[0-9]+(\.[0-9]+)?(µs|ms|ns|s|m|kB|MB|B|%)?/g, 'N')
        // a rate of bytes is timing: k6's faster run may reach kB/s where the engine shows B/s
        .replace(/N [kM]?B\/s/g, 'N B/s')
        .replace(/ +/g, ' ')
        .trimEnd(),
    )
    .join('\n');

describeConformance('summary: --summary-mode full', () => {
  conformance('scenario blocks with their groups, nested, each with its own checks and metrics', {
    script: `import http from 'k6/http';
import { check, group } from 'k6';
import { Counter } from 'k6/metrics';
const custom = new Counter('my_counter');
export const options = {
  scenarios: {
    first: { executor: 'shared-iterations', iterations: 2 },
    second: { executor: 'per-vu-iterations', iterations: 1, exec: 'other' },
  },
  thresholds: { http_req_duration: ['p(95)<5000'], 'checks{scenario:first}': ['rate>0.1'] },
};
export default function () {
  check(1, { 'root first': () => true });
  group('login', () => {
    check(http.get(__ENV.TARGET + '/'), { 'is 200': (r) => r.status === 200 });
    group('inner', () => { custom.add(1); check(1, { 'in inner': () => false }); });
  });
  check(1, { 'root last': () => true });
}
export function other() { group('other group', () => { http.get(__ENV.TARGET + '/status/201'); }); }`,
    captureSummary: false,
    flags: ['-q', '--summary-mode', 'full'],
    workers: [1, 2],
    skip: [...NO_DATA],
    check: ({ k6, engine }) => {
      expect(k6.stdout).toContain('█ SCENARIO: first');
      expect(k6.stdout).toContain('↳ GROUP: inner');
      expect(shape(engine.stdout)).toEqual(shape(k6.stdout));
    },
  });

  conformance('compact lists the checks in the order they first ran, whatever their group', {
    script: `import { check, group } from 'k6';
export const options = { iterations: 1 };
export default function () { check(1, { zroot: () => true }); group('g', () => { check(1, { 'a in g': () => true }); }); check(1, { broot: () => true }); }`,
    captureSummary: false,
    flags: ['-q'],
    skip: [...NO_DATA],
    check: ({ k6, engine }) => {
      const checks = (text: string) => text.split('\n').filter((l) => l.includes('✓'));
      expect(checks(k6.stdout).map((l) => l.trim())).toEqual(['✓ zroot', '✓ a in g', '✓ broot']);
      expect(checks(engine.stdout)).toEqual(checks(k6.stdout));
    },
  });
});
