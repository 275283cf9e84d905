// k6/http basics: methods, params, redirects, expectedStatuses, errors and their codes, and the
// tags k6 puts on request metrics.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check } from 'k6';\n`;
const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;

describeConformance('k6/http basics', () => {
  conformance('every method, with bodies', {
    script: `${HEAD}export default function () {
  const t = __ENV.TARGET + '/echo';
  const rs = [http.get(t), http.post(t, 'p'), http.put(t, 'u'), http.patch(t, 'a'), http.del(t), http.head(t), http.options(t), http.request('PROPFIND', t)];
  for (const r of rs) ${seen("r.request.method + ' ' + r.status + ' ' + (r.body ? JSON.parse(r.body).method + ' ' + JSON.parse(r.body).body : 'no body')")}
}`,
    workers: [1],
  });

  conformance('params: headers, tags, name, query, form and JSON bodies', {
    script: `${HEAD}export default function () {
  const r1 = http.get(__ENV.TARGET + '/echo?a=1&b=x%20y', { headers: { 'X-Trace': 't1' }, tags: { step: 'one' } });
  const j = r1.json();
  // k6's res.json() builds objects from Go maps, whose key order varies from run to run: compare entries sorted.
  ${seen("'q ' + JSON.stringify(Object.entries(j.query).sort()) + ' h ' + j.headers['x-trace']")}
  const r2 = http.post(__ENV.TARGET + '/echo', { user: 'an', pass: 'x y' });
  ${seen("'form ' + r2.json().body + ' ' + r2.json().headers['content-type']")}
  const r3 = http.post(__ENV.TARGET + '/echo', JSON.stringify({ a: 1 }), { headers: { 'Content-Type': 'application/json' } });
  ${seen("'json ' + r3.json('body') + ' ' + r3.json('headers.content-type')")}
  http.get(__ENV.TARGET + '/status/200?id=' + __ITER, { tags: { name: 'by-id' } });
}`,
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const names = run.jsonPoints.filter((p) => p.metric === 'http_reqs').map((p) => `${p.tags.name}|${p.tags.step ?? ''}`);
        expect(names).toContain('by-id|');
        expect(names.some((n) => n.endsWith('|one'))).toBe(true);
      }
    },
  });

  conformance('redirects are followed, maxRedirects stops them', {
    script: `${HEAD}export const options = { maxRedirects: 2 };
export default function () {
  const a = http.get(__ENV.TARGET + '/redirect/2');
  ${seen("'two ' + a.status + ' ' + a.url.replace(__ENV.TARGET, '')")}
  const b = http.get(__ENV.TARGET + '/redirect/4');
  ${seen("'four ' + b.status + ' ' + b.url.replace(__ENV.TARGET, '') + ' ' + b.error_code")}
  const c = http.get(__ENV.TARGET + '/redirect/3', { redirects: 0 });
  ${seen("'none ' + c.status + ' ' + c.headers['Location']")}
}`,
    workers: [1],
  });

  conformance('http_req_failed and expectedStatuses', {
    script: `${HEAD}export default function () {
  http.get(__ENV.TARGET + '/status/200');
  http.get(__ENV.TARGET + '/status/302?x');
  http.get(__ENV.TARGET + '/status/404');
  http.get(__ENV.TARGET + '/status/500');
  http.setResponseCallback(http.expectedStatuses(404, { min: 500, max: 599 }));
  http.get(__ENV.TARGET + '/status/404');
  http.get(__ENV.TARGET + '/status/503');
  http.get(__ENV.TARGET + '/status/200');
  http.get(__ENV.TARGET + '/status/200', { responseCallback: null });
}`,
    workers: [1],
  });

  conformance('connection refused: error and error_code 1212, status 0', {
    script: `${HEAD}export default function () {
  const r = http.get('http://127.0.0.1:1/');
  ${seen("'refused ' + r.status + ' ' + r.error_code + ' ' + (r.error.length > 0)")}
}`,
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const failed = run.jsonPoints.find((p) => p.metric === 'http_req_failed');
        expect(failed?.tags.error_code).toBe('1212');
      }
    },
  });

  conformance('invalid URL throws in the VU code', {
    script: `${HEAD}export default function () {
  let message;
  try { http.get('not a url'); message = 'no throw'; } catch (e) { message = 'throws'; }
  ${seen("'invalid ' + message")}
}`,
    workers: [1],
  });

  conformance('response fields: status_text, headers, timings, body types', {
    script: `${HEAD}export default function () {
  const r = http.get(__ENV.TARGET + '/json');
  ${seen("'status ' + r.status + ' ' + r.status_text + ' ' + r.proto + ' ' + r.headers['Content-Type']")}
  ${seen("'timings ' + Object.keys(r.timings).sort().join(',')")}
  ${seen("'json ' + r.json('user.roles.1') + ' ' + r.json().items.length")}
  const b = http.get(__ENV.TARGET + '/bytes/5', { responseType: 'binary' });
  ${seen("'binary ' + Object.prototype.toString.call(b.body) + ' ' + b.body.byteLength")}
  const n = http.get(__ENV.TARGET + '/bytes/5', { responseType: 'none' });
  ${seen("'none ' + n.body")}
}`,
    workers: [1],
  });

  conformance('basic auth in the URL', {
    script: `${HEAD}export default function () {
  const u = __ENV.TARGET.replace('http://', 'http://an:secret@');
  const ok = http.get(u + '/basic-auth/an/secret');
  const bad = http.get(__ENV.TARGET + '/basic-auth/an/secret');
  ${seen("'basic ' + ok.status + ' ' + bad.status")}
}`,
    workers: [1],
  });

  conformance('digest auth', {
    script: `${HEAD}export default function () {
  const u = __ENV.TARGET.replace('http://', 'http://an:secret@');
  const r = http.get(u + '/digest-auth/auth/an/secret', { auth: 'digest' });
  ${seen("'digest ' + r.status")}
}`,
    workers: [1],
  });

  conformance('http.batch: array and object forms', {
    script: `${HEAD}export default function () {
  const list = http.batch([['GET', __ENV.TARGET + '/status/201'], __ENV.TARGET + '/status/202', { method: 'POST', url: __ENV.TARGET + '/echo', body: 'b' }]);
  ${seen("'list ' + list.map((r) => r.status).join(',')")}
  const named = http.batch({ a: __ENV.TARGET + '/status/203', b: ['GET', __ENV.TARGET + '/status/204'] });
  ${seen("'named ' + named.a.status + ',' + named.b.status")}
}`,
    workers: [1],
  });

  conformance('a request timeout on a silent server: error_code 1050', {
    script: `${HEAD}export default function () {
  const r = http.get(__ENV.TARGET + '/silent', { timeout: '500ms' });
  ${seen("'timeout ' + r.status + ' ' + r.error_code")}
}`,
    workers: [1],
  });

  conformance('url tag vs name tag with http.url template', {
    script: `${HEAD}export default function () {
  const id = 7;
  http.get(http.url\`\${__ENV.TARGET}/status/200?id=\${id}\`);
}`,
    workers: [1],
    check: ({ k6, engine }) => {
      const tags = (run: typeof k6) => {
        const t = run.jsonPoints.find((p) => p.metric === 'http_reqs')!.tags;
        return [t.name.replace(/:\d+/, ':PORT'), t.url.replace(/:\d+/, ':PORT')];
      };
      expect(tags(engine)).toEqual(tags(k6));
    },
  });
});
