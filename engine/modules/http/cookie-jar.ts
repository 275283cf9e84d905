// k6's cookie jar (http.cookieJar(), new http.CookieJar(), params.jar) on tough-cookie's RFC 6265
// store, with the quirks of the Go jar k6 wraps: Secure cookies are stored from http:// but sent only
// over https:// (also to localhost), clear() and delete() remove the cookies stored under the URL's
// host and default path, and res.cookies lists the Set-Cookie headers as Go's http.Cookie fields.
import { Cookie, CookieJar as ToughJar, defaultPath, MemoryCookieStore } from 'tough-cookie';

/** Go's zero time.Time in Unix milliseconds: what k6 reports for a cookie without Expires. */
const GO_ZERO_TIME_MS = -6795364578871;

const JAR_OPTIONS = {
  rejectPublicSuffixes: false,
  allowSecureOnLocal: false,
  enforceSecureOriginOnStorage: false,
  looseMode: true,
} as const;

/** A Set-Cookie header as k6 shows it in res.cookies. */
export interface ResponseCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

/** The cookies a script adds to one request (params.cookies). */
export type RequestCookies = Record<string, string | { value: string; replace?: boolean }>;

export interface SentCookie {
  name: string;
  value: string;
  replace: boolean;
}

export interface CookieJarOptions {
  path?: string;
  domain?: string;
  expires?: string;
  max_age?: number;
  secure?: boolean;
  http_only?: boolean;
}

/** Go's readSetCookies strips one pair of double quotes around a value; tough-cookie keeps them. */
function unquote(value: string): string {
  return value.length > 1 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** Go's http.Cookie.String(): bytes a cookie value may not hold are dropped, one with a space or comma is quoted. */
function wireValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0x20 && c < 0x7f && ch !== '"' && ch !== ';' && ch !== '\\') out += ch;
  }
  return out.includes(' ') || out.includes(',') ? `"${out}"` : out;
}

const wireName = (name: string) => name.replace(/[\r\n]/g, '-');

function parseSetCookie(header: string): Cookie | undefined {
  const cookie = Cookie.parse(header, { loose: true });
  if (cookie !== undefined) cookie.value = unquote(cookie.value);
  return cookie;
}

function hostAndPath(url: string): { host: string; path: string } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(), path: defaultPath(u.pathname) };
}

/** The URL as the jar keys it; null for what Go's jar ignores (no http(s) scheme or host), as k6 does. */
function parseURLArgument(method: string, url: unknown): string | null {
  if (typeof url !== 'string' && !(url instanceof URL)) throw new Error(`CookieJar.${method}: the URL must be a string, got ${typeof url}`);
  try {
    const parsed = new URL(String(url));
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

export class CookieJar {
  // Made on the first cookie: a VU gets a new jar every iteration, and most tests never see a cookie.
  #store: MemoryCookieStore | null = null;
  #tough: ToughJar | null = null;
  /** Nothing stored yet: the common case of a test without cookies skips the store entirely. */
  #empty = true;

  get #jar(): ToughJar {
    if (this.#tough === null) {
      this.#store = new MemoryCookieStore();
      this.#tough = new ToughJar(this.#store, JAR_OPTIONS);
    }
    return this.#tough;
  }

  /** No cookie was ever stored: nothing to send. */
  get isEmpty(): boolean {
    return this.#empty;
  }

  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const target = parseURLArgument('cookiesForURL', url);
    if (this.#empty || target === null) return out;
    for (const c of this.#jar.getCookiesSync(target)) (out[c.key] ??= []).push(c.value);
    return out;
  }

  set(url: string, name: string, value: string, options?: CookieJarOptions | null): boolean {
    const target = parseURLArgument('set', url);
    if (target === null) return true;
    const cookie = new Cookie({ key: String(name), value: String(value) });
    if (options) {
      for (const [key, raw] of Object.entries(options)) {
        switch (key.toLowerCase()) {
          case 'path':
            cookie.path = String(raw);
            break;
          case 'domain':
            cookie.domain = String(raw).replace(/^\./, '').toLowerCase();
            cookie.hostOnly = false;
            break;
          case 'expires': {
            const text = String(raw);
            if (text === '') break;
            const time = Date.parse(text);
            if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [A-Z]{1,5}$/.test(text) || Number.isNaN(time)) {
              throw new Error(
                `unable to parse "expires" date string "${text}": use the RFC 1123 form, e.g. "Mon, 02 Jan 2006 15:04:05 GMT"`,
              );
            }
            cookie.expires = new Date(time);
            break;
          }
          case 'max_age': {
            const seconds = Math.trunc(Number(raw));
            // Go: 0 means no Max-Age; negative deletes.
            if (seconds !== 0) cookie.maxAge = Math.max(seconds, 0);
            break;
          }
          case 'secure':
            cookie.secure = Boolean(raw);
            break;
          case 'http_only':
            cookie.httpOnly = Boolean(raw);
            break;
        }
      }
    }
    if (cookie.maxAge === 0) {
      this.#remove(target, cookie.key, cookie.path ?? undefined);
      return true;
    }
    this.#jar.setCookieSync(cookie, target, { ignoreError: true });
    this.#empty = false;
    return true;
  }

  /** Removes the cookies sent to `url` that are stored under its host and default path, as k6 does. */
  clear(url: string): boolean {
    const target = parseURLArgument('clear', url);
    if (this.#empty || target === null) return true;
    for (const c of this.#jar.getCookiesSync(target)) this.#remove(target, c.key);
    return true;
  }

  delete(url: string, name: string): boolean {
    if (name === undefined || name === null || name === '') throw new Error('CookieJar.delete: the cookie name is empty');
    const target = parseURLArgument('delete', url);
    if (target !== null) this.#remove(target, String(name));
    return true;
  }

  #remove(url: string, name: string, path?: string): void {
    if (this.#empty) return;
    const target = hostAndPath(url);
    this.#store?.removeCookie(target.host, path ?? target.path, name, () => {});
  }

  /** Stores one Set-Cookie header received from `url`. */
  store(url: string, header: string): void {
    const cookie = parseSetCookie(header);
    if (cookie === undefined) return;
    this.#jar.setCookieSync(cookie, url, { ignoreError: true });
    this.#empty = false;
  }

  /**
   * The Cookie header for a request to `url`: the request's own cookies first, then the jar's
   * (a request cookie with `replace: true` hides the jar's cookies of that name). `sent` collects
   * what res.request.cookies shows.
   */
  header(url: string, extra: RequestCookies | undefined, sent: Record<string, SentCookie[]> | null): string {
    let header = '';
    let replaced: Set<string> | null = null;
    if (extra !== undefined && extra !== null) {
      for (const name of Object.keys(extra)) {
        const cookie = extra[name];
        const isObject = typeof cookie === 'object' && cookie !== null;
        const value = isObject ? String(cookie.value) : String(cookie);
        if (isObject && cookie.replace === true) (replaced ??= new Set()).add(name);
        header += `${header === '' ? '' : '; '}${wireName(name)}=${wireValue(value)}`;
        if (sent !== null) (sent[name] ??= []).push({ name, value, replace: false });
      }
    }
    if (!this.#empty) {
      for (const c of this.#jar.getCookiesSync(url)) {
        if (replaced?.has(c.key)) continue;
        header += `${header === '' ? '' : '; '}${wireName(c.key)}=${wireValue(c.value)}`;
        if (sent !== null) (sent[c.key] ??= []).push({ name: c.key, value: c.value, replace: false });
      }
    }
    return header;
  }
}

/** res.cookies: every Set-Cookie header of the response by cookie name, as Go parses them. */
export function responseCookies(setCookieHeaders: readonly string[]): Record<string, ResponseCookie[]> {
  const out: Record<string, ResponseCookie[]> = {};
  for (const header of setCookieHeaders) {
    const cookie = parseSetCookie(header);
    if (cookie === undefined || cookie.key === '') continue;
    const attributes = header
      .split(';')
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    const maxAge = typeof cookie.maxAge === 'number' ? (cookie.maxAge <= 0 ? -1 : cookie.maxAge) : 0;
    const expires = cookie.expires instanceof Date ? cookie.expires.getTime() : GO_ZERO_TIME_MS;
    (out[cookie.key] ??= []).push({
      name: cookie.key,
      value: cookie.value,
      domain: attributes.some((a) => a.startsWith('domain=')) ? (cookie.domain ?? '') : '',
      path: attributes.some((a) => a.startsWith('path=')) ? (cookie.path ?? '') : '',
      http_only: cookie.httpOnly,
      secure: cookie.secure,
      max_age: maxAge,
      expires,
    });
  }
  return out;
}
