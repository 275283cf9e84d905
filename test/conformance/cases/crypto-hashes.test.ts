// k6/crypto: every hash k6 has (md4 included), HMAC, the Hasher whose digest() can be read more
// than once and updated after, output encodings, randomBytes. k6's documented examples first.
import { conformance, describeConformance } from '../harness/index.ts';

const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;

describeConformance('k6/crypto', () => {
  conformance('hashes and HMAC (k6 docs examples)', {
    script: `import { check } from 'k6';
import crypto from 'k6/crypto';
export default function () {
  let hash = crypto.sha256('hello world!', 'hex');
  ${seen("'sha256 ' + hash")}
  const binArray = [104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33];
  hash = crypto.sha256(new Uint8Array(binArray).buffer, 'base64');
  ${seen("'sha256 of ArrayBuffer ' + hash")}
  ${seen("'hmac ' + crypto.hmac('sha256', 'a secret', 'my data', 'hex')")}
  ${seen("'hmac of ArrayBuffer ' + crypto.hmac('sha256', 'a secret', new Uint8Array(binArray).buffer, 'hex')")}
  for (const a of ['md4', 'md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sha512_224', 'sha512_256', 'ripemd160']) {
    ${seen("a + ' ' + crypto[a]('abc', 'hex')")}
    ${seen("'hmac ' + a + ' ' + crypto.hmac(a, 'key', 'abc', 'base64')")}
  }
  const rb = crypto.randomBytes(42);
  ${seen("'randomBytes ' + Object.prototype.toString.call(rb) + ' ' + rb.byteLength")}
}`,
    workers: [1],
  });

  conformance('Hasher: digest() more than once, update after digest, encodings (k6 docs example)', {
    script: `import { check } from 'k6';
import crypto from 'k6/crypto';
function t(label, f) {
  let out;
  try { const v = f(); out = typeof v === 'string' ? v : Object.prototype.toString.call(v) + ' ' + v.byteLength; } catch (e) { out = 'error ' + String(e.message || e); }
  ${seen("label + ' -> ' + out")}
}
export default function () {
  console.log(crypto.sha256('hello world!', 'hex'));
  const hasher = crypto.createHash('sha256');
  hasher.update('hello ');
  hasher.update('world!');
  t('docs example', () => hasher.digest('hex'));
  t('again', () => hasher.digest('hex'));
  hasher.update(' and more');
  t('after update', () => hasher.digest('hex'));
  for (const e of ['base64', 'base64url', 'base64rawurl', 'binary', 'bogus', undefined]) t('encoding ' + e, () => hasher.digest(e));
  t('md5 without encoding', () => crypto.md5('abc'));
  const hmac = crypto.createHMAC('sha1', 'k');
  hmac.update('a');
  t('hmac first', () => hmac.digest('hex'));
  t('hmac second', () => hmac.digest('hex'));
  hmac.update('b');
  t('hmac updated', () => hmac.digest('hex'));
  const md4 = crypto.createHMAC('md4', 'k');
  md4.update('x');
  t('hmac md4', () => md4.digest('hex'));
  t('randomBytes 0', () => crypto.randomBytes(0));
  t('randomBytes -1', () => crypto.randomBytes(-1));
}`,
    workers: [1],
  });
});
