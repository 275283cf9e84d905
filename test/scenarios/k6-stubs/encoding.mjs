export function b64encode(input, variant = 'std') {
  const buffer = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(new Uint8Array(input));
  const std = buffer.toString('base64');
  if (variant === 'std') return std;
  if (variant === 'rawstd') return std.replace(/=+$/, '');
  const url = std.replace(/\+/g, '-').replace(/\//g, '_');
  if (variant === 'url') return url;
  if (variant === 'rawurl') return url.replace(/=+$/, '');
  throw new Error(`stub b64encode: unknown variant ${variant}`);
}
export default { b64encode };
