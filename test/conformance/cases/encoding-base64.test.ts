// k6/encoding: b64encode/b64decode in the four variants with Go's rules (padding required by std
// and url, refused by the raw variants, CR/LF skipped, the offset of the first illegal byte in the
// error), the 's' output format, unknown variant names meaning std. k6's documented example first.
import { conformance, describeConformance } from '../harness/index.ts';

const seen = (expr: string) => `check(null, { [${expr}]: () => true });`;

describeConformance('k6/encoding', () => {
  conformance('b64encode/b64decode (k6 docs example)', {
    script: `import { check } from 'k6';
import encoding from 'k6/encoding';
export default function () {
  const str = 'hello world';
  const enc = 'aGVsbG8gd29ybGQ=';
  const expBin = new Uint8Array([104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100]);
  check(null, {
    'is encoding string correct': () => encoding.b64encode(str) === enc,
    'is encoding ArrayBuffer correct': () => encoding.b64encode(expBin.buffer) === enc,
  });
  const decBin = new Uint8Array(encoding.b64decode(enc));
  check(null, {
    'is decoding to string correct': () => encoding.b64decode(enc, 'std', 's') === str,
    'is decoding to ArrayBuffer correct': () => decBin.length === expBin.length && decBin.every((b, i) => b === expBin[i]),
  });
}`,
    workers: [1],
  });

  conformance('variants, padding, illegal input and output formats', {
    script: `import { check } from 'k6';
import encoding from 'k6/encoding';
function t(label, f) {
  let out;
  try {
    const v = f();
    out = typeof v === 'string' ? JSON.stringify(v) : Object.prototype.toString.call(v) + ' ' + JSON.stringify(Array.from(new Uint8Array(v)));
  } catch (e) { out = 'error ' + String(e.message || e).replace(/^.*?(illegal base64)/, '$1'); }
  ${seen("label + ' -> ' + out")}
}
export default function () {
  const s = 'hello?>~ world ÿ';
  for (const v of ['std', 'rawstd', 'url', 'rawurl', 'bogus', undefined]) t('encode ' + v, () => encoding.b64encode(s, v));
  t('encode buffer url', () => encoding.b64encode(new Uint8Array([250, 251, 252]).buffer, 'url'));
  const cases = [['aGVsbG8/Pn4gd29ybGQgw78=', 'std'], ['aGk', 'std'], ['aGk=', 'rawstd'], ['aGk', 'rawstd'], ['aGVsbG8_Pn4gd29ybGQgw78=', 'url'],
    ['aGVsbG8_Pn4gd29ybGQgw78', 'url'], ['aGVsbG8_Pn4gd29ybGQgw78', 'rawurl'], ['aGVsbG8_Pn4gd29ybGQgw78=', 'rawurl'], ['aGVsbG8_Pn4=', 'std'], ['!!!!', 'std'],
    ['aGk=', null], ['aGk=', ''], ['aGk=', 'bogus'], ['aG k=', 'std'], ['aGk=\\n', 'std'], ['aG\\r\\nk=', 'std'], ['/w==', 'std'], ['aGk==', 'std'], ['aGk=x', 'std'], ['a===', 'std'], ['', 'std']];
  for (const [input, variant] of cases) {
    t('decode s ' + JSON.stringify(input) + ' ' + variant, () => encoding.b64decode(input, variant, 's'));
    t('decode ' + JSON.stringify(input) + ' ' + variant, () => encoding.b64decode(input, variant));
  }
  t('decode unknown format', () => encoding.b64decode('aGk=', 'std', 'x'));
}`,
    workers: [1],
  });
});
