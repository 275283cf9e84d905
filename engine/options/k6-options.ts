// Every option k6 v1.3 knows, with how the embedded engine treats it: implemented by the engine,
// implemented by the http module (k6/http reads it from thread.options), accepted with nothing to do,
// or refused (exit 104, naming it). Nothing a k6 user sets is ignored silently.
import { lookUpExecutor } from '../executors/registry.ts';
import type { Options } from './config.ts';

export type Support =
  | { kind: 'engine' }
  | { kind: 'http' }
  /** k6 itself gives it no meaning in a local run (e.g. ext: cloud settings). */
  | { kind: 'accepted'; why: string }
  | { kind: 'refused'; why: string };

const engine: Support = { kind: 'engine' };
const http: Support = { kind: 'http' };
const refused = (why: string): Support => ({ kind: 'refused', why });

/** The script options k6 serialises in exec.test.options, in k6's order, with their K6_* variable. */
export const K6_OPTIONS: readonly { name: string; env?: string; support: Support }[] = [
  {
    name: 'paused',
    env: 'K6_PAUSED',
    support: refused("a paused start needs k6's REST API to resume it, which the embedded engine does not have"),
  },
  { name: 'scenarios', support: engine },
  {
    name: 'executionSegment',
    env: 'K6_EXECUTION_SEGMENT',
    support: refused('distributed execution segments: the embedded engine runs the whole test (use --workers for threads)'),
  },
  {
    name: 'executionSegmentSequence',
    env: 'K6_EXECUTION_SEGMENT_SEQUENCE',
    support: refused('distributed execution segments: the embedded engine runs the whole test (use --workers for threads)'),
  },
  { name: 'noSetup', env: 'K6_NO_SETUP', support: engine },
  { name: 'setupTimeout', env: 'K6_SETUP_TIMEOUT', support: engine },
  { name: 'noTeardown', env: 'K6_NO_TEARDOWN', support: engine },
  { name: 'teardownTimeout', env: 'K6_TEARDOWN_TIMEOUT', support: engine },
  { name: 'rps', env: 'K6_RPS', support: http },
  { name: 'dns', env: 'K6_DNS', support: http },
  { name: 'maxRedirects', env: 'K6_MAX_REDIRECTS', support: http },
  { name: 'userAgent', env: 'K6_USER_AGENT', support: http },
  { name: 'batch', env: 'K6_BATCH', support: http },
  { name: 'batchPerHost', env: 'K6_BATCH_PER_HOST', support: http },
  { name: 'httpDebug', env: 'K6_HTTP_DEBUG', support: http },
  { name: 'insecureSkipTLSVerify', env: 'K6_INSECURE_SKIP_TLS_VERIFY', support: http },
  { name: 'tlsCipherSuites', env: 'K6_TLS_CIPHER_SUITES', support: http },
  { name: 'tlsVersion', env: 'K6_TLS_VERSION', support: http },
  { name: 'tlsAuth', support: http },
  { name: 'throw', env: 'K6_THROW', support: http },
  { name: 'thresholds', support: engine },
  {
    name: 'blacklistIPs',
    env: 'K6_BLACKLIST_IPS',
    support: refused(
      'the embedded engine refuses every target outside loopback already; finer IP blocks are not implemented (use --engine k6)',
    ),
  },
  {
    name: 'blockHostnames',
    env: 'K6_BLOCK_HOSTNAMES',
    support: refused(
      'the embedded engine refuses every target outside loopback already; hostname blocks are not implemented (use --engine k6)',
    ),
  },
  { name: 'hosts', env: 'K6_HOSTS', support: http },
  { name: 'noConnectionReuse', env: 'K6_NO_CONNECTION_REUSE', support: http },
  { name: 'noVUConnectionReuse', env: 'K6_NO_VU_CONNECTION_REUSE', support: http },
  { name: 'minIterationDuration', env: 'K6_MIN_ITERATION_DURATION', support: engine },
  { name: 'ext', support: { kind: 'accepted', why: 'k6 reads ext only for Grafana Cloud runs' } },
  { name: 'summaryTrendStats', env: 'K6_SUMMARY_TREND_STATS', support: engine },
  { name: 'summaryTimeUnit', env: 'K6_SUMMARY_TIME_UNIT', support: engine },
  { name: 'systemTags', env: 'K6_SYSTEM_TAGS', support: engine },
  { name: 'tags', support: engine },
  {
    name: 'metricSamplesBufferSize',
    env: 'K6_METRIC_SAMPLES_BUFFER_SIZE',
    support: { kind: 'accepted', why: "the size of k6's internal sample channel; the engine batches samples its own way" },
  },
  { name: 'noCookiesReset', env: 'K6_NO_COOKIES_RESET', support: http },
  { name: 'discardResponseBodies', env: 'K6_DISCARD_RESPONSE_BODIES', support: http },
  { name: 'consoleOutput', env: 'K6_CONSOLE_OUTPUT', support: engine },
  { name: 'localIPs', env: 'K6_LOCAL_IPS', support: http },
];

/** The execution shortcuts, which k6 folds into `scenarios` (exec.test.options has none of them). */
export const SHORTCUT_OPTIONS: readonly { name: string; env: string }[] = [
  { name: 'vus', env: 'K6_VUS' },
  { name: 'duration', env: 'K6_DURATION' },
  { name: 'iterations', env: 'K6_ITERATIONS' },
  { name: 'stages', env: 'K6_STAGES' },
];

/** Run settings that are not script options but reach runTest through the option layers. */
export const RUN_SETTINGS: readonly { name: string; env: string }[] = [
  { name: 'noThresholds', env: 'K6_NO_THRESHOLDS' },
  { name: 'noSummary', env: 'K6_NO_SUMMARY' },
  { name: 'summaryMode', env: 'K6_SUMMARY_MODE' },
];

/** Environment variables of `k6 run` that are not options: implemented by runTest, or refused. */
export const K6_RUN_VARIABLES: Readonly<Record<string, Support>> = {
  K6_OUT: engine,
  K6_SUMMARY_EXPORT: engine,
  K6_NO_USAGE_REPORT: { kind: 'accepted', why: 'the engine reports nothing' },
  K6_NO_COLOR: engine,
  K6_QUIET: engine,
  K6_LOG_OUTPUT: engine,
  K6_INCLUDE_SYSTEM_ENV_VARS: engine,
  K6_COMPATIBILITY_MODE: engine,
  K6_LOG_FORMAT: refused("k6's log formats (json, raw) are not implemented; the engine logs k6's default text format"),
  K6_LINGER: refused("--linger keeps k6's REST API alive; the embedded engine has no REST API"),
  K6_ADDRESS: refused('the embedded engine has no REST API'),
  K6_PROFILING_ENABLED: refused('the embedded engine has no pprof endpoints (use node --inspect)'),
  K6_TRACES_OUTPUT: engine,
  K6_SECRET_SOURCE: refused('k6/secrets sources are not implemented'),
  K6_TYPE: engine,
  K6_LOCAL_EXECUTION: refused('cloud execution is not part of the embedded engine'),
};

const KNOWN = new Map(K6_OPTIONS.map((o) => [o.name, o]));
const OTHER_NAMES = new Set([...SHORTCUT_OPTIONS.map((o) => o.name), ...RUN_SETTINGS.map((o) => o.name)]);

export function optionSupport(name: string): Support | undefined {
  return KNOWN.get(name)?.support;
}

/** Options k6 knows and the engine refuses, set in `options` (each a problem: exit 104). */
export function refusedOptionProblems(options: Options): string[] {
  const problems: string[] = [];
  for (const option of K6_OPTIONS) {
    if (option.support.kind !== 'refused') continue;
    const value = options[option.name];
    if (value === undefined || value === null || value === false || (Array.isArray(value) && value.length === 0)) continue;
    problems.push(`option "${option.name}" is not supported by the embedded engine: ${option.support.why}`);
  }
  return problems;
}

/** Keys k6 does not know (k6 warns about them and runs). */
export function unknownOptionKeys(options: Options): string[] {
  return Object.keys(options).filter((key) => !KNOWN.has(key) && !OTHER_NAMES.has(key));
}

/** K6_* variables of k6 run that the engine refuses, set in `env`. */
export function refusedVariableProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  for (const [name, support] of Object.entries(K6_RUN_VARIABLES)) {
    if (support.kind === 'refused' && env[name] !== undefined && env[name] !== '' && env[name] !== 'false') {
      problems.push(`${name} is not supported by the embedded engine: ${support.why}`);
    }
  }
  return problems;
}

/** The K6_* run variables the engine refuses, or whose value it refuses (exit 104). */
export function runVariableProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const problems = refusedVariableProblems(env);
  const traces = env.K6_TRACES_OUTPUT;
  if (traces && traces !== 'none') problems.push(`K6_TRACES_OUTPUT=${traces} is not supported by the embedded engine: it emits no traces`);
  if (env.K6_TYPE && env.K6_TYPE !== 'js')
    problems.push(`K6_TYPE=${env.K6_TYPE} is not supported by the embedded engine: it runs scripts, not k6 archives`);
  const mode = env.K6_COMPATIBILITY_MODE;
  if (mode && mode !== 'extended')
    problems.push(`K6_COMPATIBILITY_MODE=${mode} is not supported by the embedded engine: scripts run as k6's "extended" mode`);
  return problems;
}

const COMMON_SCENARIO_FIELDS = ['executor', 'startTime', 'gracefulStop', 'env', 'exec', 'tags'];
const optionKeysOf = (executor: unknown): readonly string[] => {
  const lookup = lookUpExecutor(executor);
  return lookup.kind === 'supported' ? lookup.definition.optionKeys : [];
};
const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
export const DEFAULT_SYSTEM_TAGS = [
  'check',
  'error',
  'error_code',
  'expected_response',
  'group',
  'method',
  'name',
  'proto',
  'scenario',
  'service',
  'status',
  'subproto',
  'tls_version',
  'url',
];

/**
 * exec.test.options as k6 gives it: every option, `null` where unset, the shortcuts folded into
 * `scenarios` (each scenario with all its executor's fields), the summary and system tag defaults.
 */
export function consolidatedOptions(merged: Options, rawScenarios: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const value = (v: unknown) => (v === undefined ? null : v);
  for (const { name } of K6_OPTIONS) {
    if (name === 'scenarios') {
      result.scenarios = Object.fromEntries(
        Object.entries(rawScenarios).map(([scenarioName, raw]) => {
          const fields = [...COMMON_SCENARIO_FIELDS, ...optionKeysOf(raw.executor)];
          return [scenarioName, Object.fromEntries(fields.map((f) => [f, value(raw[f])]))];
        }),
      );
    } else if (name === 'dns') {
      const dns = (merged.dns ?? {}) as Record<string, unknown>;
      result.dns = { ttl: value(dns.ttl), select: value(dns.select), policy: value(dns.policy) };
    } else if (name === 'summaryTrendStats') {
      result.summaryTrendStats = merged.summaryTrendStats ?? DEFAULT_TREND_STATS;
    } else if (name === 'systemTags') {
      result.systemTags = merged.systemTags ?? DEFAULT_SYSTEM_TAGS;
    } else {
      result[name] = value(merged[name]);
    }
  }
  return JSON.parse(JSON.stringify(result));
}
