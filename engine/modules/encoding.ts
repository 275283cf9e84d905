// k6/encoding: base64 in k6's four variants with Go's encoding/base64 rules: padding is required
// by std/url and refused by rawstd/rawurl, CR and LF are skipped, anything else outside the
// alphabet is "illegal base64 data at input byte N". An unknown variant name means std, as in k6.
import { types } from 'node:util';

type Variant = 'std' | 'rawstd' | 'url' | 'rawurl';

const toBuffer = (input: string | ArrayBuffer | ArrayBufferView) =>
  typeof input === 'string'
    ? Buffer.from(input, 'utf8')
    : ArrayBuffer.isView(input)
      ? Buffer.from(input.buffer, input.byteOffset, input.byteLength)
      : Buffer.from(input);

const variantOf = (encoding: unknown): Variant => (encoding === 'rawstd' || encoding === 'url' || encoding === 'rawurl' ? encoding : 'std');

export function b64encode(input: string | ArrayBuffer | ArrayBufferView, encoding?: Variant | null): string {
  if (typeof input !== 'string' && !types.isAnyArrayBuffer(input) && !ArrayBuffer.isView(input)) {
    throw new Error(`b64encode: the input must be a string or an ArrayBuffer, got ${input === null ? 'null' : typeof input}`);
  }
  const buffer = toBuffer(input);
  switch (variantOf(encoding)) {
    case 'std':
      return buffer.toString('base64');
    case 'rawstd':
      return buffer.toString('base64').replace(/=+$/, '');
    case 'url':
      return buffer.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    case 'rawurl':
      return buffer.toString('base64url');
  }
}

class CorruptInputError extends Error {
  constructor(offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
  }
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const decodeMap = (alphabet: string) => {
  const map = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) map[alphabet.charCodeAt(i)] = i;
  return map;
};
const MAPS = { std: decodeMap(STD), url: decodeMap(URL_SAFE) };
const PAD = 0x3d;
const isNewline = (c: number) => c === 0x0a || c === 0x0d;

/** Go's base64 Decode, quantum by quantum, with its error offsets. */
function goDecode(src: Buffer, variant: Variant): Buffer {
  const map = variant === 'std' || variant === 'rawstd' ? MAPS.std : MAPS.url;
  const padded = variant === 'std' || variant === 'url';
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    const quantum = [0, 0, 0, 0];
    let dlen = 4;
    let trailingError: number | null = null;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        if (j === 1 || padded) throw new CorruptInputError(si - j);
        dlen = j;
        break;
      }
      const c = src[si++];
      const value = map[c];
      if (value !== -1) {
        quantum[j] = value;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (!padded || c !== PAD) throw new CorruptInputError(si - 1);
      if (j === 0 || j === 1) throw new CorruptInputError(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) throw new CorruptInputError(src.length);
        if (src[si] !== PAD) throw new CorruptInputError(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) trailingError = si;
      dlen = j;
      break;
    }
    const value = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3];
    const bytes = [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
    for (let k = 0; k < dlen - 1; k++) out.push(bytes[k]);
    if (trailingError !== null) throw new CorruptInputError(trailingError);
  }
  return Buffer.from(out);
}

export function b64decode(input: string, encoding?: Variant | null, format?: string): string | ArrayBuffer {
  const buffer = goDecode(Buffer.from(String(input), 'latin1'), variantOf(encoding));
  if (format === 's') return buffer.toString('utf8');
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

export const encodingModule = { b64encode, b64decode };
