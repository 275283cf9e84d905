// Cookies as k6 keeps them (RFC 6265 on Go's cookiejar): Path, Secure, Max-Age/Expires, host-only,
// the VU jar reset every iteration, http.cookieJar() and new http.CookieJar() methods, params.jar,
// params.cookies with and without `replace`, res.cookies, cookies set during redirects.
// Scripts are k6's documented examples in k6's synchronous style, aimed at the local target.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check } from 'k6';\n`;
/** Records a value as a check name, so the comparison of the check tree compares the values. */
const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;
const raw = (...headers: string[]) => `/cookies/set-raw?${headers.map((h) => `c=${encodeURIComponent(h)}`).join('&')}`;
/** Cookie names in a stable order (Go's maps have none). */
const SORTED = 'const sorted = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));\n';

describeConformance('cookies: the VU jar and RFC 6265', () => {
  conformance('Path, Secure, Max-Age, Expires and quoted values decide what is sent back', {
    script: `${HEAD}${SORTED}export default function () {
  const res = http.get(__ENV.TARGET + '${raw('a=1', 'b=2; Path=/cookies', 'c=3; Path=/other', 'd=4; Max-Age=0', 'e=5; Domain=127.0.0.1', 'f=6; Secure', 'g=7; Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'h="q"; HttpOnly', 'i=9; Max-Age=3600')}');
  const sent = http.get(__ENV.TARGET + '/cookies');
  // k6's res.json() builds objects from Go maps, whose key order varies from run to run: compare them sorted.
  ${seen("'sent ' + sorted(sent.json().cookies)")}
  const jar = http.cookieJar();
  ${seen("'jar /cookies ' + sorted(jar.cookiesForURL(__ENV.TARGET + '/cookies'))")}
  ${seen("'jar / ' + sorted(jar.cookiesForURL(__ENV.TARGET + '/'))")}
  ${seen("'jar https ' + sorted(jar.cookiesForURL(__ENV.TARGET.replace('http:', 'https:') + '/'))")}
  const c = res.cookies;
  ${seen("'res.cookies ' + Object.keys(c).sort().map((k) => [k, c[k][0].value, c[k][0].path, c[k][0].domain, c[k][0].secure, c[k][0].http_only, c[k][0].max_age, c[k][0].expires].join('|')).join(' ')")}
}`,
    workers: [1],
    check: ({ k6 }) => {
      expect(k6.summary?.root_group.checks.some((c) => c.name.startsWith('sent [["a","1"],["b","2"]'))).toBe(true);
    },
  });

  conformance('cookieJar().set/cookiesForURL/delete/clear (k6 docs example)', {
    script: `${HEAD}${SORTED}export default function () {
  const jar = http.cookieJar();
  jar.set(__ENV.TARGET, 'my_cookie', 'hello world', { path: '/cookies', max_age: 600 });
  jar.set(__ENV.TARGET + '/x/y', 'other', 'v2');
  jar.set(__ENV.TARGET, 'gone', 'v', { max_age: -1 });
  const res = http.get(__ENV.TARGET + '/cookies');
  check(res, { 'has status 200': (r) => r.status === 200, "has cookie 'my_cookie'": (r) => r.json().cookies.my_cookie !== undefined });
  ${seen("'after set ' + JSON.stringify(res.json().cookies)")}
  ${seen("'forURL ' + sorted(jar.cookiesForURL(__ENV.TARGET + '/cookies'))")}
  jar.delete(__ENV.TARGET, 'other');
  ${seen("'after delete ' + sorted(jar.cookiesForURL(__ENV.TARGET + '/cookies'))")}
  jar.set(__ENV.TARGET, 'root', 'r');
  jar.clear(__ENV.TARGET);
  ${seen("'after clear ' + sorted(jar.cookiesForURL(__ENV.TARGET + '/cookies'))")}
  let problem = 'none';
  try { jar.set(__ENV.TARGET, 'bad', 'v', { expires: 'tomorrow' }); } catch (e) { problem = 'thrown'; }
  ${seen("'bad expires ' + problem")}
  jar.set(__ENV.TARGET, 'exp', 'v', { expires: 'Mon, 02 Jan 2006 15:04:05 GMT' });
  ${seen("'expired by date ' + sorted(jar.cookiesForURL(__ENV.TARGET + '/'))")}
}`,
    workers: [1],
  });

  conformance('the VU jar starts empty every iteration; new http.CookieJar() keeps its own', {
    script: `${HEAD}${SORTED}export const options = { iterations: 3, vus: 1 };
const kept = [];
export default function () {
  const before = http.get(__ENV.TARGET + '/cookies').json().cookies;
  ${seen("'iteration starts with ' + JSON.stringify(before)")}
  http.get(__ENV.TARGET + '/cookies/set?iter=' + __ITER);
  const own = new http.CookieJar();
  own.set(__ENV.TARGET, 'own', 'yes');
  const withOwn = http.get(__ENV.TARGET + '/cookies', { jar: own }).json().cookies;
  ${seen("'own jar sends ' + JSON.stringify(withOwn)")}
  http.get(__ENV.TARGET + '/cookies/set?stored=in-own', { jar: own });
  ${seen("'own jar has ' + sorted(own.cookiesForURL(__ENV.TARGET + '/'))")}
  ${seen("'vu jar has ' + sorted(http.cookieJar().cookiesForURL(__ENV.TARGET + '/'))")}
}`,
    workers: [1],
  });

  conformance('params.cookies add to the jar, replace: true overrides it', {
    script: `${HEAD}export default function () {
  http.get(__ENV.TARGET + '/cookies/set?a=jar&b=jar');
  const plain = http.get(__ENV.TARGET + '/cookies', { cookies: { c: 'req' } });
  // k6's res.json() builds objects from Go maps, so their key order varies from run to run: compare the header as sent.
  ${seen("'added ' + plain.json().header")}
  const replaced = http.get(__ENV.TARGET + '/cookies', { cookies: { a: { value: 'req', replace: true } } });
  ${seen("'replaced ' + replaced.json().header")}
  const rc = replaced.request.cookies;
  ${seen("'request.cookies ' + Object.keys(rc).sort().map((k) => k + '=' + rc[k].map((c) => c.value + '/' + c.replace).join(',')).join(' ')")}
}`,
    workers: [1],
  });

  conformance('cookies set by a redirect are sent to the next hop, which gets a Referer', {
    script: `${HEAD}export default function () {
  const res = http.get(__ENV.TARGET + '/api/redirect-cookies?c=' + encodeURIComponent('hop=1; Path=/') + '&to=' + encodeURIComponent('/api/raw-echo'));
  const headers = res.json().headers.filter((h) => h[0] === 'cookie' || h[0] === 'referer').map((h) => h[0] + ': ' + h[1].replace(__ENV.TARGET, 'TARGET'));
  ${seen("'next hop ' + JSON.stringify(headers)")}
  ${seen("'jar after ' + JSON.stringify(http.cookieJar().cookiesForURL(__ENV.TARGET))")}
}`,
    workers: [1],
  });
});
