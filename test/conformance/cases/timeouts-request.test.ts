// k6's request `timeout` bounds the whole request: a server that never answers and one whose body
// trickles past the timeout both end at the timeout with status 0, error "request timeout" and
// error_code 1050 (tags error/error_code on the http_req_* samples), whatever arrived of the body kept.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const timing = (name: string, url: string, timeout: string, ms: number, bodyCheck: string) => `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 2 };
export default async function () {
  const started = Date.now();
  const res = await http.asyncRequest('GET', __ENV.TARGET + '${url}', null, { timeout: '${timeout}' });
  const elapsed = Date.now() - started;
  check(res, {
    '${name}: status 0': (r) => r.status === 0,
    '${name}: error is "request timeout"': (r) => r.error === 'request timeout',
    '${name}: error_code 1050': (r) => r.error_code === 1050,
    '${name}: ${bodyCheck}': (r) => ${bodyCheck},
    // On time: not before the timeout, and well before the server would have finished.
    '${name}: ends at the timeout': () => elapsed >= ${ms - 20} && elapsed < ${ms + 400},
    // The duration leaves out the wait for a connection (http_req_blocked), which a loaded machine stretches.
    '${name}: duration about the timeout': (r) => r.timings.duration >= ${ms - 250} && r.timings.duration < ${ms + 400},
  });
}`;

describeConformance('timeouts: request timeout', () => {
  conformance('a silent server: error 1050 at the timeout, no body', {
    script: timing('silent', '/silent', '1s', 1000, 'r.body === null'),
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const root = run.summary?.root_group.checks ?? [];
        expect(root.length, run.label).toBe(6);
        for (const c of root) expect([c.name, c.passes, c.fails], run.label).toEqual([c.name, 2, 0]);
      }
    },
  });

  conformance('a body trickling past the timeout: error 1050 at the timeout, the bytes received kept', {
    script: timing(
      'trickle',
      '/trickle?chunks=30&size=10&every=100',
      '1200ms',
      1200,
      'typeof r.body === "string" && r.body.length > 0 && r.body.length < 300',
    ),
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const root = run.summary?.root_group.checks ?? [];
        expect(root.length, run.label).toBe(6);
        for (const c of root) expect([c.name, c.passes, c.fails], run.label).toEqual([c.name, 2, 0]);
      }
    },
  });

  conformance('a timed-out request does not keep its connection: the next one opens a new connection', {
    script: `import http from 'k6/http';
export const options = { vus: 1, iterations: 1 };
export default async function () {
  await http.asyncRequest('GET', __ENV.TARGET + '/silent', null, { timeout: '300ms' });
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
  await http.asyncRequest('GET', __ENV.TARGET + '/conn/keep');
}`,
    check: ({ k6, engine }) => {
      expect(k6.connections).toBe(2);
      expect(engine.connections).toBe(k6.connections);
    },
  });
});
