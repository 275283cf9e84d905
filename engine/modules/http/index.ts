// k6/http: request building, redirects, cookies, expected statuses and the http_req_* samples.
// One SampleContainer per request/response, its tag set cached per request site (request-tags.ts).
import { BUILTIN_METRICS } from '../../metrics/builtin.ts';
import { parseDuration } from '../../options/duration.ts';
import type { ThreadContext } from '../../runtime/thread.ts';
import type { VU } from '../../runtime/vu.ts';
import { ERROR_CODES } from './errors.ts';
import { requestTags } from './request-tags.ts';
import { RequestInfo, Response, ResponsePromise, type ResponseType } from './response.ts';
import { type Exchange, type ExchangeOwner, type Timings, Transport } from './transport.ts';

export const USER_AGENT = 'loadlab/0.1.0 (k6-compatible; https://k6.io/)';

interface FileData {
  data: string | ArrayBuffer;
  filename: string;
  content_type: string;
  __loadlabFile: true;
}

interface ExpectedStatuses {
  __loadlabExpected: (status: number) => boolean;
}

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  redirects?: number;
  responseType?: ResponseType;
  cookies?: Record<string, string | { value: string; replace?: boolean }>;
  responseCallback?: ExpectedStatuses | null;
  auth?: string;
  jar?: unknown;
  compression?: string;
}

interface TaggedURL {
  url: string;
  name: string;
  __loadlabUrl: true;
}

type Body = string | ArrayBuffer | ArrayBufferView | Record<string, unknown> | null | undefined;

interface VUHttp {
  jar: Map<string, Map<string, string>>;
  jarIteration: number;
  expected: (status: number) => boolean;
}

const defaultExpected = (status: number) => status >= 200 && status < 400;

function expectedStatuses(...ranges: (number | { min: number; max: number })[]): ExpectedStatuses {
  for (const range of ranges) {
    const ok = typeof range === 'number' ? Number.isInteger(range) : range && Number.isInteger(range.min) && Number.isInteger(range.max);
    if (!ok) throw new Error(`expectedStatuses: arguments must be integers or { min, max } objects, got ${JSON.stringify(range)}`);
  }
  return {
    __loadlabExpected: (status) => ranges.some((r) => (typeof r === 'number' ? status === r : status >= r.min && status <= r.max)),
  };
}

function file(data: string | ArrayBuffer, filename?: string, contentType?: string): FileData {
  return { data, filename: filename ?? `file-${Date.now()}`, content_type: contentType ?? 'application/octet-stream', __loadlabFile: true };
}

function url(strings: TemplateStringsArray, ...values: unknown[]): TaggedURL {
  let full = strings[0];
  let name = strings[0];
  for (let i = 0; i < values.length; i++) {
    full += String(values[i]) + strings[i + 1];
    name += `\${}${strings[i + 1]}`;
  }
  return { url: full, name, __loadlabUrl: true };
}

const toBuffer = (data: string | ArrayBuffer | ArrayBufferView): Buffer =>
  typeof data === 'string' ? Buffer.from(data) : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/** The body on the wire and the content type k6 implies for it. */
function encodeBody(body: Body): [Buffer | string | null, string | null] {
  if (body === null || body === undefined) return [null, null];
  if (typeof body === 'string') return [body, null];
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return [toBuffer(body), null];
  const entries = Object.entries(body);
  if (entries.some(([, v]) => v && typeof v === 'object' && (v as FileData).__loadlabFile)) {
    const boundary = `----loadlab${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
    const parts: Buffer[] = [];
    for (const [name, value] of entries) {
      const f = value as FileData;
      if (f && typeof f === 'object' && f.__loadlabFile) {
        parts.push(
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${f.filename}"\r\nContent-Type: ${f.content_type}\r\n\r\n`),
          toBuffer(f.data),
          Buffer.from('\r\n'),
        );
      } else {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${String(value)}\r\n`));
      }
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return [Buffer.concat(parts), `multipart/form-data; boundary=${boundary}`];
  }
  const form = new URLSearchParams();
  for (const [k, v] of entries) form.append(k, String(v));
  return [form.toString(), 'application/x-www-form-urlencoded'];
}

interface ParsedURL {
  origin: string;
  path: string;
  hostname: string;
  host: string;
  auth: string | null;
}
const urlCache = new Map<string, ParsedURL | null>();
function parseURL(text: string): ParsedURL | null {
  let parsed = urlCache.get(text);
  if (parsed !== undefined) return parsed;
  try {
    const u = new URL(text);
    parsed =
      u.protocol === 'http:' || u.protocol === 'https:'
        ? {
            origin: u.origin,
            path: `${u.pathname}${u.search}`,
            hostname: u.hostname,
            host: u.host,
            auth: u.username ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}` : null,
          }
        : null;
  } catch {
    parsed = null;
  }
  if (urlCache.size > 10_000) urlCache.clear();
  urlCache.set(text, parsed);
  return parsed;
}

/** Stores the response's Set-Cookie headers in the VU's jar; the host's jar is made only when needed. */
function setCookies(state: VUHttp, host: string, rawHeaders: Buffer[] | null): void {
  if (rawHeaders === null) return;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    // Byte checks first: Connection and Keep-Alive are 10 letters too, and come with every response.
    if (name.length !== 10 || (name[0] | 0x20) !== 0x73 || name.toString('latin1').toLowerCase() !== 'set-cookie') continue;
    const [pair, ...attributes] = rawHeaders[i + 1].toString('latin1').split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    const expired = attributes.some((a) => {
      const [k, v] = a.trim().split('=');
      const lower = k.toLowerCase();
      return (lower === 'max-age' && Number(v) <= 0) || (lower === 'expires' && Date.parse(v) < Date.now());
    });
    const jar = state.jar.get(host) ?? newJar(state, host);
    if (expired) jar.delete(key);
    else jar.set(key, pair.slice(eq + 1).trim());
  }
}

function newJar(state: VUHttp, host: string): Map<string, string> {
  const jar = new Map<string, string>();
  state.jar.set(host, jar);
  return jar;
}

const STANDARD_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const NO_PARAMS: Params = Object.freeze({});
const NO_HEADERS: readonly string[] = Object.freeze([]);

interface Settings {
  transport: Transport;
  maxRedirects: number;
  discardBodies: boolean;
  userAgent: string;
  throwOnError: boolean;
  /** The headers of a request without params.headers, body, credentials or cookies: shared, never changed. */
  defaultHeaders: readonly string[];
}

export function createHttpModule(thread: ThreadContext) {
  // Settings come from the merged options, known only after the first VU ran the init context.
  let settings: Settings | null = null;
  const configure = (): Settings => {
    const options = thread.options;
    const userAgent = typeof options.userAgent === 'string' ? options.userAgent : USER_AGENT;
    settings = {
      transport: new Transport({
        allowRemoteTargets: thread.allowRemoteTargets,
        insecureSkipTLSVerify: options.insecureSkipTLSVerify === true,
        noConnectionReuse: options.noConnectionReuse === true,
        connectionsPerOrigin: Number(process.env.LOADLAB_CONNECTIONS_PER_ORIGIN) || 256,
      }),
      maxRedirects: typeof options.maxRedirects === 'number' ? options.maxRedirects : 10,
      discardBodies: options.discardResponseBodies === true,
      userAgent,
      throwOnError: options.throw === true,
      defaultHeaders: Object.freeze(['user-agent', userAgent]),
    };
    return settings;
  };
  const defaultTimeoutMs = 60_000;
  let globalExpected = defaultExpected;

  function vuHttp(vu: VU): VUHttp {
    let state = vu.http as VUHttp | null;
    if (state === null) {
      state = { jar: new Map(), jarIteration: vu.iter, expected: globalExpected };
      vu.http = state;
    }
    // k6 starts every iteration with an empty cookie jar.
    if (state.jarIteration !== vu.iter) {
      state.jarIteration = vu.iter;
      if (state.jar.size > 0) state.jar = new Map();
    }
    return state;
  }

  function emitRequest(vu: VU, exchange: Exchange | null, timings: Timings, method: string, urlText: string, name: string, status: number, expected: boolean, error: string, errorCode: number, paramTags: Record<string, string> | undefined, sentBytes: number): void {
    if (vu.interrupted) return;
    const tags = requestTags(vu.tags, vu.groupPath, method, urlText, name, status, expected, error, errorCode, paramTags);
    let received = 0;
    if (exchange !== null && exchange.status !== 0) {
      received = 17 + exchange.statusText.length + exchange.bodySize;
      const raw = exchange.rawHeaders;
      if (raw !== null) for (let i = 0; i < raw.length; i++) received += raw[i].length + 2;
    }
    vu.bytesSent += sentBytes;
    vu.bytesReceived += received;
    vu.emit({
      time: Date.now(),
      tags,
      samples: [
        { metric: BUILTIN_METRICS.http_reqs, value: 1 },
        { metric: BUILTIN_METRICS.http_req_duration, value: timings.duration },
        { metric: BUILTIN_METRICS.http_req_blocked, value: timings.blocked },
        { metric: BUILTIN_METRICS.http_req_connecting, value: timings.connecting },
        { metric: BUILTIN_METRICS.http_req_tls_handshaking, value: timings.tls_handshaking },
        { metric: BUILTIN_METRICS.http_req_sending, value: timings.sending },
        { metric: BUILTIN_METRICS.http_req_waiting, value: timings.waiting },
        { metric: BUILTIN_METRICS.http_req_receiving, value: timings.receiving },
        { metric: BUILTIN_METRICS.http_req_failed, value: expected ? 0 : 1 },
      ],
    });
  }

  const ZERO_TIMINGS: Timings = Object.freeze({ blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 });

  /**
   * One k6 request through its redirects: it sends each hop, hears back from the hop's exchange,
   * and settles the promise the script awaits. A class holding the request's state rather than an
   * async function: one promise per request instead of an async function's, an await's and a
   * wrapping one's, and no closure per step.
   */
  class HttpCall implements ExchangeOwner {
    private method: string;
    private url: string;
    private readonly requestedUrl: string;
    /** The `name` tag: the URL, the template of http.url``, or params.tags.name. */
    private readonly name: string;
    private readonly paramTags: Record<string, string> | undefined;
    private readonly state: VUHttp;
    private readonly expectedFn: ((status: number) => boolean) | null;
    private readonly responseType: ResponseType;
    private readonly timeoutMs: number;
    private redirectsLeft: number;
    private wireBody: Buffer | string | null = null;
    private impliedType: string | null = null;
    /** params.headers, flat (name, value, ...), without Host. */
    private readonly userHeaders: string[] = [];
    private hasUserAgent = false;
    private hasContentType = false;
    private readonly cookies: Params['cookies'];
    // The hop on the wire.
    private host = '';
    private origin = '';
    private headers: readonly string[] = NO_HEADERS;
    private sentBytes = 0;

    constructor(
      private readonly vu: VU,
      private readonly settings: Settings,
      methodIn: string,
      target: string | TaggedURL,
      body: Body,
      params: Params | null | undefined,
      private readonly resolve: (response: Response) => void,
      private readonly reject: (error: unknown) => void,
    ) {
      this.method = STANDARD_METHODS.has(methodIn) ? methodIn : String(methodIn).toUpperCase();
      if (typeof target === 'object' && target !== null && (target as TaggedURL).__loadlabUrl) {
        this.url = (target as TaggedURL).url;
        this.name = (target as TaggedURL).name;
      } else {
        this.url = String(target);
        this.name = this.url;
      }
      this.requestedUrl = this.url;
      const p: Params = params ?? NO_PARAMS;
      this.paramTags = p.tags;
      if (p.tags?.name !== undefined) this.name = p.tags.name;
      this.state = vuHttp(vu);
      this.expectedFn = p.responseCallback === undefined ? this.state.expected : p.responseCallback === null ? null : p.responseCallback.__loadlabExpected;
      this.responseType = p.responseType ?? (settings.discardBodies ? 'none' : 'text');
      this.timeoutMs = p.timeout === undefined ? defaultTimeoutMs : parseDuration(p.timeout);
      this.redirectsLeft = p.redirects ?? settings.maxRedirects;
      this.cookies = p.cookies;
      if (body !== null && body !== undefined) [this.wireBody, this.impliedType] = encodeBody(body);
      if (p.headers) {
        for (const key of Object.keys(p.headers)) {
          const value = p.headers[key];
          if (value === undefined || value === null) continue;
          const lower = key.toLowerCase();
          if (lower === 'user-agent') this.hasUserAgent = true;
          else if (lower === 'content-type') this.hasContentType = true;
          else if (lower === 'host') continue;
          this.userHeaders.push(key, String(value));
        }
      }
    }

    /** Sends the current hop; a hop that cannot be sent settles the call at once. */
    send(): void {
      const { transport, userAgent, throwOnError } = this.settings;
      const method = this.method;
      const url = this.url;
      const parsed = parseURL(url);
      if (parsed === null) {
        const message = `invalid URL "${url}": only absolute http:// and https:// URLs are supported`;
        if (throwOnError) this.reject(new Error(message));
        else this.failBeforeSending(ERROR_CODES.invalidUrl, message);
        return;
      }
      if (transport.refuses(parsed.hostname)) {
        const message = `request to ${parsed.hostname} refused: loadlab sends load only to loopback addresses (127.0.0.0/8, ::1, localhost); pass --allow-remote (allowRemoteTargets) to target other hosts`;
        thread.logger.once(`blocked:${parsed.hostname}`, 'warn', message);
        if (throwOnError) this.reject(new Error(message));
        else this.failBeforeSending(/^[\d.]+$|:/.test(parsed.hostname) ? ERROR_CODES.blockedIp : ERROR_CODES.blockedHostname, message);
        return;
      }
      const cookieHeader = cookiesFor(this.state, parsed.host, this.cookies);
      let headers: readonly string[];
      if (this.userHeaders.length === 0 && this.impliedType === null && parsed.auth === null && cookieHeader === '') {
        headers = this.settings.defaultHeaders;
      } else {
        const built = this.userHeaders.slice();
        if (!this.hasUserAgent) built.push('user-agent', userAgent);
        if (this.impliedType !== null && !this.hasContentType) built.push('content-type', this.impliedType);
        if (parsed.auth !== null) built.push('authorization', parsed.auth);
        if (cookieHeader !== '') built.push('cookie', cookieHeader);
        headers = built;
      }
      const wireBody = this.wireBody;
      let sentBytes = method.length + parsed.path.length + 13 + parsed.host.length + 8;
      for (let i = 0; i < headers.length; i += 2) sentBytes += headers[i].length + headers[i + 1].length + 4;
      if (wireBody !== null) sentBytes += typeof wireBody === 'string' ? Buffer.byteLength(wireBody) : wireBody.length;
      this.host = parsed.host;
      this.origin = parsed.origin;
      this.headers = headers;
      this.sentBytes = sentBytes;
      transport.send(
        { origin: parsed.origin, path: parsed.path, method, headers: headers as string[], body: wireBody, timeoutMs: this.timeoutMs, keepBody: this.responseType !== 'none' },
        this,
      );
    }

    /** Called by the hop's exchange, possibly from inside undici's callbacks: must not throw. */
    exchangeDone(exchange: Exchange): void {
      try {
        this.finishHop(exchange);
      } catch (error) {
        this.reject(error);
      }
    }

    private finishHop(exchange: Exchange): void {
      const vu = this.vu;
      const method = this.method;
      const url = this.url;
      const status = exchange.status;
      const timings = exchange.timings();
      if (status !== 0) setCookies(this.state, this.host, exchange.rawHeaders);
      const expected = exchange.errorCode === 0 && (this.expectedFn === null || this.expectedFn(status));
      let errorCode = exchange.errorCode;
      let error = exchange.error ?? '';
      if (errorCode === 0 && status >= 400) {
        errorCode = 1000 + status;
        error = '';
      }
      const name = url === this.requestedUrl ? this.name : url;
      const location = status >= 300 && status < 400 && status !== 304 ? headerValue(exchange.rawHeaders, 'location') : null;
      if (location !== null && this.redirectsLeft > 0) {
        emitRequest(vu, exchange, timings, method, url, name, status, expected, error, errorCode, this.paramTags, this.sentBytes);
        this.redirectsLeft--;
        this.url = new URL(location, url).toString();
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          this.method = method === 'HEAD' ? 'HEAD' : 'GET';
          this.wireBody = null;
          this.impliedType = null;
        }
        // The next hop starts from a fresh stack, not from inside undici's callback for this one.
        queueMicrotask(() => {
          try {
            this.send();
          } catch (sendError) {
            this.reject(sendError);
          }
        });
        return;
      }
      // A request cut off because its VU was interrupted (Ctrl-C, an aborted step) is not a target failure.
      if (exchange.errorCode !== 0 && !vu.interrupted) {
        thread.logger.once(`http-error:${exchange.errorCode}:${this.origin}`, 'warn', `request failed: ${method} ${url}: ${error} (error_code ${errorCode}); further errors like this are counted in http_req_failed`);
        if (this.settings.throwOnError) {
          this.reject(new Error(`${method} ${url}: ${error}`));
          return;
        }
      }
      emitRequest(vu, exchange, timings, method, url, name, status, expected, error, errorCode, this.paramTags, this.sentBytes);
      this.resolve(
        new Response(status, exchange.statusText, url, error, errorCode, timings, exchange.remoteAddress, exchange.remotePort, exchange.rawHeaders, exchange.chunks, this.responseType, new RequestInfo(method, url, this.requestBodyText(), this.headers)),
      );
    }

    /** A request that never reached the wire (bad URL, refused host): samples with error tags, status 0. */
    private failBeforeSending(code: number, message: string): void {
      emitRequest(this.vu, null, ZERO_TIMINGS, this.method, this.url, this.name, 0, false, message, code, this.paramTags, 0);
      const request = new RequestInfo(this.method, this.url, this.requestBodyText(), NO_HEADERS);
      this.resolve(new Response(0, '', this.url, message, code, { ...ZERO_TIMINGS }, '', 0, null, null, this.responseType, request));
    }

    private requestBodyText(): string {
      const body = this.wireBody;
      return typeof body === 'string' ? body : body ? '<binary>' : '';
    }
  }

  function perform(vu: VU, method: string, target: string | TaggedURL, body: Body, params: Params | null | undefined): ResponsePromise<Response> {
    // A throw in the executor (init context, bad params) rejects the promise, as an async function would.
    return new ResponsePromise<Response>((resolve, reject) => {
      if (vu.inInitContext) throw new Error('making HTTP requests in the init context is not supported (move the request into setup() or the default function)');
      new HttpCall(vu, settings ?? configure(), method, target, body, params, resolve, reject).send();
    });
  }

  function cookiesFor(state: VUHttp, host: string, extra: Params['cookies']): string {
    const jar = state.jar.get(host);
    if ((jar === undefined || jar.size === 0) && extra === undefined) return '';
    const merged = new Map(jar ?? []);
    if (extra) for (const [k, v] of Object.entries(extra)) merged.set(k, typeof v === 'string' ? v : v.value);
    return [...merged].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  function request(vu: VU, method: string, target: string | TaggedURL, body?: Body, params?: Params | null): ResponsePromise {
    return perform(vu, method, target, body, params);
  }

  type BatchItem = string | TaggedURL | [string, string | TaggedURL, Body?, Params?] | { method?: string; url: string | TaggedURL; body?: Body; params?: Params };
  function batchOne(vu: VU, item: BatchItem): Promise<Response> {
    if (typeof item === 'string' || (item as TaggedURL).__loadlabUrl) return perform(vu, 'GET', item as string, null, null);
    if (Array.isArray(item)) return perform(vu, item[0], item[1], item[2], item[3]);
    const o = item as { method?: string; url: string; body?: Body; params?: Params };
    return perform(vu, o.method ?? 'GET', o.url, o.body, o.params);
  }

  return {
    close: () => settings?.transport.close(),
    request,
    asyncRequest: (vu: VU, method: string, target: string, body?: Body, params?: Params) => perform(vu, method, target, body, params),
    get: (vu: VU, target: string, params?: Params) => request(vu, 'GET', target, null, params),
    head: (vu: VU, target: string, params?: Params) => request(vu, 'HEAD', target, null, params),
    post: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'POST', target, body, params),
    put: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'PUT', target, body, params),
    patch: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'PATCH', target, body, params),
    del: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'DELETE', target, body, params),
    options: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'OPTIONS', target, body, params),
    batch(vu: VU, requests: BatchItem[] | Record<string, BatchItem>): ResponsePromise<unknown> {
      return new ResponsePromise<unknown>((resolve, reject) => {
        if (Array.isArray(requests)) Promise.all(requests.map((r) => batchOne(vu, r))).then(resolve, reject);
        else {
          const keys = Object.keys(requests);
          Promise.all(keys.map((k) => batchOne(vu, requests[k]))).then((responses) => resolve(Object.fromEntries(keys.map((k, i) => [k, responses[i]]))), reject);
        }
      });
    },
    setResponseCallback(vu: VU, callback: ExpectedStatuses | null) {
      const fn = callback === null ? () => true : callback.__loadlabExpected;
      if (typeof fn !== 'function') throw new Error('setResponseCallback needs http.expectedStatuses(...) or null');
      if (vu.inInitContext) globalExpected = fn;
      vuHttp(vu).expected = fn;
    },
    cookieJar(vu: VU) {
      const state = vuHttp(vu);
      const hostOf = (u: string) => parseURL(u)?.host ?? u;
      return {
        set: (u: string, name: string, value: string) => (state.jar.get(hostOf(u)) ?? newJar(state, hostOf(u))).set(name, value),
        cookiesForURL: (u: string) => Object.fromEntries([...(state.jar.get(hostOf(u)) ?? [])].map(([k, v]) => [k, [v]])),
        clear: (u: string) => state.jar.delete(hostOf(u)),
        delete: (u: string, name: string) => state.jar.get(hostOf(u))?.delete(name),
      };
    },
    file,
    expectedStatuses,
    url,
    TLS_1_2: 'tls1.2',
    TLS_1_3: 'tls1.3',
    OCSP_STATUS_GOOD: 'good',
  };
}

function headerValue(raw: Buffer[] | null, lowerName: string): string | null {
  if (raw === null) return null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === lowerName.length && raw[i].toString('latin1').toLowerCase() === lowerName) return raw[i + 1].toString('latin1');
  }
  return null;
}
