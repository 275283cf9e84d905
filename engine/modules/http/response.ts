// k6's Response, with its heavier parts (headers object, body string, JSON, cookies, HTML) built on
// first use, and the Promise the engine's http functions return, which names the script line when a
// response is used without `await`.
import { parseHTML, type Selection } from '../html/index.ts';
import { goFormat, goQueryEscape } from './body.ts';
import { type ResponseCookie, responseCookies, type SentCookie } from './cookie-jar.ts';
import { parseJSONBody, select } from './json-selector.ts';
import type { Timings } from './transport.ts';

export type ResponseType = 'text' | 'binary' | 'none';

/** How a Response makes the request of submitForm()/clickLink(): the VU's http.request. */
export interface FollowUpClient {
  request(method: string, url: string, body: unknown, params: unknown): ResponsePromise<Response>;
}

/** res.request. Its headers object is built only if the script reads it. */
export class RequestInfo {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly body: string,
    /** name, value, name, value, ... as sent. */
    private readonly flatHeaders: readonly string[],
    readonly cookies: Record<string, SentCookie[]>,
  ) {}

  get headers(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const flat = this.flatHeaders;
    for (let i = 0; i < flat.length; i += 2) (out[canonicalHeaderName(flat[i])] ??= []).push(flat[i + 1]);
    return out;
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

export class Response {
  status: number;
  status_text: string;
  proto: string;
  url: string;
  error: string;
  error_code: number;
  /** k6's res.timings, in k6's order; looking_up is 0: targets are addresses or localhost, nothing is resolved. */
  timings: Timings & { looking_up: number };
  remote_ip: string;
  remote_port: number;
  tls_version = '';
  tls_cipher_suite = '';
  request: RequestInfo;
  /** Set by the http module right after construction. */
  client: FollowUpClient | null = null;
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
    this.timings = {
      duration: timings.duration,
      blocked: timings.blocked,
      looking_up: 0,
      connecting: timings.connecting,
      tls_handshaking: timings.tls_handshaking,
      sending: timings.sending,
      waiting: timings.waiting,
      receiving: timings.receiving,
    };
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
      else if (this.responseType === 'binary') this.bodyCache = scriptRealm.bufferOf(raw);
      else this.bodyCache = raw.toString('utf8');
    }
    return this.bodyCache;
  }

  get cookies(): Record<string, ResponseCookie[]> {
    const values: string[] = [];
    const raw = this.rawHeaders;
    if (raw !== null)
      for (let i = 0; i < raw.length; i += 2)
        if (raw[i].toString('latin1').toLowerCase() === 'set-cookie') values.push(raw[i + 1].toString('latin1'));
    return responseCookies(values);
  }

  private bodyText(what: string): string {
    const body = this.body;
    if (body === null) {
      throw new Error(
        `the body is null so we can't transform it to ${what} - this likely was because of a request error getting the response (${this.error || `responseType "${this.responseType}"`})`,
      );
    }
    return typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  }

  json(selector?: string): unknown {
    if (selector !== undefined && selector !== null) {
      // k6 (gjson): a selector on a body that is not JSON gives undefined, not an error.
      if (this.jsonCache === undefined) {
        try {
          this.jsonCache = scriptRealm.parseJSON(this.bodyText('JSON'));
        } catch {
          return undefined;
        }
      }
      return select(this.jsonCache, String(selector));
    }
    this.jsonCache ??= parseJSONBody(this.bodyText('JSON'), scriptRealm.parseJSON);
    return this.jsonCache;
  }

  html(selector?: string): Selection {
    const document = parseHTML(this.bodyText('HTML'), this.url);
    return selector === undefined ? document : document.find(selector);
  }

  /** Fills in and submits a form of this (HTML) response, as k6: the form's own values, the submit button's, then `fields`. */
  submitForm(options?: {
    formSelector?: string;
    submitSelector?: string;
    fields?: Record<string, unknown>;
    params?: unknown;
  }): ResponsePromise<Response> {
    const formSelector = options?.formSelector ?? 'form';
    const submitSelector = options?.submitSelector ?? '[type="submit"]';
    const form = this.html(formSelector);
    if (form.size() === 0) throw new Error(`no form found for selector '${formSelector}' in response '${this.url}'`);
    const methodAttr = form.attr('method');
    const method = methodAttr === undefined ? 'GET' : String(methodAttr).toUpperCase();
    const actionAttr = form.attr('action');
    const target = new URL(actionAttr === undefined ? this.url : String(actionAttr), this.url);
    const values: Record<string, unknown> = form.serializeObject();
    const submit = form.find(submitSelector);
    const submitName = submit.attr('name');
    const submitValue = submit.val();
    if (submitName !== undefined && submitValue !== undefined) values[String(submitName)] = submitValue;
    if (options?.fields) Object.assign(values, options.fields);
    const client = this.followUp();
    if (method === 'GET') {
      const query = Object.keys(values)
        .sort()
        .map((k) => `${goQueryEscape(k)}=${goQueryEscape(String(values[k]))}`)
        .join('&');
      target.search = query === '' ? '' : `?${query}`;
      return client.request(method, target.toString(), null, options?.params ?? null);
    }
    // A multiple <select>'s list goes into the form as Go prints it ("[a b]"), as in k6.
    for (const key of Object.keys(values)) if (Array.isArray(values[key])) values[key] = goFormat(values[key]);
    return client.request(method, target.toString(), values, options?.params ?? null);
  }

  /** Follows a link of this (HTML) response, as k6: the first element matching `selector` (default `a[href]`). */
  clickLink(options?: { selector?: string; params?: unknown }): ResponsePromise<Response> {
    const selector = options?.selector ?? 'a[href]';
    const link = this.html(selector);
    if (link.size() === 0) throw new Error(`no element found for selector '${selector}' in response '${this.url}'`);
    const href = link.attr('href');
    if (href === undefined) throw new Error(`no valid href attribute value found on element '${selector}' in response '${this.url}'`);
    return this.followUp().request('GET', new URL(String(href), this.url).toString(), undefined, options?.params ?? null);
  }

  private followUp(): FollowUpClient {
    if (this.client === null) throw new Error('this response cannot make follow-up requests');
    return this.client;
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

/** JSON and binary bodies as the script realm's own objects (set by the runtime: engine/script/realm.ts). */
export const scriptRealm: { parseJSON: (text: string) => unknown; bufferOf: (bytes: Uint8Array) => ArrayBuffer } = {
  parseJSON: (text) => JSON.parse(text),
  bufferOf: (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
};

/** Finds where the script read a property of an un-awaited response (set by the runtime). */
export const scriptPosition: { locate: (stack: string | undefined) => string | undefined } = { locate: () => undefined };

const RESPONSE_MEMBERS = [
  'status',
  'status_text',
  'body',
  'headers',
  'json',
  'timings',
  'error',
  'error_code',
  'url',
  'cookies',
  'request',
  'proto',
  'html',
  'submitForm',
  'clickLink',
  'remote_ip',
  'remote_port',
];

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
