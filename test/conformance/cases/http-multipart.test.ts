// Request bodies as k6 sends them: http.file() and object bodies with files as multipart/form-data
// (parts in the object's order, field values as Go prints them), objects as sorted url-encoded forms,
// binary bodies as they are. Field names and filenames are escaped as browsers do: that is a
// deliberate difference from k6, which lets CR/LF in a filename inject a part header.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const HEAD = `import http from 'k6/http';\nimport { check } from 'k6';\n`;
const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;

describeConformance('http: request bodies and multipart', () => {
  conformance('file upload (k6 docs example: http.file in an object body)', {
    script: `${HEAD}const binFile = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]).buffer;
export default function () {
  const data = {
    field: 'this is a standard form field',
    file: http.file(binFile, 'test.bin'),
    doc: http.file('plain text, thủ tục', 'note.txt', 'text/plain'),
    n: 42,
    list: ['a', 'b'],
  };
  const res = http.post(__ENV.TARGET + '/api/multipart', data);
  const body = res.json();
  ${seen("'type ' + body.contentType")}
  for (const part of body.parts) ${seen("'part ' + JSON.stringify(Object.entries(part.headers).sort()) + ' ' + JSON.stringify(part.content)")}
  const f = http.file('x');
  ${seen("'file keys ' + Object.keys(f).join(',') + ' ' + f.content_type + ' ' + /^[0-9]+$/.test(f.filename)")}
}`,
    workers: [1],
  });

  conformance('object bodies are sorted url-encoded forms; strings and ArrayBuffers go as they are', {
    script: `${HEAD}export default function () {
  const form = http.post(__ENV.TARGET + '/api/raw-echo', { b: 'x y', a: 'ä&=*~!', n: 1.5, arr: ['p', 'q'], t: true });
  ${seen("'form ' + form.json().body + ' ' + JSON.stringify(form.json().headers.filter((h) => h[0] === 'content-type'))")}
  const text = http.post(__ENV.TARGET + '/api/raw-echo', 'plain');
  ${seen("'text ' + text.json().body + ' ' + text.json().headers.some((h) => h[0] === 'content-type')")}
  const bin = http.post(__ENV.TARGET + '/api/raw-echo', new Uint8Array([104, 105]).buffer);
  ${seen("'binary ' + bin.json().body")}
  const typed = http.post(__ENV.TARGET + '/api/raw-echo', 'x', { headers: { 'content-type': 'text/x', 'x-lower': 'a' } });
  ${seen("'header names ' + Object.keys(typed.request.headers).sort().join(',')")}
}`,
    workers: [1],
  });

  conformance('a filename or field name cannot inject a part header', {
    script: `${HEAD}export default function () {
  const res = http.post(__ENV.TARGET + '/api/multipart', {
    'name"with\\r\\nX-Field: injected': 'v',
    file: http.file('data', 'evil.txt"\\r\\nX-Injected: 1\\r\\nContent-Type: text/html', 'text/plain'),
  });
  check(res, { 'status 200': (r) => r.status === 200, 'two parts': (r) => r.json().parts.length === 2 });
}`,
    workers: [1],
    deliberate: [
      {
        section: 'requests',
        key: 'injected part header',
        reason:
          'multipart names and filenames are escaped as browsers do (%22, %0D, %0A); k6 sends CR/LF raw, so a filename can inject part headers',
      },
    ],
    check: ({ k6, engine }) => {
      expect(k6.requests['injected part header']).toBe(2);
      expect(engine.requests['injected part header']).toBeUndefined();
    },
  });
});
