// Request bodies as k6 puts them on the wire: strings and binary as they are, an object as a form
// (keys sorted, Go's query escaping) or, when a value is an http.file(), as multipart/form-data in
// the object's key order. Field names and filenames in multipart headers are escaped as browsers do
// (WHATWG: `"` → %22, CR → %0D, LF → %0A), so a filename cannot inject a header; k6 itself
// backslash-escapes quotes and lets CR/LF through.
import { randomBytes } from 'node:crypto';
import { types } from 'node:util';

/** http.file(): what k6 shows is exactly { data, filename, content_type }. */
export class HttpFile {
  constructor(
    readonly data: string | ArrayBuffer | ArrayBufferView,
    readonly filename: string,
    readonly content_type: string,
  ) {}
}

export type Body = string | ArrayBuffer | ArrayBufferView | Record<string, unknown> | null | undefined;

export const toBuffer = (data: string | ArrayBuffer | ArrayBufferView): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** k6's default file name: the time in nanoseconds. */
export function defaultFilename(now = Date.now()): string {
  return (BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString();
}

export function file(data: string | ArrayBuffer | ArrayBufferView, filename?: string, contentType?: string): HttpFile {
  if (typeof data !== 'string' && !types.isAnyArrayBuffer(data) && !ArrayBuffer.isView(data)) {
    throw new Error(`http.file: data must be a string, an ArrayBuffer or a typed array, got ${data === null ? 'null' : typeof data}`);
  }
  return new HttpFile(
    data,
    filename === undefined || filename === null || filename === '' ? defaultFilename() : String(filename),
    contentType || 'application/octet-stream',
  );
}

/** Go's url.QueryEscape: only A-Z a-z 0-9 - _ . ~ stay, space becomes +. */
export function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** A value as Go's fmt %v prints what the script passed: arrays `[a b]`, objects `map[k:v]` (sorted keys). */
export function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (typeof value === 'object') {
    if (types.isAnyArrayBuffer(value) || ArrayBuffer.isView(value)) return `[${[...toBuffer(value as ArrayBuffer)].join(' ')}]`;
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${k}:${goFormat((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

/** The WHATWG escaping of a multipart field name or filename. */
export function escapeMultipartName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function encodeMultipart(entries: [string, unknown][]): [Buffer, string] {
  // Go's multipart.Writer: 30 random bytes in hex.
  const boundary = randomBytes(30).toString('hex');
  const parts: Buffer[] = [];
  for (const [name, value] of entries) {
    if (value instanceof HttpFile) {
      const contentType = value.content_type.replace(/[\r\n]/g, '');
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${escapeMultipartName(name)}"; filename="${escapeMultipartName(value.filename)}"\r\nContent-Type: ${contentType}\r\n\r\n`,
        ),
        toBuffer(value.data),
        Buffer.from('\r\n'),
      );
    } else {
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeMultipartName(name)}"\r\n\r\n${goFormat(value)}\r\n`),
      );
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return [Buffer.concat(parts), `multipart/form-data; boundary=${boundary}`];
}

function encodeForm(entries: [string, unknown][]): string {
  const pairs: string[] = [];
  for (const [name, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const key = goQueryEscape(name);
    if (Array.isArray(value)) for (const item of value) pairs.push(`${key}=${goQueryEscape(goFormat(item))}`);
    else pairs.push(`${key}=${goQueryEscape(goFormat(value))}`);
  }
  return pairs.join('&');
}

/** The body on the wire and the content type k6 implies for it (null: none). */
export function encodeBody(body: Body): [Buffer | string | null, string | null] {
  if (body === null || body === undefined) return [null, null];
  if (typeof body === 'string') return [body, null];
  if (types.isAnyArrayBuffer(body) || ArrayBuffer.isView(body)) return [toBuffer(body as ArrayBuffer), null];
  if (typeof body !== 'object') return [String(body), null];
  const entries = Object.entries(body);
  if (entries.some(([, v]) => v instanceof HttpFile)) return encodeMultipart(entries);
  return [encodeForm(entries), 'application/x-www-form-urlencoded'];
}
