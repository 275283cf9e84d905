// k6/crypto on node:crypto (md4 on js-md4: OpenSSL 3 has dropped it): hashes, HMAC, random bytes;
// output 'hex', 'base64', 'base64url', 'base64rawurl' or 'binary' (ArrayBuffer), as in k6. A hasher's
// digest() can be read any number of times and updated after, as Go's hash.Hash.Sum.
import nodeCrypto from 'node:crypto';
import { types } from 'node:util';
import md4 from 'js-md4';

type Input = string | ArrayBuffer | ArrayBufferView;
const ALGORITHMS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

const bytes = (input: Input): Buffer => {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (types.isAnyArrayBuffer(input)) return Buffer.from(input);
  throw new Error(`k6/crypto: the input must be a string or an ArrayBuffer, got ${input === null ? 'null' : typeof input}`);
};

function encode(digest: Buffer, encoding: unknown): string | ArrayBuffer {
  switch (encoding) {
    case 'hex':
      return digest.toString('hex');
    case 'base64':
      return digest.toString('base64');
    case 'base64url':
      return digest.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    case 'base64rawurl':
      return digest.toString('base64url');
    case 'binary':
      return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
    default:
      throw new Error(`invalid output encoding: ${encoding === undefined || encoding === null ? '' : String(encoding)}`);
  }
}

function algorithm(name: string): string {
  const algo = ALGORITHMS[name];
  if (!algo) throw new Error(`invalid hash type: "${name}" (k6/crypto supports ${Object.keys(ALGORITHMS).join(', ')})`);
  return algo;
}

/** The digest of `chunks`: keyed (HMAC) when a key is given. */
function digestOf(algo: string, chunks: readonly Buffer[], key: Buffer | null): Buffer {
  if (algo === 'md4') {
    if (key !== null) return md4Hmac(key, chunks);
    const hash = md4.create();
    for (const chunk of chunks) hash.update(chunk);
    return Buffer.from(hash.arrayBuffer());
  }
  const hash = key === null ? nodeCrypto.createHash(algo) : nodeCrypto.createHmac(algo, key);
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest();
}

/** RFC 2104 over MD4 (64-byte blocks), which node:crypto cannot build without the algorithm. */
function md4Hmac(key: Buffer, chunks: readonly Buffer[]): Buffer {
  const block = 64;
  let k = key.length > block ? Buffer.from(md4.arrayBuffer(key)) : key;
  k = Buffer.concat([k, Buffer.alloc(block - k.length)]);
  const inner = md4.create();
  inner.update(Buffer.from(k.map((b) => b ^ 0x36)));
  for (const chunk of chunks) inner.update(chunk);
  const outer = md4.create();
  outer.update(Buffer.from(k.map((b) => b ^ 0x5c)));
  outer.update(Buffer.from(inner.arrayBuffer()));
  return Buffer.from(outer.arrayBuffer());
}

/** k6's Hasher: the input is kept, so digest() reads the state without ending it. */
function hasher(algo: string, key: Buffer | null) {
  const chunks: Buffer[] = [];
  return {
    digest(outputEncoding?: string) {
      return encode(digestOf(algo, chunks, key), outputEncoding);
    },
    update(input: Input) {
      chunks.push(Buffer.from(bytes(input)));
    },
  };
}

const hashFn = (name: string) => (input: Input, outputEncoding?: string) =>
  encode(digestOf(algorithm(name), [bytes(input)], null), outputEncoding);

export const cryptoModule = {
  ...Object.fromEntries(Object.keys(ALGORITHMS).map((name) => [name, hashFn(name)])),
  hmac(name: string, secret: Input, data: Input, outputEncoding?: string) {
    return encode(digestOf(algorithm(name), [bytes(data)], bytes(secret)), outputEncoding);
  },
  createHash: (name: string) => hasher(algorithm(name), null),
  createHMAC: (name: string, secret: Input) => hasher(algorithm(name), bytes(secret)),
  randomBytes(size: number): ArrayBuffer {
    if (!Number.isInteger(size) || size <= 0) throw new Error('invalid size');
    const buffer = nodeCrypto.randomBytes(size);
    return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  },
};
