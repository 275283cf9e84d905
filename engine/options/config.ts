// k6's option layers: the script's `options` < K6_* environment variables < CLI flags, and the
// execution shortcuts (vus, duration, iterations, stages) turned into a `default` scenario.
import { validateSummaryOptions } from '../metrics/summary.ts';
import { validateThresholds } from '../metrics/thresholds.ts';
import { parseDuration } from './duration.ts';
import { normalizeScenario, type Scenario, scenarioProblems } from './scenarios.ts';

export type Options = Record<string, unknown>;

const SHORTCUTS = ['duration', 'iterations', 'stages'] as const;

const envInt = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
const envBool = (v: string) => v === 'true' || v === '1';
/** The K6_* variables k6 reads for the options the embedded engine implements. */
const ENV_OPTIONS: Record<string, [string, (v: string) => unknown]> = {
  K6_VUS: ['vus', envInt],
  K6_DURATION: ['duration', (v) => v],
  K6_ITERATIONS: ['iterations', envInt],
  K6_STAGES: ['stages', parseStagesFlag],
  K6_NO_THRESHOLDS: ['noThresholds', envBool],
  K6_DISCARD_RESPONSE_BODIES: ['discardResponseBodies', envBool],
  K6_MAX_REDIRECTS: ['maxRedirects', envInt],
  K6_USER_AGENT: ['userAgent', (v) => v],
  K6_INSECURE_SKIP_TLS_VERIFY: ['insecureSkipTLSVerify', envBool],
  K6_SUMMARY_TREND_STATS: ['summaryTrendStats', (v) => v.split(',').map((s) => s.trim())],
  K6_SUMMARY_TIME_UNIT: ['summaryTimeUnit', (v) => v],
  K6_SETUP_TIMEOUT: ['setupTimeout', (v) => v],
  K6_TEARDOWN_TIMEOUT: ['teardownTimeout', (v) => v],
  K6_NO_CONNECTION_REUSE: ['noConnectionReuse', envBool],
  K6_THROW: ['throw', envBool],
};

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
    problems.push('using an execution configuration shortcut (vus/duration/iterations/stages) and "scenarios" simultaneously is not allowed');
  }
  if (scenarios !== undefined && !isPlainObject(scenarios)) problems.push('scenarios must be an object of named scenarios');
  const shortcutsValid = typeof vus !== 'number' || (Number.isInteger(vus) && vus >= 0);
  if ((shortcutsValid || scenarios !== undefined) && !problems.some((p) => p.includes('simultaneously') || p.startsWith('scenarios') || (scenarios === undefined && (p.startsWith('iterations') || p.startsWith('duration'))))) {
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
  return problems;
}

/** Valid options (see validateOptions) → normalised scenarios, in declaration order. */
export function scenariosOf(options: Options): Scenario[] {
  return Object.entries(deriveScenarios(options)).map(([name, raw]) => normalizeScenario(name, raw));
}
