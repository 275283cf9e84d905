// k6/crypto on node:crypto: hashes, HMAC, random bytes; output 'hex', 'base64', 'base64url',
// 'base64rawurl' or 'binary' (ArrayBuffer), as in k6.
import nodeCrypto from 'node:crypto';

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

const bytes = (input: Input) =>
  typeof input === 'string' ? Buffer.from(input, 'utf8') : ArrayBuffer.isView(input) ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : Buffer.from(input);

function encode(digest: Buffer, encoding: string): string | ArrayBuffer {
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
      throw new Error(`unknown output encoding "${encoding}" (use hex, base64, base64url, base64rawurl or binary)`);
  }
}

function algorithm(name: string): string {
  const algo = ALGORITHMS[name];
  if (!algo) throw new Error(`unsupported hash algorithm "${name}" (supported: ${Object.keys(ALGORITHMS).join(', ')})`);
  return algo;
}

function hasher(create: () => nodeCrypto.Hash | nodeCrypto.Hmac) {
  const hash = create();
  return {
    update(input: Input) {
      hash.update(bytes(input));
    },
    digest(outputEncoding = 'binary') {
      return encode(hash.digest(), outputEncoding);
    },
  };
}

const hashFn = (name: string) => (input: Input, outputEncoding = 'binary') =>
  encode(nodeCrypto.createHash(algorithm(name)).update(bytes(input)).digest(), outputEncoding);

export const cryptoModule = {
  ...Object.fromEntries(Object.keys(ALGORITHMS).map((name) => [name, hashFn(name)])),
  hmac(name: string, secret: Input, data: Input, outputEncoding = 'binary') {
    return encode(nodeCrypto.createHmac(algorithm(name), bytes(secret)).update(bytes(data)).digest(), outputEncoding);
  },
  createHash: (name: string) => hasher(() => nodeCrypto.createHash(algorithm(name))),
  createHMAC: (name: string, secret: Input) => hasher(() => nodeCrypto.createHmac(algorithm(name), bytes(secret))),
  randomBytes(size: number): ArrayBuffer {
    const buffer = nodeCrypto.randomBytes(size);
    return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  },
};
