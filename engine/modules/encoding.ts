// k6/encoding: base64 in k6's four variants.
type Variant = 'std' | 'rawstd' | 'url' | 'rawurl';

const toBuffer = (input: string | ArrayBuffer | ArrayBufferView) =>
  typeof input === 'string'
    ? Buffer.from(input, 'utf8')
    : ArrayBuffer.isView(input)
      ? Buffer.from(input.buffer, input.byteOffset, input.byteLength)
      : Buffer.from(input);

export function b64encode(input: string | ArrayBuffer, encoding: Variant = 'std'): string {
  const buffer = toBuffer(input);
  switch (encoding) {
    case 'std':
      return buffer.toString('base64');
    case 'rawstd':
      return buffer.toString('base64').replace(/=+$/, '');
    case 'url':
      return buffer.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    case 'rawurl':
      return buffer.toString('base64url');
    default:
      throw new Error(`b64encode: unknown encoding "${encoding}" (use std, rawstd, url or rawurl)`);
  }
}

export function b64decode(input: string, encoding: Variant = 'std', format?: 's'): string | ArrayBuffer {
  if (!['std', 'rawstd', 'url', 'rawurl'].includes(encoding)) {
    throw new Error(`b64decode: unknown encoding "${encoding}" (use std, rawstd, url or rawurl)`);
  }
  const buffer = Buffer.from(input, encoding.includes('url') ? 'base64url' : 'base64');
  if (format === 's') return buffer.toString('utf8');
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

export const encodingModule = { b64encode, b64decode };
