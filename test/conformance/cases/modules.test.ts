// k6/metrics, k6/data, k6/encoding, k6/crypto and the k6 module: results compared through check names.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;

describeConformance('k6 modules', () => {
  conformance('k6/metrics: custom metrics with tags and isTime', {
    script: `import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
const c = new Counter('c_total'); const g = new Gauge('g_now'); const r = new Rate('r_ok'); const t = new Trend('t_ms', true); const n = new Trend('t_plain');
export const options = { iterations: 3 };
export default function () { c.add(2, { kind: 'x' }); g.add(__ITER * 10); r.add(__ITER > 0); t.add(12.5); n.add(3, { kind: 'y' }); r.add(0); c.add(0); }`,
    workers: [undefined, 1],
  });

  conformance('k6/metrics: a metric name k6 refuses', {
    script: `import { Counter } from 'k6/metrics';
const bad = new Counter('bad name!');
export default function () { bad.add(1); }`,
    workers: [1],
    skip: ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'],
  });

  conformance('k6/metrics: add() in the init context throws', {
    script: `import { Counter } from 'k6/metrics';
const c = new Counter('early');
c.add(1);
export default function () {}`,
    workers: [1],
    skip: ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'],
  });

  conformance('k6/data: SharedArray', {
    script: `import { SharedArray } from 'k6/data';
import { check } from 'k6';
const users = new SharedArray('users', () => [{ name: 'An' }, { name: 'Bình' }, { name: 'Chi' }]);
export const options = { scenarios: { p: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } } };
export default function () {
  const u = users[__ITER % users.length];
  ${seen("'len ' + users.length + ' ' + u.name + ' ' + users.map((x) => x.name).join(',')")}
  let frozen; try { users[0].name = 'x'; frozen = users[0].name; } catch (e) { frozen = 'throws'; }
  ${seen("'write ' + frozen")}
}`,
    workers: [undefined, 1],
  });

  conformance('k6/encoding: base64 variants', {
    script: `import encoding from 'k6/encoding';
import { check } from 'k6';
export default function () {
  const text = 'Cổng dịch vụ công ?>~';
  for (const v of ['std', 'rawstd', 'url', 'rawurl']) {
    const e = encoding.b64encode(text, v);
    ${seen("v + ' ' + e + ' ' + encoding.b64decode(e, v, 's')")}
  }
  const bytes = encoding.b64decode('AAEC');
  ${seen("'decoded ' + Object.prototype.toString.call(bytes) + ' ' + bytes.byteLength")}
}`,
    workers: [1],
  });

  conformance('k6/crypto: hashes, hmac, random bytes', {
    script: `import crypto from 'k6/crypto';
import { check } from 'k6';
export default function () {
  for (const alg of ['md5', 'sha1', 'sha256', 'sha384', 'sha512']) {
    ${seen("alg + ' ' + crypto[alg]('dịch vụ', 'hex') + ' ' + crypto[alg]('x', 'base64')")}
  }
  ${seen("'hmac ' + crypto.hmac('sha256', 'key', 'data', 'hex') + ' ' + crypto.hmac('md5', 'key', 'data', 'base64rawurl')")}
  const h = crypto.createHash('sha256'); h.update('a'); h.update('b');
  ${seen("'stream ' + h.digest('hex')")}
  const r = crypto.randomBytes(16);
  ${seen("'random ' + Object.prototype.toString.call(r) + ' ' + r.byteLength")}
}`,
    workers: [1],
  });

  conformance('k6: check() returns, group() returns, sleep()', {
    script: `import { check, group, sleep } from 'k6';
export default function () {
  const all = check(1, { a: (x) => x === 1, b: (x) => x === 2 });
  const some = check(1, { c: (x) => x === 1 });
  const value = group('g', () => 42);
  sleep(0.01);
  ${seen("'results ' + all + ' ' + some + ' ' + value")}
  check(null, { 'throws inside': () => { throw new Error('x'); } });
}`,
    workers: [1],
  });

  conformance('k6: check() with tags', {
    script: `import { check } from 'k6';
export const options = { iterations: 2, thresholds: { 'checks{kind:a}': ['rate==1'] } };
export default function () { check(1, { tagged: () => true }, { kind: 'a' }); }`,
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(run.jsonPoints.find((p) => p.metric === 'checks')?.tags.kind).toBe('a');
    },
  });

  conformance('k6: randomSeed makes Math.random repeatable', {
    script: `import { randomSeed, check } from 'k6';
export default function () { randomSeed(42); const a = Math.random(); randomSeed(42); ${seen("'same ' + (a === Math.random())")} }`,
    workers: [1],
  });

  conformance('open() text and binary in the init context', {
    script: `import { check } from 'k6';
const self = open(__ENV.SCRIPT_FILE);
const bin = open(__ENV.SCRIPT_FILE, 'b');
export default function () { ${seen("'text ' + typeof self + ' ' + (self.length > 10) + ' binary ' + Object.prototype.toString.call(bin)")} }`,
    env: { SCRIPT_FILE: import.meta.filename },
    workers: [1],
  });
});
