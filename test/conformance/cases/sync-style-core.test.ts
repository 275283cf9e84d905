// k6's synchronous style (issue 10): scripts written as k6's documentation writes them run unchanged on
// the embedded engine, with k6's iteration and request counts, think time and request order.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

describeConformance('sync style', () => {
  conformance("k6's quick-start script (http.get; check; sleep(1)), 2 VUs × 3 s", {
    script: `import http from 'k6/http';
import { check, sleep } from 'k6';
export const options = { vus: 2, duration: '3s' };
export default function () {
  const res = http.get(__ENV.TARGET + '/');
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(1);
}`,
    check: ({ k6, engine }) => {
      // The runaway of issue 10 (71,457 iterations) would show here; k6 runs 3 per VU.
      expect(k6.requests['/']).toBe(6);
      expect(engine.requests['/']).toBe(6);
      expect(engine.wallMs).toBeGreaterThan(2900);
    },
  });

  conformance('http.get(url); sleep(1) alone, without reading the response', {
    script: `import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 2, duration: '3s' };
export default function () {
  http.get(__ENV.TARGET + '/');
  sleep(1);
}`,
    check: ({ k6, engine }) => {
      expect(k6.requests['/']).toBe(6);
      expect(engine.requests['/']).toBe(6);
    },
  });

  conformance('local modules, a vendored library, groups, checks, loops and array callbacks, setup/teardown, two scenarios', {
    script: path.join(here, 'sync-style-files', 'app.js'),
    workers: [undefined, 1],
    check: ({ k6, engine }) => {
      // The groups section compares every check name, so the request order recorded in them is k6's.
      expect(JSON.stringify(k6.summary?.root_group)).toContain(
        'order /echo?nested=1 /echo?each=1 /echo?each=2 /echo?each=3 /echo?find=1 /echo?find=2',
      );
      expect(engine.requests).toEqual(k6.requests);
    },
  });

  conformance('import styles: default, namespace, named and renamed, require()', {
    script: `import http from 'k6/http';
import * as h from 'k6/http';
import { get, post as send } from 'k6/http';
import k6, { sleep as pause } from 'k6';
const legacy = require('k6/http');
export const options = { iterations: 2 };
export default function () {
  const a = http.get(__ENV.TARGET + '/status/200').status;
  const b = h.get(__ENV.TARGET + '/status/201').status;
  const c = get(__ENV.TARGET + '/status/202').status;
  const d = send(__ENV.TARGET + '/echo', 'x').json().method;
  const e = legacy.get(__ENV.TARGET + '/status/203').status;
  const { del } = h;
  const f = del(__ENV.TARGET + '/echo').json().method;
  k6.sleep(0.01);
  pause(0.01);
  k6.check(null, { ['got ' + [a, b, c, d, e, f].join(' ')]: () => true });
}`,
  });

  conformance('arrow functions, object and class methods, nested helpers, callbacks of helpers', {
    ext: 'ts',
    script: `import http from 'k6/http';
import { check, group } from 'k6';
const T = __ENV.TARGET;
type Step = { name: string; run(): number };
class Portal {
  private readonly base: string;
  constructor(base: string) { this.base = base; }
  search(q: string): number { return http.get(this.base + '/echo?q=' + q).json('query.q') === q ? 1 : 0; }
  static make(base: string) { return new Portal(base); }
  procedure(code: string) { return this.open('/echo?code=' + code); }
  private open(path: string) { return http.get(this.base + path).status; }
}
const steps: Record<string, () => number> = {
  first: () => http.get(T + '/status/200').status,
  second() { return http.get(T + '/status/201').status; },
};
function retry(fn: () => number, times: number): number {
  let last = 0;
  for (let i = 0; i < times; i++) {
    last = fn();
    if (last === 200) break;
  }
  return last;
}
function outer() {
  function inner(n: number) { return http.get(T + '/echo?inner=' + n).json('query.inner'); }
  return [inner(1), inner(2)].join('+');
}
export const options = { iterations: 2 };
export default function () {
  const portal = Portal.make(T);
  const found = portal.search('cccd');
  const opened = portal.procedure('1.001');
  const a = steps.first();
  const b = steps.second();
  const r = retry(() => http.get(T + '/status/201').status, 3);
  const nested = outer();
  group('in a group', () => {
    const step: Step = { name: 'x', run: () => http.get(T + '/status/202').status };
    check(step.run(), { 'step ran': (s) => s === 202 });
  });
  check(null, { [['found', found, opened, a, b, r, nested].join(' ')]: () => true });
}`,
  });

  conformance('think time: sleep() in a loop and in a helper is as long as on k6', {
    script: `import http from 'k6/http';
import { sleep } from 'k6';
function think() { sleep(0.2); }
export const options = { iterations: 2 };
export default function () {
  for (let i = 0; i < 3; i++) { http.get(__ENV.TARGET + '/'); think(); }
}`,
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const duration = run.summary?.metrics.iteration_duration.values;
        expect(duration?.min).toBeGreaterThan(590);
      }
    },
  });
});
