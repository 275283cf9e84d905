// The script's realm (issue 9): k6's globals only, strict mode as k6 evaluates ES modules, and values
// the engine hands to the script that are the script's own (instanceof holds).
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;
// Globals k6 has for its own machinery and the engine does not (GoError, vubox), the CommonJS names
// k6 defines only to throw on access, and __VU/__ENV: deliberately different, the engine binds those
// names per VU when it bundles the script (one realm serves all VUs of a thread), so the identifiers
// work as on k6 but `globalThis.__VU` is not there (README, k6 surface table).
const K6_INTERNALS = ['GoError', 'vubox', 'exports', 'module', '__VU', '__ENV'];

describeConformance('realm', () => {
  conformance("the script's global object has k6's globals, not Node's", {
    script: `import { check } from 'k6';
const candidates = ['Buffer', 'process', 'fetch', 'require', 'structuredClone', 'setTimeout', 'clearTimeout', 'setInterval',
  'clearInterval', 'setImmediate', 'queueMicrotask', 'TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams', 'atob', 'btoa',
  'crypto', 'performance', 'global', 'globalThis', 'console', 'open', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'Intl',
  'WeakRef', 'FinalizationRegistry', 'AbortController', 'EventTarget', 'navigator', 'escape', 'unescape', 'eval', 'Function',
  'AggregateError', 'Proxy', 'Reflect', 'BigInt', 'Symbol'];
const internals = ${JSON.stringify(K6_INTERNALS)};
const own = Object.getOwnPropertyNames(globalThis).filter((n) => !internals.includes(n)).sort();
export default function () {
  for (const name of candidates) {
    let type;
    try { type = eval('typeof ' + name); } catch (e) { type = 'throws'; }
    ${seen("name + ': ' + type")}
  }
  ${seen("'globals: ' + own.join(' ')")}
  ${seen("'crypto: ' + Object.getOwnPropertyNames(crypto).sort().join(' ') + ' ' + crypto.getRandomValues(new Uint8Array(4)).length + ' ' + typeof crypto.randomUUID()")}
  ${seen("'global is globalThis: ' + (global === globalThis)")}
  ${seen("'console: ' + Object.keys(console).sort().join(' ')")}
}`,
  });

  conformance('strict mode: an undeclared assignment throws, `this` is undefined in functions', {
    script: `import { check } from 'k6';
export default function () {
  let assigned;
  try { undeclaredName = 1; assigned = 'assigned'; } catch (e) { assigned = e.name; }
  ${seen("'undeclared assignment: ' + assigned")}
  ${seen("'this in a function: ' + (function () { return typeof this; })()")}
  let frozen;
  try { Object.freeze({ a: 1 }).a = 2; frozen = 'ignored'; } catch (e) { frozen = e.name; }
  ${seen("'write to a frozen object: ' + frozen")}
}`,
  });

  conformance('strict mode in the init context: an undeclared assignment fails the script (exit 107)', {
    script: `leaked = 1;
export default function () {}`,
    skip: ['metrics', 'groups', 'counts', 'jsonMetrics', 'jsonPoints', 'summaryExport'],
    check: ({ k6, engine }) => {
      expect(k6.exitCode).toBe(107);
      expect(engine.stderr).toContain('leaked is not defined');
    },
  });

  conformance("values from open(), k6/encoding, k6/crypto, JSON and setup() are the script's own", {
    script: `import http from 'k6/http';
import encoding from 'k6/encoding';
import crypto from 'k6/crypto';
import { check } from 'k6';
const bytes = open('./script.js', 'b');
export function setup() { return { list: [1, 2], nested: { ok: true } }; }
export default function (data) {
  ${seen("'open b: ' + (bytes instanceof ArrayBuffer) + ' ' + (new Uint8Array(bytes)[0] > 0)")}
  ${seen("'b64decode: ' + (encoding.b64decode('AAEC') instanceof ArrayBuffer)")}
  ${seen("'sha256 binary: ' + (crypto.sha256('x', 'binary') instanceof ArrayBuffer) + ' ' + crypto.sha256('x', 'binary').byteLength")}
  const hasher = crypto.createHash('md5');
  hasher.update('x');
  ${seen("'hasher binary: ' + (hasher.digest('binary') instanceof ArrayBuffer)")}
  ${seen("'JSON.parse: ' + (JSON.parse('[1]') instanceof Array)")}
  ${seen("'setup data: ' + (data.list instanceof Array) + ' ' + (data.nested.constructor === Object) + ' ' + Array.isArray(data.list)")}
  let caught;
  try { null.x; } catch (e) { caught = (e instanceof TypeError) + ' ' + (e instanceof Error); }
  ${seen("'errors: ' + caught")}
  const json = http.get(__ENV.TARGET + '/json').json();
  ${seen("'res.json(): ' + (json instanceof Object) + ' ' + (json.items instanceof Array) + ' ' + (json.user.constructor === Object)")}
  const binary = http.get(__ENV.TARGET + '/bytes/4', { responseType: 'binary' }).body;
  ${seen("'binary body: ' + (binary instanceof ArrayBuffer) + ' ' + binary.byteLength")}
  const p = (async () => 1)();
  ${seen("'promise: ' + (p instanceof Promise)")}
}`,
    workers: [undefined, 1],
  });
});
