// The k6 API building blocks on their own: multipart escaping and Go's form encoding, digest
// answers (RFC 2617's worked example), the cookie jar's RFC 6265 rules, GJSON selectors, Go's
// base64 errors, the re-readable Hasher, and k6/html's Go-style rendering and form serialisation.
// The same behaviour is compared with real k6 end to end in test/conformance/cases/.
import { describe, expect, it } from 'vitest';
import { cryptoModule } from '../../engine/modules/crypto.ts';
import { b64decode, b64encode } from '../../engine/modules/encoding.ts';
import { parseHTML } from '../../engine/modules/html/index.ts';
import { encodeBody, escapeMultipartName, file, goQueryEscape } from '../../engine/modules/http/body.ts';
import { CookieJar, responseCookies } from '../../engine/modules/http/cookie-jar.ts';
import { digestAuthorization, findDigestChallenge } from '../../engine/modules/http/digest.ts';
import { select } from '../../engine/modules/http/json-selector.ts';

describe('request bodies', () => {
  it('escapes multipart names and filenames as browsers do, so CR/LF cannot start a header', () => {
    expect(escapeMultipartName('a"b\r\nX-Injected: 1')).toBe('a%22b%0D%0AX-Injected: 1');
    const [body, type] = encodeBody({ 'f"n': 'v', upload: file('data', 'evil"\r\nX: 1.txt', 'text/plain\r\nX-Bad: 1') });
    const text = (body as Buffer).toString('latin1');
    expect(type).toMatch(/^multipart\/form-data; boundary=[0-9a-f]{60}$/);
    expect(text).toContain('Content-Disposition: form-data; name="f%22n"\r\n');
    expect(text).toContain(
      'Content-Disposition: form-data; name="upload"; filename="evil%22%0D%0AX: 1.txt"\r\nContent-Type: text/plainX-Bad: 1\r\n',
    );
    expect(text.split('\r\n').filter((line) => /^X/.test(line))).toEqual([]);
  });

  it('encodes objects as Go does: keys sorted, QueryEscape, arrays repeated, objects as map[...]', () => {
    expect(goQueryEscape("a b*~!'()ä")).toBe('a+b%2A~%21%27%28%29%C3%A4');
    expect(encodeBody({ b: 'x y', a: [1, 2], o: { z: 1, y: [2, 3] } })).toEqual([
      'a=1&a=2&b=x+y&o=map%5By%3A%5B2+3%5D+z%3A1%5D',
      'application/x-www-form-urlencoded',
    ]);
    expect(encodeBody('raw')).toEqual(['raw', null]);
  });
});

describe('digest authentication', () => {
  it("answers RFC 2617's example challenge with its documented response", () => {
    const challenge = findDigestChallenge([
      'Basic realm="x", Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    ]);
    expect(challenge).toEqual({
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
      qop: 'auth,auth-int',
      algorithm: 'MD5',
    });
    const header = digestAuthorization(challenge!, 'GET', '/dir/index.html', 'Mufasa', 'Circle Of Life', '0a4f113b');
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(header).toContain('nc=00000001, qop=auth');
  });

  it('finds no challenge without a Digest scheme or with an algorithm it cannot compute', () => {
    expect(findDigestChallenge(['Basic realm="x"'])).toBeNull();
    expect(findDigestChallenge(['Digest realm="x", nonce="n", algorithm=SHA-1024'])).toBeNull();
  });
});

describe('cookie jar', () => {
  const base = 'http://127.0.0.1:8080';
  it('sends by path and Secure, drops expired cookies, lists res.cookies as Go fields', () => {
    const jar = new CookieJar();
    for (const h of ['a=1', 'b=2; Path=/echo', 'f=6; Secure', 'd=4; Max-Age=0', 'g=7; Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'h="q"'])
      jar.store(`${base}/echo/x`, h);
    expect(jar.header(`${base}/echo/y`, undefined, null)).toBe('a=1; b=2; h=q');
    expect(jar.header(`${base}/other`, undefined, null)).toBe('');
    expect(jar.cookiesForURL('https://127.0.0.1:8080/echo')).toEqual({ a: ['1'], b: ['2'], f: ['6'], h: ['q'] });
    const listed = responseCookies(['s=1; Path=/p; Max-Age=0; HttpOnly']);
    expect(listed.s[0]).toEqual({
      name: 's',
      value: '1',
      domain: '',
      path: '/p',
      http_only: true,
      secure: false,
      max_age: -1,
      expires: -6795364578871,
    });
  });

  it('puts request cookies first, replace: true hides the jar cookie, values with spaces are quoted', () => {
    const jar = new CookieJar();
    jar.set(base, 'a', 'jar');
    jar.set(base, 'space', 'hello world');
    const sent = {};
    expect(jar.header(`${base}/`, { a: { value: 'req', replace: true }, b: 'x' }, sent)).toBe('a=req; b=x; space="hello world"');
    expect(Object.keys(sent)).toEqual(['a', 'b', 'space']);
  });

  it('delete() and clear() remove what is stored under the URL default path, as k6', () => {
    const jar = new CookieJar();
    jar.set(base, 'root', '1');
    jar.set(base, 'deep', '2', { path: '/echo' });
    jar.delete(base, 'root');
    expect(jar.cookiesForURL(`${base}/echo`)).toEqual({ deep: ['2'] });
    jar.set(base, 'root', '1');
    jar.clear(`${base}/echo/x`);
    expect(jar.cookiesForURL(`${base}/echo`)).toEqual({ root: ['1'] });
    jar.clear(base);
    expect(jar.cookiesForURL(`${base}/echo`)).toEqual({});
    expect(() => jar.set(base, 'x', 'y', { expires: 'tomorrow' })).toThrow(/unable to parse "expires"/);
  });
});

describe('Response.json selectors (GJSON)', () => {
  const doc = {
    name: { first: 'An' },
    children: ['Sara', 'Alex'],
    'fav.movie': 'x',
    friends: [
      { first: 'Dale', age: 44, nets: ['ig', 'fb'] },
      { first: 'Jane', age: 47, nets: ['tw'] },
    ],
  };
  it.each([
    ['name.first', 'An'],
    ['children.#', 2],
    ['children.1', 'Alex'],
    ['child*.0', 'Sara'],
    ['fav\\.movie', 'x'],
    ['friends.#.first', ['Dale', 'Jane']],
    ['friends.#(age>45).first', 'Jane'],
    ['friends.#(age>40)#.first', ['Dale', 'Jane']],
    ['friends.#(nets.#(=="fb"))#.first', ['Dale']],
    ['friends.#(first%"J*").age', 47],
    ['children|@reverse', ['Alex', 'Sara']],
    ['nothing', undefined],
  ])('%s', (path, expected) => {
    expect(select(doc, path)).toEqual(expected);
  });
});

describe('k6/encoding and k6/crypto', () => {
  it("decodes with Go's rules and error offsets", () => {
    expect(b64decode('aGk=', 'std', 's')).toBe('hi');
    expect(b64decode('aG\r\nk=', 'std', 's')).toBe('hi');
    expect(() => b64decode('aGk', 'std')).toThrow('illegal base64 data at input byte 0');
    expect(() => b64decode('aGk=', 'rawstd')).toThrow('illegal base64 data at input byte 3');
    expect(() => b64decode('aGk=x', 'std')).toThrow('illegal base64 data at input byte 4');
    expect(b64encode('hi?>', 'rawurl')).toBe('aGk_Pg');
    expect(b64encode('hi', 'unknown' as 'std')).toBe('aGk=');
  });

  it('reads a Hasher more than once and keeps updating it; md4 without OpenSSL', () => {
    const hasher = cryptoModule.createHash('sha256');
    hasher.update('abc');
    const first = hasher.digest('hex');
    expect(hasher.digest('hex')).toBe(first);
    hasher.update('def');
    const hashes = cryptoModule as unknown as Record<string, (s: string, e: string) => string>;
    expect(first).toBe(hashes.sha256('abc', 'hex'));
    expect(hasher.digest('hex')).toBe(hashes.sha256('abcdef', 'hex'));
    expect(hashes.md4('abc', 'hex')).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(() => hasher.digest()).toThrow('invalid output encoding: ');
  });
});

describe('k6/html', () => {
  const page = `<html><body><div id="d" data-user-id="4" data-json='{"a":1}'><p>a &amp; 'b'<br>c</p></div>
<form id="f"><input name="u" value="x"><input type="checkbox" name="c" checked><input type="checkbox" name="k" checked="checked"><select name="m" multiple><option selected value="1">1</option><option selected>2</option></select><textarea name="t">&lt;t&gt;</textarea><input type="submit" name="go" value="Go"></form></body></html>`;

  it('renders html() as Go does (void elements closed, quotes escaped) and reads data-* as k6', () => {
    const doc = parseHTML(page);
    expect(doc.find('#d').html()).toBe('<p>a &amp; &#39;b&#39;<br/>c</p>');
    expect(doc.find('#d').data()).toEqual({ userID: 4, json: { a: 1 } });
    expect(doc.find('#d').data('userId')).toBe(4);
  });

  it('serializes a form as k6: checkboxes need checked="checked", multiple selects give lists', () => {
    const form = parseHTML(page).find('#f');
    expect(form.serializeArray()).toEqual([
      { name: 'u', value: 'x' },
      { name: 'k', value: 'on' },
      { name: 'm', value: ['1', '2'] },
      { name: 't', value: '&lt;t&gt;' },
    ]);
    expect(form.serialize()).toBe('k=on&m=1&m=2&t=%26lt%3Bt%26gt%3B&u=x');
  });
});
