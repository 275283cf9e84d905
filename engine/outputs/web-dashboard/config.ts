// The web dashboard's settings with k6's names and defaults (xk6-dashboard, built into k6 ≥ 0.49):
// K6_WEB_DASHBOARD_{HOST,PORT,PERIOD,OPEN,EXPORT}, overridden by `--out web-dashboard=port=0&period=2s`.
import { isLoopbackHost } from '../../loopback.ts';
import { parseDuration } from '../../options/duration.ts';
import { parseBool } from '../prometheus-rw/config.ts';
import { InvalidConfigError } from '../../errors.ts';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 5665;
export const DEFAULT_PERIOD_MS = 10_000;
/** Not a k6 setting: a listening address off loopback must be asked for by name. */
export const EXPOSE_ENV = 'LOADLAB_WEB_DASHBOARD_EXPOSE';

export interface ServiceEndpoint {
  /** Shown on the page, e.g. identity or 127.0.0.1:9100. */
  readonly service: string;
  /** The Prometheus text endpoint, e.g. http://127.0.0.1:7101/metrics. */
  readonly url: string;
}

export interface WebDashboardConfig {
  readonly host: string;
  /** 0 picks a free port; -1 serves nothing (export only), as in k6. */
  readonly port: number;
  readonly periodMs: number;
  readonly open: boolean;
  /** '' when no report file is written. */
  readonly exportPath: string;
  readonly serviceMetrics: readonly ServiceEndpoint[];
}

type Env = Readonly<Record<string, string | undefined>>;

export class WebDashboardConfigError extends InvalidConfigError {
  override name = 'WebDashboardConfigError';
}

const OPTION_ENV: Readonly<Record<string, string>> = {
  host: 'K6_WEB_DASHBOARD_HOST',
  port: 'K6_WEB_DASHBOARD_PORT',
  period: 'K6_WEB_DASHBOARD_PERIOD',
  open: 'K6_WEB_DASHBOARD_OPEN',
  export: 'K6_WEB_DASHBOARD_EXPORT',
  expose: EXPOSE_ENV,
};

/** K6_WEB_DASHBOARD is a null.Bool in k6: only true and false, anything else stops the run. */
export function webDashboardEnabled(env: Env): boolean {
  const text = env.K6_WEB_DASHBOARD;
  if (text === undefined || text === '') return false;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new WebDashboardConfigError(`K6_WEB_DASHBOARD: '${text}' is not a boolean (use true or false)`);
}

/** `port=0&period=2s` (the form k6 takes after `--out web-dashboard=`) → option values. */
function parseArgument(argument: string): Record<string, string> {
  const values: Record<string, string> = {};
  if (argument.trim() === '') return values;
  for (const [key, value] of new URLSearchParams(argument)) {
    if (!(key in OPTION_ENV)) {
      throw new WebDashboardConfigError(
        `--out web-dashboard: unknown option '${key}' (options: ${Object.keys(OPTION_ENV).join(', ')}; e.g. web-dashboard=port=0&period=2s)`,
      );
    }
    values[key] = value;
  }
  return values;
}

function parsePort(text: string, where: string): number {
  if (!/^-?\d+$/.test(text.trim()))
    throw new WebDashboardConfigError(`${where}: '${text}' is not a port number (0 picks a free port, -1 serves no page)`);
  const port = Number(text);
  if (port < -1 || port > 65535) throw new WebDashboardConfigError(`${where}: ${port} is outside -1…65535`);
  return port;
}

function parsePeriod(text: string, where: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new WebDashboardConfigError(`${where}: '${text}' is not a duration (e.g. 10s, 2s, 500ms)`);
  }
  if (ms < 100) throw new WebDashboardConfigError(`${where}: ${text} is too short; the dashboard aggregates at least 100ms at a time`);
  return ms;
}

/**
 * `identity=http://127.0.0.1:7101` or `http://127.0.0.1:9100/metrics`: a base URL without a path
 * means its /metrics, the name defaults to host:port.
 */
export function parseServiceEndpoint(spec: string, allowRemote: boolean): ServiceEndpoint {
  const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(spec.trim());
  const urlText = match ? match[2] : spec.trim();
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new WebDashboardConfigError(
      `--service-metrics: '${spec}' is not a URL (e.g. http://127.0.0.1:7101/metrics or identity=http://127.0.0.1:7101)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebDashboardConfigError(`--service-metrics: '${spec}' must be an http:// or https:// URL`);
  }
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    throw new WebDashboardConfigError(
      `--service-metrics: ${url.host} is not a loopback address; scraping another machine needs --allow-remote`,
    );
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/metrics';
  return { service: match ? match[1] : url.host, url: url.href };
}

/** Reads env and the `--out` argument (the argument wins); throws WebDashboardConfigError on anything invalid. */
export function readWebDashboardConfig(
  env: Env,
  argument: string,
  serviceMetrics: readonly string[] = [],
  allowRemote = false,
): WebDashboardConfig {
  const fromArgument = parseArgument(argument);
  const value = (option: string): { text: string; where: string } | undefined => {
    if (fromArgument[option] !== undefined) return { text: fromArgument[option], where: `--out web-dashboard ${option}` };
    const name = OPTION_ENV[option];
    const text = env[name];
    return text === undefined || text === '' ? undefined : { text, where: name };
  };
  const host = value('host')?.text ?? DEFAULT_HOST;
  const port = value('port');
  const period = value('period');
  const open = value('open');
  const expose = value('expose');
  const config: WebDashboardConfig = {
    host,
    port: port ? parsePort(port.text, port.where) : DEFAULT_PORT,
    periodMs: period ? parsePeriod(period.text, period.where) : DEFAULT_PERIOD_MS,
    open: open ? boolean(open.text, open.where) : false,
    exportPath: value('export')?.text ?? '',
    serviceMetrics: serviceMetrics.map((spec) => parseServiceEndpoint(spec, allowRemote)),
  };
  const exposed = expose ? boolean(expose.text, expose.where) : false;
  if (config.port !== -1 && !exposed && !isLoopbackHost(host)) {
    throw new WebDashboardConfigError(
      `web dashboard host '${host}' is not a loopback address: the page shows the test's targets and results to anyone who can reach it. ` +
        `Serve it off this machine on purpose with ${EXPOSE_ENV}=true (or --out 'web-dashboard=host=${host}&expose=true')`,
    );
  }
  return config;
}

function boolean(text: string, where: string): boolean {
  try {
    return parseBool(where, text) ?? false;
  } catch (error) {
    throw new WebDashboardConfigError((error as Error).message);
  }
}
