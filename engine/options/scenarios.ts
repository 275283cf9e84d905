// Scenario configuration as k6 reads it: the scenario name and the fields every executor has are
// checked here; the executor's own fields, defaults and rules come from its module through the
// executor registry (engine/executors/registry.ts). One pass validates and builds the typed scenario.
import { type ScenarioBase, ScenarioFields } from '../executors/executor.ts';
import { EXECUTOR_NAMES, lookUpExecutor, type Scenario } from '../executors/registry.ts';

export type { ConstantArrivalRateScenario } from '../executors/constant-arrival-rate.ts';
export type { ConstantVusScenario } from '../executors/constant-vus.ts';
export type { Stage } from '../executors/executor.ts';
export type { PerVuIterationsScenario } from '../executors/per-vu-iterations.ts';
export type { RampingArrivalRateScenario } from '../executors/ramping-arrival-rate.ts';
export type { RampingVusScenario } from '../executors/ramping-vus.ts';
export type { ExecutorName, Scenario } from '../executors/registry.ts';
export type { SharedIterationsScenario } from '../executors/shared-iterations.ts';

/** The option keys every scenario may set, whatever its executor. */
const COMMON_SCENARIO_KEYS = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags'] as const;

export type ParsedScenario = { scenario: Scenario; problems: [] } | { scenario: null; problems: string[] };

/** A raw scenario of the options → the typed scenario with k6's defaults, or its problems (k6's wording where k6 has one). */
export function parseScenario(name: string, raw: unknown): ParsedScenario {
  const where = `scenario "${name}"`;
  const invalid = (...problems: string[]): ParsedScenario => ({ scenario: null, problems });
  if (!/^[0-9A-Za-z_-]+$/.test(name)) return invalid(`${where}: invalid name, use only letters, digits, '_' and '-'`);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return invalid(`${where}: must be an object`);
  const s = raw as Record<string, unknown>;
  const lookup = lookUpExecutor(s.executor);
  if (lookup.kind === 'refused') return invalid(`${where}: executor "${s.executor}" ${lookup.refusal}`);
  if (lookup.kind === 'unknown') {
    return invalid(`${where}: unknown executor ${JSON.stringify(s.executor)}; supported: ${EXECUTOR_NAMES.join(', ')}`);
  }
  const executor = lookup.definition;
  const fields = new ScenarioFields(where, s);
  const allowed = new Set<string>([...COMMON_SCENARIO_KEYS, ...executor.requiredKeys, ...executor.optionKeys]);
  for (const key of Object.keys(s)) {
    if (!allowed.has(key)) fields.problem(`unknown field "${key}" for executor ${executor.name} (allowed: ${[...allowed].join(', ')})`);
  }
  for (const key of executor.requiredKeys) {
    if (s[key] === undefined) fields.problem(`executor ${executor.name} requires "${key}"`);
  }
  const base: Omit<ScenarioBase, 'executor'> = {
    name,
    startTimeMs: fields.duration('startTime', 0),
    gracefulStopMs: fields.duration('gracefulStop', 30_000),
    exec: 'default',
    execExplicit: s.exec !== undefined,
    env: stringRecord(fields, 'env'),
    tags: stringRecord(fields, 'tags'),
  };
  if (s.exec !== undefined && typeof s.exec !== 'string') fields.problem('exec must be the name of an exported function');
  else if (s.exec !== undefined) base.exec = s.exec as string;
  const own = executor.parse(fields);
  if (fields.problems.length > 0) return invalid(...fields.problems);
  return { scenario: { ...base, ...own } as Scenario, problems: [] };
}

function stringRecord(fields: ScenarioFields, key: 'env' | 'tags'): Record<string, string> {
  const value = fields.raw[key];
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((x) => typeof x !== 'string')) {
    fields.problem(`${key} must be an object of string values`);
    return {};
  }
  return { ...(value as Record<string, string>) };
}

/** Problems in one raw scenario; empty when it is valid. */
export function scenarioProblems(name: string, raw: unknown): string[] {
  return parseScenario(name, raw).problems;
}

/** A valid raw scenario (see scenarioProblems) with k6's defaults filled in; throws on an invalid one. */
export function normalizeScenario(name: string, raw: Record<string, unknown>): Scenario {
  const parsed = parseScenario(name, raw);
  if (parsed.scenario === null) throw new Error(`invalid scenario options:\n${parsed.problems.join('\n')}`);
  return parsed.scenario;
}
