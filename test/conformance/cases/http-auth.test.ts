// Authentication as k6 does it: basic auth from the URL's credentials, digest auth (`auth: 'digest'`)
// with its 401 challenge round trip (two requests in http_reqs, the challenge counted as expected),
// credentials masked in the url/name tags. k6's documented examples, aimed at the local target.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check } from 'k6';\n`;
const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;

describeConformance('http: authentication', () => {
  conformance('basic auth from the URL (k6 docs example)', {
    script: `${HEAD}import encoding from 'k6/encoding';
const username = 'user';
const password = 'passwd';
export default function () {
  const credentials = \`\${username}:\${password}\`;
  const host = __ENV.TARGET.replace('http://', '');
  // Passing username and password as part of the URL will authenticate using HTTP Basic Auth.
  const url = \`http://\${credentials}@\${host}/basic-auth/\${username}/\${password}\`;
  let res = http.get(url);
  check(res, { 'status is 200': (r) => r.status === 200, 'is authenticated': (r) => r.json().authenticated === true, 'is correct user': (r) => r.json().user === username });
  // Alternatively you can create the header yourself to authenticate using HTTP Basic Auth
  const encodedCredentials = encoding.b64encode(credentials);
  const options = { headers: { Authorization: \`Basic \${encodedCredentials}\` } };
  res = http.get(\`\${__ENV.TARGET}/basic-auth/\${username}/\${password}\`, options);
  check(res, { 'status is 200 (header)': (r) => r.status === 200 });
  res = http.get(\`http://\${username}:wrong@\${host}/basic-auth/\${username}/\${password}\`);
  ${seen("'wrong password ' + res.status + ' ' + res.error_code")}
}`,
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const urls = run.jsonPoints.filter((p) => p.metric === 'http_reqs').map((p) => p.tags.url.replace(/127\.0\.0\.1:\d+/, 'HOST'));
        expect(urls).toContain('http://****:****@HOST/basic-auth/user/passwd');
      }
    },
  });

  conformance('digest auth: the challenge and the answer are two requests (k6 docs example)', {
    script: `${HEAD}const username = 'user';
const password = 'passwd';
export default function () {
  const host = __ENV.TARGET.replace('http://', '');
  // Passing username and password as part of URL plus the auth option will authenticate using HTTP Digest authentication.
  const credentials = \`\${username}:\${password}\`;
  const res = http.get(\`http://\${credentials}@\${host}/digest-auth/auth/\${username}/\${password}\`, { auth: 'digest' });
  // Verify response (checking the echoed data from the httpbin.test.k6.io digest auth test API endpoint)
  check(res, { 'status is 200': (r) => r.status === 200, 'is authenticated': (r) => r.json().authenticated === true, 'is correct user': (r) => r.json().user === username });
  const wrong = http.post(\`http://\${username}:wrong@\${host}/digest-auth/auth/\${username}/\${password}\`, 'body', { auth: 'digest' });
  ${seen("'wrong password ' + wrong.status")}
  const none = http.get(\`\${__ENV.TARGET}/digest-auth/auth/\${username}/\${password}\`, { auth: 'digest' });
  ${seen("'no credentials ' + none.status")}
}`,
    workers: [1],
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) {
        const reqs = run.jsonPoints.filter((p) => p.metric === 'http_reqs');
        expect(reqs.map((p) => `${p.tags.status}/${p.tags.expected_response}`)).toEqual([
          '401/true',
          '200/true',
          '401/true',
          '401/false',
          '401/true',
          '401/false',
        ]);
      }
    },
  });
});
