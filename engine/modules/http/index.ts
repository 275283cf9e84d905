// k6/http: request building, redirects, cookies, authentication, expected statuses and the
// http_req_* samples. One SampleContainer per request/response, its tag set cached per request
// site (request-tags.ts).
import { BUILTIN_METRICS } from '../../metrics/builtin.ts';
import { parseDuration } from '../../options/duration.ts';
import { type CallTracking, PendingCalls } from '../../runtime/pending.ts';
import type { ThreadContext } from '../../runtime/thread.ts';
import type { VU } from '../../runtime/vu.ts';
import { type Body, encodeBody, file } from './body.ts';
import { CookieJar, type RequestCookies, type SentCookie } from './cookie-jar.ts';
import { digestAuthorization, findDigestChallenge } from './digest.ts';
import { ERROR_CODES } from './errors.ts';
import { dumpRequest, dumpResponse, httpDebugMode } from './http-debug.ts';
import { type ConnectionTagging, connectionTagging, requestTags, withConnectionTags } from './request-tags.ts';
import { canonicalHeaderName, type FollowUpClient, RequestInfo, Response, ResponsePromise, type ResponseType } from './response.ts';
import { batchItemURL, batchLimiter } from './batch-limits.ts';
import { LOADLAB_VERSION } from '../../version.ts';
import { type Exchange, type ExchangeOwner, type Timings, type Transport, transportFromOptions, withTlsVersion } from './transport.ts';

export const USER_AGENT = `loadlab/${LOADLAB_VERSION} (k6-compatible; https://k6.io/)`;

interface ExpectedStatuses {
  __loadlabExpected: (status: number) => boolean;
}

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  redirects?: number;
  responseType?: ResponseType;
  cookies?: RequestCookies;
  responseCallback?: ExpectedStatuses | null;
  auth?: string;
  jar?: CookieJar | null;
  compression?: string;
}

interface TaggedURL {
  url: string;
  name: string;
  __loadlabUrl: true;
}

interface VUHttp {
  /** The VU's own jar, made on first use and replaced every iteration (k6 starts each iteration without cookies). */
  jar: CookieJar | null;
  jarIteration: number;
  expected: (status: number) => boolean;
  /** What Response.submitForm()/clickLink() send their request with. */
  client: FollowUpClient;
}

const defaultExpected = (status: number) => status >= 200 && status < 400;

/** A request k6 refuses to build but does not throw for (without `throw`): logged, status 0. */
class RequestParamsError extends Error {}

function expectedStatuses(...ranges: (number | { min: number; max: number })[]): ExpectedStatuses {
  for (const range of ranges) {
    const ok = typeof range === 'number' ? Number.isInteger(range) : range && Number.isInteger(range.min) && Number.isInteger(range.max);
    if (!ok) throw new Error(`expectedStatuses: arguments must be integers or { min, max } objects, got ${JSON.stringify(range)}`);
  }
  return {
    __loadlabExpected: (status) => ranges.some((r) => (typeof r === 'number' ? status === r : status >= r.min && status <= r.max)),
  };
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

interface ParsedURL {
  origin: string;
  path: string;
  hostname: string;
  host: string;
  username: string;
  password: string;
  /** The URL as k6 tags it: credentials masked as ****:****. */
  tagged: string;
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
            username: decodeURIComponent(u.username),
            password: decodeURIComponent(u.password),
            tagged: u.username || u.password ? text.replace(/^(https?:\/\/)[^@/]*@/i, '$1****:****@') : text,
          }
        : null;
  } catch {
    parsed = null;
  }
  if (urlCache.size > 10_000) urlCache.clear();
  urlCache.set(text, parsed);
  return parsed;
}

/** Whether Go's url.Parse refuses the text (bad %-escape, control character, unclosed IPv6 host). */
function goRejectsURL(text: string): boolean {
  return /%(?![0-9a-fA-F]{2})|[\x00-\x1f\x7f]/.test(text) || /^[a-z][a-z0-9+.-]*:\/\/\[[^\]]*$/i.test(text);
}

/** The values of one response header (all of them, in order), e.g. every Set-Cookie. */
function headerValues(raw: Buffer[] | null, lowerName: string): string[] {
  const values: string[] = [];
  if (raw === null) return values;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === lowerName.length && name.toString('latin1').toLowerCase() === lowerName) values.push(raw[i + 1].toString('latin1'));
  }
  return values;
}

function headerValue(raw: Buffer[] | null, lowerName: string): string | null {
  if (raw === null) return null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === lowerName.length && raw[i].toString('latin1').toLowerCase() === lowerName) return raw[i + 1].toString('latin1');
  }
  return null;
}

/** Whether a response carries Set-Cookie: byte checks first, since Connection and Keep-Alive are 10 letters too. */
function hasSetCookie(raw: Buffer[] | null): boolean {
  if (raw === null) return false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 10 && (name[0] | 0x20) === 0x73 && name.toString('latin1').toLowerCase() === 'set-cookie') return true;
  }
  return false;
}

const canonicalNames = new Map<string, string>();
/** Go's http.Header canonicalisation of a request header name, cached: scripts use a handful of names. */
function canonical(name: string): string {
  let out = canonicalNames.get(name);
  if (out === undefined) {
    out = canonicalHeaderName(name);
    if (canonicalNames.size < 1000) canonicalNames.set(name, out);
  }
  return out;
}

const STANDARD_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const RESPONSE_TYPES: ReadonlySet<string> = new Set(['text', 'binary', 'none']);
const NO_PARAMS: Params = Object.freeze({});
const NO_HEADERS: readonly string[] = Object.freeze([]);
const NO_COOKIES: Record<string, SentCookie[]> = Object.freeze({}) as Record<string, SentCookie[]>;

interface Settings {
  transport: Transport;
  maxRedirects: number;
  discardBodies: boolean;
  userAgent: string;
  throwOnError: boolean;
  httpDebug: 'headers' | 'full' | null;
  /** The headers of a request without params.headers, body, credentials or cookies: shared, never changed. */
  defaultHeaders: readonly string[];
  /** systemTags' ip and ocsp_status; null when neither is enabled. */
  connectionTags: ConnectionTagging | null;
}

/** How a call is counted among its VU's pending calls (pending.ts): k6's blocking calls, and asyncRequest. */
interface TrackedCall {
  readonly label: string;
  readonly blocking: boolean;
}
const TRACKED: Record<string, TrackedCall> = Object.fromEntries(
  ['request', 'get', 'head', 'post', 'put', 'patch', 'del', 'options', 'batch', 'asyncRequest'].map((name) => [
    name,
    { label: `http.${name}`, blocking: name !== 'asyncRequest' },
  ]),
);
/** The requests of Response.submitForm() and clickLink(): blocking in k6 as well. */
const FOLLOW_UP: TrackedCall = { label: 'res.submitForm/clickLink', blocking: true };

export function createHttpModule(thread: ThreadContext, tracking: CallTracking) {
  // Settings come from the merged options, known only after the first VU ran the init context.
  let settings: Settings | null = null;
  const configure = (): Settings => {
    const options = thread.options;
    const userAgent = typeof options.userAgent === 'string' ? options.userAgent : USER_AGENT;
    settings = {
      transport: transportFromOptions(options as Record<string, unknown>, thread.allowRemoteTargets, thread.trustEnv),
      maxRedirects: typeof options.maxRedirects === 'number' ? options.maxRedirects : 10,
      discardBodies: options.discardResponseBodies === true,
      userAgent,
      throwOnError: options.throw === true,
      httpDebug: httpDebugMode((options as { httpDebug?: unknown }).httpDebug),
      defaultHeaders: Object.freeze(userAgent === '' ? [] : ['user-agent', userAgent]),
      connectionTags: connectionTagging(options.systemTags),
    };
    return settings;
  };
  const defaultTimeoutMs = 60_000;
  let globalExpected = defaultExpected;

  function vuHttp(vu: VU): VUHttp {
    let state = vu.http as VUHttp | null;
    if (state === null) {
      state = {
        jar: null,
        jarIteration: vu.iter,
        expected: globalExpected,
        client: { request: (method, target, body, params) => perform(vu, method, target, body as Body, params as Params, FOLLOW_UP) },
      };
      vu.http = state;
    }
    if (state.jarIteration !== vu.iter) {
      state.jarIteration = vu.iter;
      state.jar = null;
    }
    return state;
  }

  function vuJar(state: VUHttp): CookieJar {
    state.jar ??= new CookieJar();
    return state.jar;
  }

  /** `expected` null: the request had `responseCallback: null`, so k6 records no http_req_failed and no expected_response tag. */
  function emitRequest(
    vu: VU,
    exchange: Exchange | null,
    timings: Timings,
    method: string,
    urlText: string,
    name: string,
    status: number,
    expected: boolean | null,
    error: string,
    errorCode: number,
    paramTags: Record<string, string> | undefined,
    sentBytes: number,
  ): void {
    if (vu.interrupted) return;
    let tags = withTlsVersion(
      requestTags(vu.tags, vu.groupPath, method, urlText, name, status, expected, error, errorCode, paramTags),
      exchange,
    );
    const connectionTags = settings?.connectionTags ?? null;
    if (connectionTags !== null && exchange !== null)
      tags = withConnectionTags(tags, connectionTags, exchange.remoteAddress, exchange.status !== 0 && exchange.tlsVersion !== '');
    let received = 0;
    if (exchange !== null && exchange.status !== 0) {
      received = 17 + exchange.statusText.length + exchange.bodySize;
      const raw = exchange.rawHeaders;
      if (raw !== null) for (let i = 0; i < raw.length; i++) received += raw[i].length + 2;
    }
    vu.bytesSent += sentBytes;
    vu.bytesReceived += received;
    const samples = [
      { metric: BUILTIN_METRICS.http_reqs, value: 1 },
      { metric: BUILTIN_METRICS.http_req_duration, value: timings.duration },
      { metric: BUILTIN_METRICS.http_req_blocked, value: timings.blocked },
      { metric: BUILTIN_METRICS.http_req_connecting, value: timings.connecting },
      { metric: BUILTIN_METRICS.http_req_tls_handshaking, value: timings.tls_handshaking },
      { metric: BUILTIN_METRICS.http_req_sending, value: timings.sending },
      { metric: BUILTIN_METRICS.http_req_waiting, value: timings.waiting },
      { metric: BUILTIN_METRICS.http_req_receiving, value: timings.receiving },
    ];
    if (expected !== null) samples.push({ metric: BUILTIN_METRICS.http_req_failed, value: expected ? 0 : 1 });
    vu.emit({ time: Date.now(), tags, samples });
  }

  const ZERO_TIMINGS: Timings = Object.freeze({
    blocked: 0,
    connecting: 0,
    tls_handshaking: 0,
    sending: 0,
    waiting: 0,
    receiving: 0,
    duration: 0,
  });

  /**
   * One k6 request through its redirects and authentication round trips: it sends each hop, hears
   * back from the hop's exchange, and settles the promise the script awaits. A class holding the
   * request's state rather than an async function: one promise per request instead of an async
   * function's, an await's and a wrapping one's, and no closure per step.
   */
  class HttpCall implements ExchangeOwner {
    private method: string;
    private url: string;
    private readonly requestedUrl: string;
    /** The `name` tag: the URL, the template of http.url``, or params.tags.name. */
    private readonly name: string;
    /** The `url` tag: the URL with credentials masked, or the template of http.url`` (as k6, the same as the name). */
    private readonly urlTag: string;
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
    private hasReferer = false;
    private readonly cookies: RequestCookies | undefined;
    /** params.jar, or the VU's jar; null: params.jar was null (no cookies kept). */
    private readonly jar: CookieJar | null;
    private readonly auth: 'basic' | 'digest';
    /** The origin the URL's credentials belong to: digest answers only its challenges. */
    private readonly authOrigin: string;
    private readonly username: string = '';
    private readonly password: string = '';
    private digestAuthorization: string | null = null;
    private referer: string | null = null;
    private sentCookies: Record<string, SentCookie[]> = NO_COOKIES;
    // The hop on the wire.
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
        this.urlTag = this.name;
      } else {
        this.url = String(target);
        this.name = parseURL(this.url)?.tagged ?? this.url;
        this.urlTag = this.name;
      }
      this.requestedUrl = this.url;
      const p: Params = params ?? NO_PARAMS;
      this.paramTags = p.tags;
      if (p.tags?.name !== undefined) this.name = p.tags.name;
      this.state = vuHttp(vu);
      this.expectedFn =
        p.responseCallback === undefined ? this.state.expected : p.responseCallback === null ? null : p.responseCallback.__loadlabExpected;
      if (p.responseType !== undefined && !RESPONSE_TYPES.has(p.responseType))
        throw new RequestParamsError(`${p.responseType} does not belong to ResponseType values`);
      this.responseType = p.responseType ?? (settings.discardBodies ? 'none' : 'text');
      this.timeoutMs = p.timeout === undefined ? defaultTimeoutMs : parseDuration(p.timeout);
      this.redirectsLeft = p.redirects ?? settings.maxRedirects;
      this.cookies = p.cookies;
      if (p.jar !== undefined && p.jar !== null && !(p.jar instanceof CookieJar))
        throw new Error('params.jar must be a cookie jar from http.cookieJar() or new http.CookieJar()');
      this.jar = p.jar === undefined ? vuJar(this.state) : p.jar;
      const auth = p.auth === undefined || p.auth === null ? 'basic' : String(p.auth).toLowerCase();
      if (auth === 'ntlm')
        throw new Error(
          'params.auth "ntlm": NTLM authentication is not supported by the embedded engine (run the script with --engine k6)',
        );
      this.auth = auth === 'digest' ? 'digest' : 'basic';
      const parsed = parseURL(this.url);
      this.authOrigin = parsed?.origin ?? '';
      if (parsed !== null) {
        this.username = parsed.username;
        this.password = parsed.password;
      }
      if (body !== null && body !== undefined) [this.wireBody, this.impliedType] = encodeBody(body);
      if (p.headers) {
        for (const key of Object.keys(p.headers)) {
          const value = p.headers[key];
          if (value === undefined || value === null) continue;
          const lower = key.toLowerCase();
          if (lower === 'user-agent') this.hasUserAgent = true;
          else if (lower === 'content-type') this.hasContentType = true;
          else if (lower === 'referer') this.hasReferer = true;
          else if (lower === 'host') continue;
          this.userHeaders.push(canonical(key), String(value));
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
        // k6: 1020 when Go cannot parse the URL at all; a relative URL or another scheme fails later, as 1000.
        else this.failBeforeSending(goRejectsURL(url) ? ERROR_CODES.invalidUrl : ERROR_CODES.generic, message);
        return;
      }
      if (transport.refuses(parsed.hostname)) {
        const message = `request to ${parsed.hostname} refused: loadlab sends load only to loopback addresses (127.0.0.0/8, ::1, localhost); pass --allow-remote (allowRemoteTargets) to target other hosts`;
        thread.logger.once(`blocked:${parsed.hostname}`, 'warn', message);
        if (throwOnError) this.reject(new Error(message));
        else this.failBeforeSending(/^[\d.]+$|:/.test(parsed.hostname) ? ERROR_CODES.blockedIp : ERROR_CODES.blockedHostname, message);
        return;
      }
      const sameOrigin = parsed.origin === this.authOrigin;
      // As k6, the request's own cookies go with every hop of its redirects, to any host.
      const requestCookies = this.cookies;
      let cookieHeader = '';
      this.sentCookies = NO_COOKIES;
      if (this.jar !== null && (!this.jar.isEmpty || requestCookies !== undefined)) {
        this.sentCookies = {};
        cookieHeader = this.jar.header(url, requestCookies, this.sentCookies);
      }
      let authorization: string | null = null;
      if (this.auth === 'digest') authorization = sameOrigin ? this.digestAuthorization : null;
      else if (parsed.username !== '' || parsed.password !== '')
        authorization = `Basic ${Buffer.from(`${parsed.username}:${parsed.password}`).toString('base64')}`;
      let headers: readonly string[];
      if (
        this.userHeaders.length === 0 &&
        this.impliedType === null &&
        authorization === null &&
        cookieHeader === '' &&
        this.referer === null
      ) {
        headers = this.settings.defaultHeaders;
      } else {
        const built = this.userHeaders.slice();
        if (!this.hasUserAgent && userAgent !== '') built.push('User-Agent', userAgent);
        if (this.impliedType !== null && !this.hasContentType) built.push('Content-Type', this.impliedType);
        if (authorization !== null) built.push('Authorization', authorization);
        if (cookieHeader !== '') built.push('Cookie', cookieHeader);
        if (this.referer !== null && !this.hasReferer) built.push('Referer', this.referer);
        headers = built;
      }
      const wireBody = this.wireBody;
      let sentBytes = method.length + parsed.path.length + 13 + parsed.host.length + 8;
      for (let i = 0; i < headers.length; i += 2) sentBytes += headers[i].length + headers[i + 1].length + 4;
      if (wireBody !== null) sentBytes += typeof wireBody === 'string' ? Buffer.byteLength(wireBody) : wireBody.length;
      this.origin = parsed.origin;
      this.headers = headers;
      this.sentBytes = sentBytes;
      if (this.settings.httpDebug !== null) {
        thread.logger.log(
          'info',
          `Request:\n${dumpRequest(method, parsed.path, parsed.host, headers, wireBody, this.settings.httpDebug === 'full')}`,
          this.debugFields(),
        );
      }
      transport.send(
        {
          origin: parsed.origin,
          path: parsed.path,
          method,
          headers: headers as string[],
          body: wireBody,
          timeoutMs: this.timeoutMs,
          keepBody: this.responseType !== 'none' || this.settings.httpDebug === 'full',
        },
        this,
        this.vu,
      );
    }

    private debugFields(): Record<string, string> {
      return {
        group: this.vu.groupPath,
        iter: String(this.vu.iter),
        scenario: this.vu.scenario?.name ?? '',
        source: 'http-debug',
        vu: String(this.vu.vu),
      };
    }

    /** Called by the hop's exchange, possibly from inside undici's callbacks: must not throw. */
    exchangeDone(exchange: Exchange): void {
      try {
        this.finishHop(exchange);
      } catch (error) {
        this.reject(error);
      }
    }

    /** Sends the next hop from a fresh stack, not from inside undici's callback for this one. */
    private sendNext(): void {
      queueMicrotask(() => {
        try {
          this.send();
        } catch (sendError) {
          this.reject(sendError);
        }
      });
    }

    private finishHop(exchange: Exchange): void {
      const vu = this.vu;
      const method = this.method;
      const url = this.url;
      const status = exchange.status;
      const timings = exchange.timings();
      if (this.settings.httpDebug !== null && status !== 0) {
        thread.logger.log(
          'info',
          `Response:\n${dumpResponse(status, exchange.statusText, exchange.rawHeaders, this.settings.httpDebug === 'full' ? exchange.chunks : null)}`,
          this.debugFields(),
        );
      }
      if (status !== 0 && this.jar !== null && hasSetCookie(exchange.rawHeaders)) {
        for (const header of headerValues(exchange.rawHeaders, 'set-cookie')) this.jar.store(url, header);
      }
      let expected: boolean | null = this.expectedFn === null ? null : exchange.errorCode === 0 && this.expectedFn(status);
      let errorCode = exchange.errorCode;
      let error = exchange.error ?? '';
      if (errorCode === 0 && status >= 400) {
        errorCode = 1000 + status;
        error = '';
      }
      const name = url === this.requestedUrl ? this.name : (parseURL(url)?.tagged ?? url);
      const tagUrl = url === this.requestedUrl ? this.urlTag : name;
      // Digest: the first 401 carrying a challenge is answered once; k6 counts both requests, the challenge as expected.
      if (status === 401 && this.auth === 'digest' && this.digestAuthorization === null && this.origin === this.authOrigin) {
        const challenge = findDigestChallenge(headerValues(exchange.rawHeaders, 'www-authenticate'));
        if (challenge !== null) {
          expected = true;
          emitRequest(vu, exchange, timings, method, tagUrl, name, status, expected, error, errorCode, this.paramTags, this.sentBytes);
          const parsed = parseURL(url);
          this.digestAuthorization = digestAuthorization(challenge, method, parsed?.path ?? '/', this.username, this.password);
          this.sendNext();
          return;
        }
      }
      const location = status >= 300 && status < 400 && status !== 304 ? headerValue(exchange.rawHeaders, 'location') : null;
      if (location !== null && this.redirectsLeft > 0) {
        emitRequest(vu, exchange, timings, method, tagUrl, name, status, expected, error, errorCode, this.paramTags, this.sentBytes);
        this.redirectsLeft--;
        const next = new URL(location, url);
        // Go's http.Client: a Referer from the previous hop, except from https to http.
        const previous = new URL(url);
        previous.username = '';
        previous.password = '';
        previous.hash = '';
        this.referer = previous.protocol === 'https:' && next.protocol === 'http:' ? null : previous.toString();
        this.url = next.toString();
        // Go: 301/302/303 drop the body and turn methods other than GET and HEAD into GET; 307/308 resend as they were.
        if (status === 301 || status === 302 || status === 303) {
          if (method !== 'GET' && method !== 'HEAD') this.method = 'GET';
          this.wireBody = null;
          this.impliedType = null;
        }
        this.sendNext();
        return;
      }
      // A request cut off because its VU was interrupted (Ctrl-C, an aborted step) is not a target failure.
      if (exchange.errorCode !== 0 && !vu.interrupted) {
        thread.logger.once(
          `http-error:${exchange.errorCode}:${this.origin}`,
          'warn',
          `request failed: ${method} ${parseURL(url)?.tagged ?? url}: ${error} (error_code ${errorCode}); further errors like this are counted in http_req_failed`,
        );
        if (this.settings.throwOnError) {
          this.reject(new Error(`${method} ${parseURL(url)?.tagged ?? url}: ${error}`));
          return;
        }
      }
      emitRequest(vu, exchange, timings, method, tagUrl, name, status, expected, error, errorCode, this.paramTags, this.sentBytes);
      const response = new Response(
        status,
        exchange.statusText,
        url,
        error,
        errorCode,
        timings,
        exchange.remoteAddress,
        exchange.remotePort,
        exchange.rawHeaders,
        this.responseType === 'none' ? null : exchange.chunks,
        this.responseType,
        new RequestInfo(method, url, this.requestBodyText(), this.headers, this.sentCookies),
      );
      response.client = this.state.client;
      this.resolve(response);
    }

    /** A request that never reached the wire (bad URL, refused host): samples with error tags, status 0. */
    private failBeforeSending(code: number, message: string): void {
      emitRequest(
        this.vu,
        null,
        ZERO_TIMINGS,
        this.method,
        this.url === this.requestedUrl ? this.urlTag : this.url,
        this.name,
        0,
        this.expectedFn === null ? null : false,
        message,
        code,
        this.paramTags,
        0,
      );
      const request = new RequestInfo(this.method, this.url, this.requestBodyText(), NO_HEADERS, {});
      const response = new Response(0, '', this.url, message, code, { ...ZERO_TIMINGS }, '', 0, null, null, this.responseType, request);
      response.client = this.state.client;
      this.resolve(response);
    }

    private requestBodyText(): string {
      const body = this.wireBody;
      return typeof body === 'string' ? body : body ? '<binary>' : '';
    }
  }

  /** Counts the call among the VU's pending ones until it settles; the executor's throw rejects, as an async function's would. */
  function trackedPromise<T>(
    vu: VU,
    track: TrackedCall | null,
    executor: (resolve: (value: T) => void, reject: (error: unknown) => void) => void,
  ): ResponsePromise<T> {
    return new ResponsePromise<T>((resolve, reject) => {
      if (track === null) {
        executor(resolve, reject);
        return;
      }
      const end = (vu.calls ??= new PendingCalls()).start(track.label, track.blocking, tracking.marks);
      const done = (value: T) => {
        end();
        resolve(value);
      };
      const failed = (error: unknown) => {
        end();
        reject(error);
      };
      try {
        executor(done, failed);
      } catch (error) {
        failed(error);
      }
    });
  }

  function perform(
    vu: VU,
    method: string,
    target: string | TaggedURL,
    body: Body,
    params: Params | null | undefined,
    track: TrackedCall | null,
  ): ResponsePromise<Response> {
    return trackedPromise<Response>(vu, track, (resolve, reject) => {
      if (vu.inInitContext)
        throw new Error(
          'making HTTP requests in the init context is not supported (move the request into setup() or the default function)',
        );
      const current = settings ?? configure();
      let call: HttpCall;
      try {
        call = new HttpCall(vu, current, method, target, body, params, resolve, reject);
      } catch (error) {
        // k6: a request it cannot build is a "Request Failed" warning and a status-0 response, unless `throw` is set.
        if (!(error instanceof RequestParamsError) || current.throwOnError) throw error;
        thread.logger.log('warn', 'Request Failed', { error: JSON.stringify(error.message) });
        const url = typeof target === 'string' ? target : String(target?.url);
        resolve(
          new Response(
            0,
            '',
            url,
            error.message,
            0,
            { ...ZERO_TIMINGS },
            '',
            0,
            null,
            null,
            'text',
            new RequestInfo(method, url, '', NO_HEADERS, {}),
          ),
        );
        return;
      }
      const rps = thread.rpsLimiter;
      if (rps === null) {
        call.send();
        return;
      }
      // The rps option: the request waits for its slot.
      const waitMs = rps.reserve(Date.now());
      if (waitMs <= 0) call.send();
      else {
        const iteration = vu.iter;
        // An iteration interrupted while its request waited (end of gracefulStop, Ctrl-C) sends nothing.
        setTimeout(() => {
          if (!vu.interrupted && vu.iter === iteration) call.send();
        }, waitMs);
      }
    });
  }

  function request(
    vu: VU,
    method: string,
    target: string | TaggedURL,
    body: Body | undefined,
    params: Params | null | undefined,
    track: TrackedCall,
  ): ResponsePromise {
    return perform(vu, method, target, body, params, track);
  }

  type BatchItem =
    | string
    | TaggedURL
    | [string, string | TaggedURL, Body?, Params?]
    | { method?: string; url: string | TaggedURL; body?: Body; params?: Params };

  /** One request of http.batch(), validated as k6 does: a bad item is logged and its slot left undefined. */
  function batchOne(vu: VU, item: BatchItem, key: string): Promise<Response | undefined> {
    let call: Promise<Response> | null = null;
    let problem = '';
    if (typeof item === 'string' || (item !== null && typeof item === 'object' && (item as TaggedURL).__loadlabUrl))
      call = perform(vu, 'GET', item as string, null, null, null);
    else if (Array.isArray(item)) {
      if (item.length < 2) problem = `invalid batch request '${JSON.stringify(item)}': an array item needs at least a method and a URL`;
      else call = perform(vu, String(item[0]), item[1], item[2], item[3], null);
    } else if (item !== null && typeof item === 'object') {
      const o = item as { method?: string; url?: string; body?: Body; params?: Params };
      if (o.url === undefined) problem = `batch request ${key} doesn't have a url key`;
      else call = perform(vu, o.method ?? 'GET', o.url, o.body, o.params, null);
    } else problem = `invalid URL: '${String(item)}'`;
    if (call === null) {
      if (settings?.throwOnError ?? thread.options.throw === true) return Promise.reject(new Error(problem));
      thread.logger.log('warn', 'A batch request failed', { error: JSON.stringify(problem) });
      return Promise.resolve(undefined);
    }
    return call;
  }

  const cookieJarOf = (vu: VU) => {
    if (vu.inInitContext)
      throw new Error(
        'Making cookie jars in the init context is not supported (call http.cookieJar() in the default function, setup() or teardown())',
      );
    return vuJar(vuHttp(vu));
  };

  return {
    close: () => settings?.transport.close(),
    request: (vu: VU, method: string, target: string | TaggedURL, body?: Body, params?: Params | null) =>
      request(vu, method, target, body, params, TRACKED.request),
    asyncRequest: (vu: VU, method: string, target: string, body?: Body, params?: Params) =>
      perform(vu, method, target, body, params, TRACKED.asyncRequest),
    get: (vu: VU, target: string, params?: Params) => request(vu, 'GET', target, null, params, TRACKED.get),
    head: (vu: VU, target: string, params?: Params) => request(vu, 'HEAD', target, null, params, TRACKED.head),
    post: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'POST', target, body, params, TRACKED.post),
    put: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'PUT', target, body, params, TRACKED.put),
    patch: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'PATCH', target, body, params, TRACKED.patch),
    del: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'DELETE', target, body, params, TRACKED.del),
    options: (vu: VU, target: string, body?: Body, params?: Params) => request(vu, 'OPTIONS', target, body, params, TRACKED.options),
    batch(vu: VU, requests: BatchItem[] | Record<string, BatchItem>): ResponsePromise<unknown> {
      return trackedPromise<unknown>(vu, TRACKED.batch, (resolve, reject) => {
        if (vu.inInitContext)
          throw new Error(
            'making HTTP requests in the init context is not supported (move the request into setup() or the default function)',
          );
        if (requests === null || typeof requests !== 'object') throw new Error(`invalid http.batch() argument type ${typeof requests}`);
        // k6 runs at most `batch` of them at once, `batchPerHost` per host.
        const limiter = batchLimiter(thread.options as Record<string, unknown>);
        const run = (item: BatchItem, key: string) => limiter.run(batchItemURL(item), () => batchOne(vu, item, key));
        if (Array.isArray(requests)) Promise.all(requests.map((r, i) => run(r, String(i)))).then(resolve, reject);
        else {
          const keys = Object.keys(requests);
          Promise.all(keys.map((k) => run(requests[k], k))).then(
            (responses) => resolve(Object.fromEntries(keys.map((k, i) => [k, responses[i]]))),
            reject,
          );
        }
      });
    },
    setResponseCallback(vu: VU, callback: ExpectedStatuses | null) {
      if (callback !== null && (typeof callback !== 'object' || typeof callback.__loadlabExpected !== 'function')) {
        throw new Error('http.setResponseCallback() needs the result of http.expectedStatuses(...) or null');
      }
      const fn = callback === null ? () => true : callback.__loadlabExpected;
      if (vu.inInitContext) globalExpected = fn;
      vuHttp(vu).expected = fn;
    },
    cookieJar: cookieJarOf,
    CookieJar,
    file,
    expectedStatuses,
    url,
    TLS_1_0: 'tls1.0',
    TLS_1_1: 'tls1.1',
    TLS_1_2: 'tls1.2',
    TLS_1_3: 'tls1.3',
    OCSP_STATUS_GOOD: 'good',
    OCSP_STATUS_REVOKED: 'revoked',
    OCSP_STATUS_SERVER_FAILED: 'server_failed',
    OCSP_STATUS_UNKNOWN: 'unknown',
    OCSP_REASON_UNSPECIFIED: 'unspecified',
    OCSP_REASON_KEY_COMPROMISE: 'key_compromise',
    OCSP_REASON_CA_COMPROMISE: 'ca_compromise',
    OCSP_REASON_AFFILIATION_CHANGED: 'affiliation_changed',
    OCSP_REASON_SUPERSEDED: 'superseded',
    OCSP_REASON_CESSATION_OF_OPERATION: 'cessation_of_operation',
    OCSP_REASON_CERTIFICATE_HOLD: 'certificate_hold',
    OCSP_REASON_REMOVE_FROM_CRL: 'remove_from_crl',
    OCSP_REASON_PRIVILEGE_WITHDRAWN: 'privilege_withdrawn',
    OCSP_REASON_AA_COMPROMISE: 'aa_compromise',
  };
}
