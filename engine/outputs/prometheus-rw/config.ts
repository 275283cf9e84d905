// The output's settings, read from k6's K6_PROMETHEUS_RW_* environment variables with k6's
// defaults, so the same environment configures real k6 and the embedded engine alike.

import { isLoopbackHost } from '../../loopback.ts';
import { parseDuration } from '../../options/duration.ts';
import { parseTrendStats, type TrendStat, DEFAULT_TREND_STATS } from './trend-stats.ts';

export const DEFAULT_SERVER_URL = 'http://localhost:9090/api/v1/write';
const DEFAULT_PUSH_INTERVAL_MS = 5000;
/** k6's remote-write client timeout. */
export const REQUEST_TIMEOUT_MS = 5000;

export interface RemoteWriteConfig {
  readonly serverUrl: URL;
  readonly pushIntervalMs: number;
  readonly trendStats: readonly TrendStat[];
  readonly trendAsNativeHistogram: boolean;
  readonly staleMarkers: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** K6_PROMETHEUS_RW_LABELS: added to every series unless a tag of the same name is present. */
  readonly staticLabels: Readonly<Record<string, string>>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** k6 durations ('5s', '1m30s', '500ms') or a bare number of milliseconds. */
function parseInterval(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  try {
    return parseDuration(text);
  } catch {
    throw new Error(`K6_PROMETHEUS_RW_PUSH_INTERVAL: '${text}' is not a duration (e.g. 5s, 500ms, 1m)`);
  }
}

/** Go's strconv.ParseBool, which k6 uses for these variables. */
export function parseBool(name: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new Error(`${name}: '${text}' is not a boolean (true or false)`);
}

function parseHeaders(env: Env): Record<string, string> {
  const headers: Record<string, string> = {};
  const prefix = 'K6_PROMETHEUS_RW_HEADERS_';
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(prefix) && value !== undefined) headers[key.slice(prefix.length)] = value;
  }
  const list = env.K6_PROMETHEUS_RW_HTTP_HEADERS;
  if (list !== undefined) {
    for (const pair of list.split(',')) {
      const parts = pair.split(':');
      if (parts.length !== 2) {
        throw new Error(`K6_PROMETHEUS_RW_HTTP_HEADERS: the header '${pair}' is not in the form <key>:<value>`);
      }
      headers[parts[0]] = parts[1];
    }
  }
  const user = env.K6_PROMETHEUS_RW_USERNAME;
  if (user !== undefined) {
    const password = env.K6_PROMETHEUS_RW_PASSWORD ?? '';
    headers.Authorization = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  }
  const token = env.K6_PROMETHEUS_RW_BEARER_TOKEN;
  if (token) headers.Authorization = 'Bearer ' + token;
  return headers;
}

function parseStaticLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at < 0) throw new Error(`K6_PROMETHEUS_RW_LABELS: '${pair}' is not in the form key=value`);
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    // k6 ignores empty names and values and never lets a static label replace the metric name.
    if (name && value && name !== '__name__') labels[name] = value;
  }
  return labels;
}

const UNSUPPORTED = [
  'K6_PROMETHEUS_RW_SIGV4_REGION',
  'K6_PROMETHEUS_RW_CLIENT_CERTIFICATE',
  'K6_PROMETHEUS_RW_CLIENT_CERTIFICATE_KEY',
  'K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY',
  'K6_PROMETHEUS_RW_TLS_MINIMUM_VERSION',
];

/**
 * Reads the configuration; throws a specific message for anything invalid, including a
 * non-loopback endpoint when the run does not allow remote targets.
 */
export function readConfig(env: Env, allowRemoteTargets: boolean): RemoteWriteConfig {
  for (const name of UNSUPPORTED) {
    if (env[name] !== undefined) {
      throw new Error(`${name} is not supported by the embedded engine's remote-write output; use --engine k6 for it`);
    }
  }
  const urlText = env.K6_PROMETHEUS_RW_SERVER_URL ?? DEFAULT_SERVER_URL;
  let serverUrl: URL;
  try {
    serverUrl = new URL(urlText);
  } catch {
    throw new Error(`K6_PROMETHEUS_RW_SERVER_URL: '${urlText}' is not a URL`);
  }
  if (serverUrl.protocol !== 'http:' && serverUrl.protocol !== 'https:') {
    throw new Error(`K6_PROMETHEUS_RW_SERVER_URL: '${urlText}' must be http:// or https://`);
  }
  if (!allowRemoteTargets && !isLoopbackHost(serverUrl.hostname)) {
    throw new Error(
      `K6_PROMETHEUS_RW_SERVER_URL: '${serverUrl.host}' is not a loopback address; ` +
        'remote-write targets off this machine need the run to allow remote targets (loadlab run --allow-remote)',
    );
  }
  const pushIntervalMs =
    env.K6_PROMETHEUS_RW_PUSH_INTERVAL === undefined ? DEFAULT_PUSH_INTERVAL_MS : parseInterval(env.K6_PROMETHEUS_RW_PUSH_INTERVAL);
  if (!(pushIntervalMs > 0)) throw new Error('K6_PROMETHEUS_RW_PUSH_INTERVAL must be above zero');
  return {
    serverUrl,
    pushIntervalMs,
    trendStats: parseTrendStats(env.K6_PROMETHEUS_RW_TREND_STATS ?? DEFAULT_TREND_STATS),
    trendAsNativeHistogram:
      parseBool('K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM', env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM) ?? false,
    staleMarkers: parseBool('K6_PROMETHEUS_RW_STALE_MARKERS', env.K6_PROMETHEUS_RW_STALE_MARKERS) ?? false,
    headers: parseHeaders(env),
    staticLabels: parseStaticLabels(env.K6_PROMETHEUS_RW_LABELS),
  };
}
