// The tag set of an HTTP request's samples. A loop that requests the same URL gets the same tags
// every time, so the set is built once and the frozen object reused: no 16-field object per
// request, and every consumer downstream (Aggregator, results folder, outputs, worker transport)
// keys its per-tag-set work by the object's identity instead of rebuilding a key from its fields.
import type { Tags } from '../../metrics/types.ts';

interface CachedRequestTags {
  readonly group: string;
  readonly method: string;
  readonly name: string;
  readonly status: number;
  readonly expected: boolean | null;
  readonly errorCode: number;
  readonly error: string;
  /** The request's own tags (params.tags) as a string, '' without. */
  readonly paramKey: string;
  readonly tags: Tags;
}

/** The VU's tags (interned, so shared by all VUs with the same tags) → URL → the tag sets seen. */
const cache = new WeakMap<Tags, Map<string, CachedRequestTags[]>>();
/** Unique URLs per request (ids in the path) would grow the cache without end: past this it restarts. */
const URLS_PER_VU_TAG_SET = 10_000;
/** Tag sets per URL (statuses × groups × names); past this the URL's list restarts. */
const SETS_PER_URL = 64;

/** k6's request tags, in k6's order; the request's own tags last, overriding any. */
function buildRequestTags(
  vuTags: Tags,
  group: string,
  method: string,
  url: string,
  name: string,
  status: number,
  expected: boolean | null,
  error: string,
  errorCode: number,
  paramTags: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const tags: Record<string, string> = { ...vuTags, group, method, url, name, status: String(status) };
  // Without a response callback (responseCallback: null) k6 has no expected_response tag.
  if (expected !== null) tags.expected_response = expected ? 'true' : 'false';
  // k6 tags proto from the response: a request that got none (status 0) has no proto tag.
  if (status !== 0) tags.proto = 'HTTP/1.1';
  // k6 tags `error` only when there is a message: an HTTP 4xx/5xx has an error_code but no error.
  if (errorCode !== 0) {
    if (error !== '') tags.error = error;
    tags.error_code = String(errorCode);
  }
  if (paramTags !== undefined) Object.assign(tags, paramTags);
  return tags;
}

/** params.tags as a cache key, or null when a value is not a string (then the set is not cached). */
function paramTagsKey(paramTags: Readonly<Record<string, string>>): string | null {
  let key = '';
  for (const name in paramTags) {
    const value: unknown = paramTags[name];
    if (typeof value !== 'string') return null;
    key += `${name}\u0000${value}\u0001`;
  }
  return key;
}

export function requestTags(
  vuTags: Tags,
  group: string,
  method: string,
  url: string,
  name: string,
  status: number,
  expected: boolean | null,
  error: string,
  errorCode: number,
  paramTags: Readonly<Record<string, string>> | undefined,
): Tags {
  const paramKey = paramTags === undefined ? '' : paramTagsKey(paramTags);
  if (paramKey === null) return buildRequestTags(vuTags, group, method, url, name, status, expected, error, errorCode, paramTags);
  let byUrl = cache.get(vuTags);
  if (byUrl === undefined) {
    byUrl = new Map();
    cache.set(vuTags, byUrl);
  }
  let seen = byUrl.get(url);
  if (seen === undefined) {
    if (byUrl.size >= URLS_PER_VU_TAG_SET) byUrl.clear();
    seen = [];
    byUrl.set(url, seen);
  }
  for (let i = 0; i < seen.length; i++) {
    const s = seen[i];
    if (
      s.status === status &&
      s.method === method &&
      s.name === name &&
      s.group === group &&
      s.expected === expected &&
      s.errorCode === errorCode &&
      s.error === error &&
      s.paramKey === paramKey
    )
      return s.tags;
  }
  if (seen.length >= SETS_PER_URL) seen.length = 0;
  const tags = Object.freeze(buildRequestTags(vuTags, group, method, url, name, status, expected, error, errorCode, paramTags));
  seen.push({ group, method, name, status, expected, errorCode, error, paramKey, tags });
  return tags;
}

/** ip (the server's address) and ocsp_status: system tags k6 adds only when systemTags names them. */
export interface ConnectionTagging {
  readonly ip: boolean;
  readonly ocspStatus: boolean;
}

/** The connection tags a request's samples get, or null when systemTags enables neither (the default). */
export function connectionTagging(systemTags: unknown): ConnectionTagging | null {
  if (!Array.isArray(systemTags)) return null;
  const ip = systemTags.includes('ip');
  const ocspStatus = systemTags.includes('ocsp_status');
  return ip || ocspStatus ? { ip, ocspStatus } : null;
}

const withConnection = new WeakMap<Tags, Map<string, Tags>>();

/**
 * The tags with k6's `ip` (the address the request's connection went to, when it got one) and
 * `ocsp_status` (on a response that came over TLS; k6 asks for no stapled OCSP answer, so it is
 * always "unknown"), each tag set made once per address.
 */
export function withConnectionTags(tags: Tags, tagging: ConnectionTagging, remoteAddress: string, tls: boolean): Tags {
  const ip = tagging.ip ? remoteAddress : '';
  const ocsp = tagging.ocspStatus && tls;
  if (ip === '' && !ocsp) return tags;
  let byKey = withConnection.get(tags);
  if (byKey === undefined) {
    byKey = new Map();
    withConnection.set(tags, byKey);
  }
  const key = ocsp ? `${ip}\u0000ocsp` : ip;
  let tagged = byKey.get(key);
  if (tagged === undefined) {
    const copy: Record<string, string> = { ...tags };
    if (ip !== '') copy.ip = ip;
    if (ocsp) copy.ocsp_status = 'unknown';
    tagged = Object.freeze(copy);
    byKey.set(key, tagged);
  }
  return tagged;
}
