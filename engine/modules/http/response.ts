// k6's Response, with its heavier parts (headers object, body string, JSON) built on first use,
// and the Promise the engine's http functions return, which names the script line when a response
// is used without `await`.
import type { Timings } from './transport.ts';

export type ResponseType = 'text' | 'binary' | 'none';

/** res.request. Its headers object is built only if the script reads it. */
export class RequestInfo {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly body: string,
    /** name, value, name, value, ... as sent. */
    private readonly flatHeaders: readonly string[],
  ) {}

  get headers(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const flat = this.flatHeaders;
    for (let i = 0; i < flat.length; i += 2) (out[canonicalHeaderName(flat[i])] ??= []).push(flat[i + 1]);
    return out;
  }

  get cookies(): Record<string, { name: string; value: string; replace: boolean }[]> {
    return {};
  }

  toJSON() {
    return { method: this.method, url: this.url, headers: this.headers, body: this.body, cookies: this.cookies };
  }
}

/** Go's CanonicalMIMEHeaderKey: content-type → Content-Type. */
export function canonicalHeaderName(name: string): string {
  let out = '';
  let upper = true;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

export function headersObject(raw: Buffer[] | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw === null) return headers;
  for (let i = 0; i < raw.length; i += 2) {
    const name = canonicalHeaderName(raw[i].toString('latin1'));
    const value = raw[i + 1].toString('latin1');
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/** gjson-style selectors as k6's Response.json(selector): `a.b`, `items.0.id`, `items.#`. */
function select(value: unknown, selector: string): unknown {
  let current = value;
  for (const key of selector.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (key === '#' && Array.isArray(current)) current = current.length;
    else current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export class Response {
  status: number;
  status_text: string;
  proto: string;
  url: string;
  error: string;
  error_code: number;
  timings: Timings;
  remote_ip: string;
  remote_port: number;
  tls_version = '';
  tls_cipher_suite = '';
  request: RequestInfo;
  private readonly rawHeaders: Buffer[] | null;
  /** The body as received, in chunks; null when there is none (responseType 'none', failed request). */
  private readonly bodyChunks: readonly Buffer[] | null;
  private readonly responseType: ResponseType;
  private headersCache: Record<string, string> | null = null;
  private bodyCache: string | ArrayBuffer | null | undefined;
  private jsonCache: unknown;

  // Positional rather than one init object: this runs once per request on the hot path.
  constructor(
    status: number,
    statusText: string,
    url: string,
    error: string,
    errorCode: number,
    timings: Timings,
    remoteIp: string,
    remotePort: number,
    rawHeaders: Buffer[] | null,
    bodyChunks: readonly Buffer[] | null,
    responseType: ResponseType,
    request: RequestInfo,
  ) {
    this.status = status;
    this.status_text = status ? `${status} ${statusText}` : '';
    this.proto = status ? 'HTTP/1.1' : '';
    this.url = url;
    this.error = error;
    this.error_code = errorCode;
    this.timings = timings;
    this.remote_ip = remoteIp;
    this.remote_port = remotePort;
    this.rawHeaders = rawHeaders;
    this.bodyChunks = responseType === 'none' ? null : bodyChunks;
    this.responseType = responseType;
    this.request = request;
  }

  /** Always 'unknown': the embedded engine does no OCSP stapling checks. */
  get ocsp(): { status: string } {
    return { status: 'unknown' };
  }

  get headers(): Record<string, string> {
    this.headersCache ??= headersObject(this.rawHeaders);
    return this.headersCache;
  }

  get body(): string | ArrayBuffer | null {
    if (this.bodyCache === undefined) {
      // Joined and decoded on first read: most load scripts never read the body.
      const chunks = this.bodyChunks;
      const raw = chunks === null ? null : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks as Buffer[]);
      if (this.responseType === 'none' || raw === null) this.bodyCache = null;
      else if (this.responseType === 'binary') this.bodyCache = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer;
      else this.bodyCache = raw.toString('utf8');
    }
    return this.bodyCache;
  }

  get cookies(): Record<string, { name: string; value: string }[]> {
    const cookies: Record<string, { name: string; value: string }[]> = {};
    const raw = this.rawHeaders;
    if (raw === null) return cookies;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].toString('latin1').toLowerCase() !== 'set-cookie') continue;
      const [pair] = raw[i + 1].toString('latin1').split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      (cookies[name] ??= []).push({ name, value: pair.slice(eq + 1).trim() });
    }
    return cookies;
  }

  json(selector?: string): unknown {
    if (this.jsonCache === undefined) {
      const body = this.body;
      if (body === null) throw new Error(`the body of the response from ${this.url} is empty (responseType "${this.responseType}"), so it has no JSON`);
      const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      try {
        this.jsonCache = JSON.parse(text);
      } catch (error) {
        throw new Error(`cannot parse the response from ${this.url} as JSON: ${(error as Error).message}`);
      }
    }
    return selector === undefined ? this.jsonCache : select(this.jsonCache, selector);
  }

  html(): never {
    throw new Error('Response.html() is not supported by the embedded engine; parse res.body yourself or run with --engine k6');
  }

  clickLink(): never {
    throw new Error('Response.clickLink() is not supported by the embedded engine; run with --engine k6');
  }

  submitForm(): never {
    throw new Error('Response.submitForm() is not supported by the embedded engine; build the request with http.post and run with --engine k6 for submitForm');
  }

  toJSON() {
    return {
      status: this.status,
      status_text: this.status_text,
      proto: this.proto,
      url: this.url,
      headers: this.headers,
      body: this.body,
      timings: this.timings,
      error: this.error,
      error_code: this.error_code,
      remote_ip: this.remote_ip,
      remote_port: this.remote_port,
    };
  }
}

/** Finds where the script read a property of an un-awaited response (set by the runtime). */
export const scriptPosition: { locate: (stack: string | undefined) => string | undefined } = { locate: () => undefined };

const RESPONSE_MEMBERS = ['status', 'status_text', 'body', 'headers', 'json', 'timings', 'error', 'error_code', 'url', 'cookies', 'request', 'proto', 'html'];

/**
 * The value of http.get() and friends: a Promise of the Response, so `await http.get()` works on
 * both engines. Reading a Response member on the Promise itself (a missing `await`) throws an
 * error that names the script line.
 */
export class ResponsePromise<T = Response> extends Promise<T> {}
// `await` takes the fast path only for promises whose constructor is Promise itself.
Object.defineProperty(ResponsePromise.prototype, 'constructor', { value: Promise, writable: true, configurable: true });
for (const member of RESPONSE_MEMBERS) {
  Object.defineProperty(ResponsePromise.prototype, member, {
    configurable: true,
    get() {
      const where = scriptPosition.locate(new Error().stack);
      throw new Error(
        `response.${member} was read on a Promise${where ? ` at ${where}` : ''}: the embedded engine's http functions are asynchronous, ` +
          'so write `const res = await http.get(...)` (real k6 accepts the await too)',
      );
    },
  });
}
