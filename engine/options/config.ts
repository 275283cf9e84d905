// k6's option layers: the script's `options` < K6_* environment variables < CLI flags, and the
// execution shortcuts (vus, duration, iterations, stages) turned into a `default` scenario.
import { validateSummaryOptions } from '../metrics/summary.ts';
import { validateThresholds } from '../metrics/thresholds.ts';
import { parseDuration } from './duration.ts';
import { transportOptionProblems } from '../modules/http/os-limits.ts';
import { readFileSync } from 'node:fs';
import { DEFAULT_SYSTEM_TAGS, K6_OPTIONS, refusedOptionProblems, SHORTCUT_OPTIONS } from './k6-options.ts';
import { normalizeScenario, type Scenario, scenarioProblems } from './scenarios.ts';

export type Options = Record<string, unknown>;

const SHORTCUTS = ['duration', 'iterations', 'stages'] as const;

const envInt = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
const envBool = (v: string) => v === 'true' || v === '1';
const envList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const envString = (v: string) => v;
const envJson = (v: string) => {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

/** `ttl=5m,select=random,policy=preferIPv4` (--dns, K6_DNS) → k6's dns option object. */
export function parseDnsFlag(text: string): Record<string, string> {
  const dns: Record<string, string> = {};
  for (const part of envList(text)) {
    const at = part.indexOf('=');
    dns[at < 0 ? part : part.slice(0, at).trim()] = at < 0 ? '' : part.slice(at + 1).trim();
  }
  return dns;
}

/** The K6_* variables of k6's options and run settings, with how each is read. */
const ENV_OPTIONS: Record<string, [string, (v: string) => unknown]> = {
  K6_VUS: ['vus', envInt],
  K6_DURATION: ['duration', envString],
  K6_ITERATIONS: ['iterations', envInt],
  K6_STAGES: ['stages', (v) => parseStagesFlag(v)],
  K6_PAUSED: ['paused', envBool],
  K6_EXECUTION_SEGMENT: ['executionSegment', envString],
  K6_EXECUTION_SEGMENT_SEQUENCE: ['executionSegmentSequence', envString],
  K6_NO_SETUP: ['noSetup', envBool],
  K6_SETUP_TIMEOUT: ['setupTimeout', envString],
  K6_NO_TEARDOWN: ['noTeardown', envBool],
  K6_TEARDOWN_TIMEOUT: ['teardownTimeout', envString],
  K6_RPS: ['rps', envInt],
  K6_DNS: ['dns', parseDnsFlag],
  K6_MAX_REDIRECTS: ['maxRedirects', envInt],
  K6_USER_AGENT: ['userAgent', envString],
  K6_BATCH: ['batch', envInt],
  K6_BATCH_PER_HOST: ['batchPerHost', envInt],
  K6_HTTP_DEBUG: ['httpDebug', envString],
  K6_INSECURE_SKIP_TLS_VERIFY: ['insecureSkipTLSVerify', envBool],
  K6_TLS_CIPHER_SUITES: ['tlsCipherSuites', envList],
  K6_TLS_VERSION: ['tlsVersion', envJson],
  K6_THROW: ['throw', envBool],
  K6_BLACKLIST_IPS: ['blacklistIPs', envList],
  K6_BLOCK_HOSTNAMES: ['blockHostnames', envList],
  K6_HOSTS: ['hosts', envJson],
  K6_NO_CONNECTION_REUSE: ['noConnectionReuse', envBool],
  K6_NO_VU_CONNECTION_REUSE: ['noVUConnectionReuse', envBool],
  K6_MIN_ITERATION_DURATION: ['minIterationDuration', envString],
  K6_SUMMARY_TREND_STATS: ['summaryTrendStats', envList],
  K6_SUMMARY_TIME_UNIT: ['summaryTimeUnit', envString],
  K6_SYSTEM_TAGS: ['systemTags', envList],
  K6_METRIC_SAMPLES_BUFFER_SIZE: ['metricSamplesBufferSize', envInt],
  K6_NO_COOKIES_RESET: ['noCookiesReset', envBool],
  K6_DISCARD_RESPONSE_BODIES: ['discardResponseBodies', envBool],
  K6_CONSOLE_OUTPUT: ['consoleOutput', envString],
  K6_LOCAL_IPS: ['localIPs', envString],
  K6_NO_THRESHOLDS: ['noThresholds', envBool],
  K6_NO_SUMMARY: ['noSummary', envBool],
  K6_SUMMARY_MODE: ['summaryMode', envString],
};

/** What k6's JSON config file (`-c/--config`) holds for a run: options, and the outputs of its `out` key. */
export interface ConfigFile {
  /** The k6 options in the file: the lowest layer, below the script's `options`. */
  options: Options;
  /** `"out": ["json=FILE", …]`: used when neither --out nor K6_OUT is given, as k6. */
  out: string[];
}

const CONFIG_FILE_OPTIONS = new Set([...K6_OPTIONS.map((o) => o.name), ...SHORTCUT_OPTIONS.map((o) => o.name)]);

/**
 * Reads k6's config file. As k6, keys that are neither options nor `out` (k6's own settings, e.g.
 * `collectors`, `noUsageReport`) are ignored, and a file that cannot be read or parsed is an error
 * (k6 exits 104 with this message); `"linger": true` is refused, as the --linger flag is.
 */
export function readConfigFile(file: string): ConfigFile {
  const fail = (why: string) => new Error(`failed to load the configuration file from the local file system: ${why}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? `stat ${file}: no such file or directory` : (error as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw fail(`couldn't parse the configuration from "${file}": ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw fail(`couldn't parse the configuration from "${file}": it is not a JSON object`);
  if (parsed.linger === true) throw fail(`"linger": k6's REST API is kept alive by it; the embedded engine has no REST API`);
  const out = parsed.out;
  if (out !== undefined && out !== null && (!Array.isArray(out) || out.some((o) => typeof o !== 'string')))
    throw fail(`couldn't parse the configuration from "${file}": "out" must be a list of output specs`);
  const options: Options = {};
  for (const [key, value] of Object.entries(parsed)) if (CONFIG_FILE_OPTIONS.has(key) && value !== null) options[key] = value;
  return { options, out: (out as string[] | undefined) ?? [] };
}

/** `--stages 30s:10,1m:0` (and K6_STAGES). */
export function parseStagesFlag(text: string): { duration: string; target: number }[] {
  return text.split(',').map((part) => {
    const [duration, target] = part.split(':');
    return { duration: duration.trim(), target: target === undefined ? Number.NaN : Number(target) };
  });
}

export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>): Options {
  const options: Options = {};
  for (const [name, [key, parse]] of Object.entries(ENV_OPTIONS)) {
    const value = env[name];
    if (value !== undefined && value !== '') options[key] = parse(value);
  }
  return options;
}

const hasShortcut = (layer: Options) => SHORTCUTS.some((key) => layer[key] !== undefined);

/**
 * Later layers win. A layer that sets an execution shortcut replaces the scenarios and shortcuts of
 * the layers below it, and a layer that sets `scenarios` replaces their shortcuts, as in k6.
 */
export function mergeOptions(...layers: Options[]): Options {
  let merged: Options = {};
  for (const layer of layers) {
    const clean = Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined));
    if (hasShortcut(clean)) {
      const { scenarios: _s, duration: _d, iterations: _i, stages: _st, ...rest } = merged;
      merged = rest;
    } else if (clean.scenarios !== undefined) {
      const { duration: _d, iterations: _i, stages: _st, ...rest } = merged;
      merged = rest;
    }
    merged = { ...merged, ...clean };
  }
  return merged;
}

/**
 * The layers (by k6's level names: "config", "script", "env", "cli") whose execution shortcut replaced
 * `scenarios` set below them: k6 warns `"<level>" level configuration overrode scenarios configuration entirely`.
 */
export function scenarioOverridingLevels(layers: readonly (readonly [level: string, options: Options])[]): string[] {
  const levels: string[] = [];
  let hasScenarios = false;
  for (const [level, layer] of layers) {
    if (hasShortcut(layer)) {
      if (hasScenarios) levels.push(level);
      hasScenarios = false;
    } else if (layer.scenarios !== undefined) hasScenarios = true;
  }
  return levels;
}

/** The raw scenarios after the shortcuts: what k6 calls the derived execution config. */
export function deriveScenarios(options: Options): Record<string, Record<string, unknown>> {
  const vus = options.vus as number | undefined;
  if (options.iterations !== undefined) {
    const scenario: Record<string, unknown> = { executor: 'shared-iterations', vus: vus ?? 1, iterations: options.iterations };
    if (options.duration !== undefined) scenario.maxDuration = options.duration;
    return { default: scenario };
  }
  if (options.stages !== undefined) return { default: { executor: 'ramping-vus', startVUs: vus ?? 1, stages: options.stages } };
  if (options.duration !== undefined) return { default: { executor: 'constant-vus', vus: vus ?? 1, duration: options.duration } };
  if (options.scenarios !== undefined) return options.scenarios as Record<string, Record<string, unknown>>;
  return { default: { executor: 'per-vu-iterations', vus: vus ?? 1, iterations: 1 } };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** k6 option validation as `k6 run` does it before starting (exit 104). Empty when valid. */
export function validateOptions(options: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!isPlainObject(options)) return ['options must be an object'];
  const { vus, duration, iterations, stages, scenarios } = options;
  if (vus !== undefined && (typeof vus !== 'number' || !Number.isInteger(vus) || vus < 0)) {
    problems.push(`vus must be a non-negative integer, got ${JSON.stringify(vus)}`);
  }
  if (iterations !== undefined && (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 1)) {
    problems.push(`iterations must be a positive integer, got ${JSON.stringify(iterations)}`);
  }
  for (const key of ['duration', 'setupTimeout', 'teardownTimeout']) {
    if (options[key] === undefined) continue;
    try {
      parseDuration(options[key] as string);
    } catch (error) {
      problems.push(`${key}: ${(error as Error).message}`);
    }
  }
  if (stages !== undefined && (duration !== undefined || iterations !== undefined)) {
    problems.push('using multiple execution config shortcuts (stages together with duration or iterations) simultaneously is not allowed');
  }
  if (scenarios !== undefined && (stages !== undefined || duration !== undefined || iterations !== undefined)) {
    problems.push(
      'using an execution configuration shortcut (vus/duration/iterations/stages) and "scenarios" simultaneously is not allowed',
    );
  }
  if (scenarios !== undefined && !isPlainObject(scenarios)) problems.push('scenarios must be an object of named scenarios');
  const shortcutsValid = typeof vus !== 'number' || (Number.isInteger(vus) && vus >= 0);
  if (
    (shortcutsValid || scenarios !== undefined) &&
    !problems.some(
      (p) =>
        p.includes('simultaneously') ||
        p.startsWith('scenarios') ||
        (scenarios === undefined && (p.startsWith('iterations') || p.startsWith('duration'))),
    )
  ) {
    const raw = deriveScenarios(options);
    if (Object.keys(raw).length === 0) problems.push('scenarios: no scenario defined');
    for (const [name, scenario] of Object.entries(raw)) problems.push(...scenarioProblems(name, scenario));
    if (vus === 0 && options.scenarios === undefined && (duration !== undefined || iterations !== undefined)) {
      problems.push('vus must be more than 0 when duration or iterations is set');
    }
  }
  if (options.thresholds !== undefined) problems.push(...validateThresholds(options.thresholds));
  problems.push(...validateSummaryOptions(options));
  if (options.tags !== undefined && (!isPlainObject(options.tags) || Object.values(options.tags).some((v) => typeof v !== 'string'))) {
    problems.push('tags must be an object of string values');
  }
  if (options.maxRedirects !== undefined && (typeof options.maxRedirects !== 'number' || options.maxRedirects < 0)) {
    problems.push(`maxRedirects must be a non-negative integer, got ${JSON.stringify(options.maxRedirects)}`);
  }
  problems.push(...engineOptionProblems(options), ...refusedOptionProblems(options), ...transportOptionProblems(options));
  return problems;
}

/** Every system tag k6 knows; the ones not in DEFAULT_SYSTEM_TAGS are off unless systemTags names them. */
export const SYSTEM_TAGS = new Set([...DEFAULT_SYSTEM_TAGS, 'vu', 'iter', 'ip', 'ocsp_status']);
const SUMMARY_MODES = ['compact', 'full', 'disabled', 'legacy'];

function engineOptionProblems(options: Options): string[] {
  const problems: string[] = [];
  const isInt = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
  for (const key of ['minIterationDuration']) {
    if (options[key] === undefined || options[key] === null) continue;
    try {
      parseDuration(options[key] as string);
    } catch (error) {
      problems.push(`${key}: ${(error as Error).message}`);
    }
  }
  if (options.rps !== undefined && options.rps !== null && !isInt(options.rps, 0))
    problems.push(`rps must be a non-negative integer, got ${JSON.stringify(options.rps)}`);
  for (const key of ['batch', 'batchPerHost', 'metricSamplesBufferSize']) {
    if (options[key] !== undefined && options[key] !== null && !isInt(options[key], 0))
      problems.push(`${key} must be a non-negative integer, got ${JSON.stringify(options[key])}`);
  }
  for (const key of [
    'noSetup',
    'noTeardown',
    'noConnectionReuse',
    'noVUConnectionReuse',
    'discardResponseBodies',
    'insecureSkipTLSVerify',
    'throw',
    'noCookiesReset',
    'noThresholds',
    'noSummary',
  ]) {
    if (options[key] !== undefined && options[key] !== null && typeof options[key] !== 'boolean')
      problems.push(`${key} must be true or false, got ${JSON.stringify(options[key])}`);
  }
  const systemTags = options.systemTags;
  if (systemTags !== undefined && systemTags !== null) {
    if (!Array.isArray(systemTags) || systemTags.some((t) => typeof t !== 'string'))
      problems.push('systemTags must be a list of tag names');
    else {
      for (const tag of systemTags)
        if (!SYSTEM_TAGS.has(tag)) problems.push(`systemTags: unknown system tag "${tag}" (known: ${[...SYSTEM_TAGS].join(', ')})`);
    }
  }
  if (options.consoleOutput !== undefined && options.consoleOutput !== null && typeof options.consoleOutput !== 'string')
    problems.push('consoleOutput must be a file name');
  if (options.summaryMode !== undefined && !SUMMARY_MODES.includes(options.summaryMode as string)) {
    problems.push(`invalid summary mode ${JSON.stringify(options.summaryMode)}, use one of: ${SUMMARY_MODES.join(', ')}`);
  }
  return problems;
}

/** Valid options (see validateOptions) → normalised scenarios, in declaration order. */
export function scenariosOf(options: Options): Scenario[] {
  return Object.entries(deriveScenarios(options)).map(([name, raw]) => normalizeScenario(name, raw));
}
