import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';

const toArrayBuffer = (buffer) => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
const toBuffer = (input) => (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(new Uint8Array(input)));

export function sha256(input, encoding) {
  const digest = createHash('sha256').update(toBuffer(input)).digest();
  if (encoding === 'binary') return toArrayBuffer(digest);
  if (encoding === 'hex') return digest.toString('hex');
  throw new Error(`stub sha256: unsupported encoding ${encoding}`);
}
export const randomBytes = (size) => toArrayBuffer(nodeRandomBytes(size));
export default { sha256, randomBytes };
