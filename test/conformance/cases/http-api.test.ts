// The rest of the k6/http surface scripts use: http.batch in its array and object forms, response
// types and bodies, Response.json(selector) (GJSON paths), headers canonicalisation, http.url
// templates and the name tag, discardResponseBodies, userAgent, --http-debug. k6's documented
// examples in k6's synchronous style, aimed at the local target.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check } from 'k6';\n`;
const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;

describeConformance('http: batch, responses, tags', () => {
  conformance('http.batch with arrays, objects and URLs (k6 docs examples)', {
    script: `${HEAD}export default function () {
  const T = __ENV.TARGET;
  const responses = http.batch([
    ['GET', T + '/echo?i=1', null, { tags: { ctype: 'html' } }],
    ['GET', T + '/json', null, { tags: { ctype: 'json' } }],
    T + '/status/201',
    { method: 'POST', url: T + '/echo', body: { hello: 'world!' }, params: { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } },
  ]);
  check(responses[0], { 'main page status was 200': (res) => res.status === 200 });
  ${seen("'array ' + responses.map((r) => r.status + ' ' + r.request.method + ' ' + r.url.replace(T, '')).join(', ')")}
  const named = http.batch({
    'front page': T + '/',
    'json': ['GET', T + '/json'],
    'posted': { method: 'POST', url: T + '/echo', body: 'b' },
  });
  ${seen("'object ' + Object.keys(named).sort().join(',') + ' ' + named['front page'].status + ' ' + named.posted.json().body")}
  const tagged = http.batch([http.url\`\${T}/status/\${204}\`]);
  ${seen("'template ' + tagged[0].status")}
}`,
    workers: [1],
  });

  conformance('response types and bodies, discardResponseBodies', {
    script: `${HEAD}export const options = { discardResponseBodies: true };
export default function () {
  const T = __ENV.TARGET;
  const dropped = http.get(T + '/bytes/10');
  ${seen("'discarded ' + dropped.body")}
  const text = http.get(T + '/', { responseType: 'text' });
  ${seen("'text ' + typeof text.body + ' ' + text.body")}
  const bin = http.get(T + '/bytes/5', { responseType: 'binary' });
  ${seen("'binary ' + Object.prototype.toString.call(bin.body) + ' ' + bin.body.byteLength")}
  const bad = http.get(T + '/', { responseType: 'bogus' });
  ${seen("'bogus responseType ' + bad.status + ' ' + (bad.error !== '')")}
  ${seen("'status_text ' + text.status_text + ' proto ' + text.proto")}
}`,
    workers: [1],
  });

  conformance('Response.json(selector): GJSON paths (k6 docs example)', {
    script: `${HEAD}export default function () {
  const res = http.get(__ENV.TARGET + '/api/json');
  const paths = ['name.last', 'age', 'children', 'children.#', 'children.1', 'child*.2', 'c?ildren.0', 'fav\\\\.movie', 'friends.#.first', 'friends.1.last', 'friends.#(last=="Murphy").first', 'friends.#(last=="Murphy")#.first', 'friends.#(age>45)#.last', 'friends.#(first%"D*").last', 'friends.#(nets.#(=="fb"))#.first', 'nothing.here', 'empty', 'children|@reverse', 'name.@keys'];
  for (const p of paths) ${seen("'json ' + p + ' = ' + JSON.stringify(res.json(p))")}
  ${seen("'whole ' + res.json().friends.length")}
  const html = http.get(__ENV.TARGET + '/html');
  ${seen("'selector on html ' + String(html.json('a'))")}
  let problem = 'none';
  try { html.json(); } catch (e) { problem = String(e).includes('cannot parse json due to an error at line 1') ? 'parse error' : String(e); }
  ${seen("'no selector on html ' + problem")}
}`,
    workers: [1],
  });

  conformance('a server that hangs up: status 0, error and error_code as k6', {
    script: `${HEAD}export default function () {
  for (const how of ['fin', 'rst']) {
    const r = http.get(__ENV.TARGET + '/api/hang-up?rst=' + (how === 'rst' ? 1 : 0));
    ${seen("how + ' status ' + r.status + ' error_code ' + r.error_code + ' body ' + r.body")}
  }
  const bad = http.get('not a url');
  ${seen("'invalid url status ' + bad.status + ' error_code ' + bad.error_code")}
}`,
    workers: [1],
  });

  conformance('headers are canonicalised; userAgent; name tags of http.url templates', {
    script: `${HEAD}export const options = { userAgent: 'conformance-agent/1.0' };
export default function () {
  const T = __ENV.TARGET;
  const r = http.get(T + '/echo', { headers: { 'x-lower-case': 'a', 'X-UPPER': 'b' } });
  ${seen("'sent ' + JSON.stringify(Object.entries(r.request.headers).sort())")}
  ${seen("'server saw ' + r.json().headers['user-agent'] + ' ' + r.json().headers['x-lower-case']")}
  ${seen("'response header ' + r.headers['Content-Type']")}
  for (const id of [1, 2, 3]) http.get(http.url\`\${T}/status/200?id=\${id}\`);
  http.get(T + '/status/200?id=9', { tags: { name: 'explicit' } });
}`,
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const names = run.jsonPoints.filter((p) => p.metric === 'http_reqs').map((p) => p.tags.name.replace(/127\.0\.0\.1:\d+/, 'HOST'));
        // k6 names an http.url request by its template, each interpolation written as the literal text "\${}".
        expect(names.filter((n) => n === `${'$'}{}/status/200?id=${'$'}{}`)).toHaveLength(3);
        expect(names).toContain('explicit');
      }
    },
  });

  // The bare `--http-debug` before the script path is taken by loadlab's CLI as the flag's value (cli/run.ts), so the case spells the mode.
  conformance('--http-debug=headers logs request and response headers, without bodies', {
    cli: true,
    flags: ['--http-debug=headers'],
    script: `${HEAD}export default function () {
  http.post(__ENV.TARGET + '/echo', 'request-body-marker', { headers: { 'X-Debug': '1' } });
}`,
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        expect(run.stderr).toContain('POST /echo HTTP/1.1');
        expect(run.stderr).toContain('X-Debug: 1');
        expect(run.stderr).toContain('HTTP/1.1 200 OK');
        expect(run.stderr).not.toContain('request-body-marker');
      }
    },
  });

  conformance('K6_HTTP_DEBUG=full (--http-debug=full) logs every request and response dump', {
    env: { K6_HTTP_DEBUG: 'full' },
    workers: [1],
    script: `${HEAD}export default function () {
  http.post(__ENV.TARGET + '/echo', 'request-body-marker', { headers: { 'X-Debug': '1' } });
}`,
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        expect(run.stderr).toContain('Request:');
        expect(run.stderr).toContain('POST /echo HTTP/1.1');
        expect(run.stderr).toContain('X-Debug: 1');
        expect(run.stderr).toContain('request-body-marker');
        expect(run.stderr).toContain('Response:');
        expect(run.stderr).toContain('HTTP/1.1 200 OK');
      }
    },
  });
});
