// Scenario configuration as k6 reads it: the executors, their fields and defaults, and the
// execution shortcuts (vus/duration/iterations/stages) that become a `default` scenario.
import { parseDuration } from './duration.ts';

export const EXECUTORS = [
  'shared-iterations',
  'per-vu-iterations',
  'constant-vus',
  'ramping-vus',
  'constant-arrival-rate',
  'ramping-arrival-rate',
] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

export interface Stage {
  durationMs: number;
  target: number;
}

interface ScenarioBase {
  name: string;
  executor: ExecutorName;
  startTimeMs: number;
  gracefulStopMs: number;
  exec: string;
  env: Record<string, string>;
  tags: Record<string, string>;
}
export interface SharedIterationsScenario extends ScenarioBase {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface PerVuIterationsScenario extends ScenarioBase {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface ConstantVusScenario extends ScenarioBase {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
}
export interface RampingVusScenario extends ScenarioBase {
  executor: 'ramping-vus';
  startVUs: number;
  stages: Stage[];
  gracefulRampDownMs: number;
}
export interface ConstantArrivalRateScenario extends ScenarioBase {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnitMs: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
}
export interface RampingArrivalRateScenario extends ScenarioBase {
  executor: 'ramping-arrival-rate';
  startRate: number;
  timeUnitMs: number;
  stages: Stage[];
  preAllocatedVUs: number;
  maxVUs: number;
}
export type Scenario =
  | SharedIterationsScenario
  | PerVuIterationsScenario
  | ConstantVusScenario
  | RampingVusScenario
  | ConstantArrivalRateScenario
  | RampingArrivalRateScenario;

type Raw = Record<string, unknown>;

const COMMON_FIELDS = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags'];
export const EXECUTOR_FIELDS: Record<ExecutorName, { required: string[]; optional: string[] }> = {
  'shared-iterations': { required: [], optional: ['vus', 'iterations', 'maxDuration'] },
  'per-vu-iterations': { required: [], optional: ['vus', 'iterations', 'maxDuration'] },
  'constant-vus': { required: ['duration'], optional: ['vus'] },
  'ramping-vus': { required: ['stages'], optional: ['startVUs', 'gracefulRampDown'] },
  'constant-arrival-rate': { required: ['rate', 'duration', 'preAllocatedVUs'], optional: ['timeUnit', 'maxVUs'] },
  'ramping-arrival-rate': { required: ['stages', 'preAllocatedVUs'], optional: ['startRate', 'timeUnit', 'maxVUs'] },
};

/** Problems in one raw scenario, with k6's wording where k6 has one. */
export function scenarioProblems(name: string, raw: unknown): string[] {
  const where = `scenario "${name}"`;
  if (!/^[0-9A-Za-z_-]+$/.test(name)) return [`${where}: invalid name, use only letters, digits, '_' and '-'`];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [`${where}: must be an object`];
  const s = raw as Raw;
  if (s.executor === 'externally-controlled') {
    return [
      `${where}: executor "externally-controlled" needs k6's REST API, which the embedded engine does not provide; run it with --engine k6`,
    ];
  }
  if (typeof s.executor !== 'string' || !(EXECUTORS as readonly string[]).includes(s.executor)) {
    return [`${where}: unknown executor ${JSON.stringify(s.executor)}; supported: ${EXECUTORS.join(', ')}`];
  }
  const executor = s.executor as ExecutorName;
  const fields = EXECUTOR_FIELDS[executor];
  const problems: string[] = [];
  const allowed = new Set([...COMMON_FIELDS, ...fields.required, ...fields.optional]);
  for (const key of Object.keys(s)) {
    if (!allowed.has(key)) problems.push(`${where}: unknown field "${key}" for executor ${executor} (allowed: ${[...allowed].join(', ')})`);
  }
  for (const key of fields.required) {
    if (s[key] === undefined) problems.push(`${where}: executor ${executor} requires "${key}"`);
  }
  const duration = (key: string, positive = false) => {
    if (s[key] === undefined) return;
    try {
      const ms = parseDuration(s[key] as string);
      if (positive && ms <= 0) problems.push(`${where}: ${key} must be more than 0`);
    } catch (error) {
      problems.push(`${where}: ${key}: ${(error as Error).message}`);
    }
  };
  const integer = (key: string, min: number) => {
    if (s[key] === undefined) return;
    const v = s[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      problems.push(`${where}: ${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  };
  duration('startTime');
  duration('gracefulStop');
  duration('gracefulRampDown');
  duration('maxDuration', true);
  duration('duration', true);
  // k6: "the duration must be at least 1s, but is 500ms" (constant-vus, constant-arrival-rate; maxDuration too).
  for (const key of ['maxDuration', 'duration']) {
    if (s[key] === undefined || executor === 'ramping-vus' || executor === 'ramping-arrival-rate') continue;
    try {
      const ms = parseDuration(s[key] as string);
      if (ms > 0 && ms < 1000) problems.push(`${where} has configuration errors: the ${key} must be at least 1s, but is ${s[key]}`);
    } catch {}
  }
  duration('timeUnit', true);
  if (s.exec !== undefined && typeof s.exec !== 'string') problems.push(`${where}: exec must be the name of an exported function`);
  for (const key of ['env', 'tags']) {
    const v = s[key];
    if (v === undefined) continue;
    if (!v || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      problems.push(`${where}: ${key} must be an object of string values`);
    }
  }
  switch (executor) {
    case 'shared-iterations':
      integer('vus', 1);
      integer('iterations', 1);
      if (typeof s.vus === 'number' && typeof s.iterations === 'number' && s.iterations < s.vus) {
        problems.push(`${where}: the number of iterations (${s.iterations}) can't be less than the number of VUs (${s.vus})`);
      }
      break;
    case 'per-vu-iterations':
      integer('vus', 1);
      integer('iterations', 1);
      break;
    case 'constant-vus':
      integer('vus', 1);
      break;
    case 'ramping-vus':
      integer('startVUs', 0);
      problems.push(...stageProblems(where, s.stages, 'target'));
      break;
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      if (executor === 'constant-arrival-rate') integer('rate', 1);
      else {
        integer('startRate', 0);
        problems.push(...stageProblems(where, s.stages, 'target'));
      }
      integer('preAllocatedVUs', 0);
      integer('maxVUs', 0);
      if (typeof s.maxVUs === 'number' && typeof s.preAllocatedVUs === 'number' && s.maxVUs < s.preAllocatedVUs) {
        problems.push(`${where}: maxVUs (${s.maxVUs}) can't be less than preAllocatedVUs (${s.preAllocatedVUs})`);
      }
      if (s.preAllocatedVUs === 0 && (s.maxVUs === undefined || s.maxVUs === 0)) {
        problems.push(`${where}: either preAllocatedVUs or maxVUs must be more than 0`);
      }
      break;
  }
  return problems;
}

function stageProblems(where: string, stages: unknown, targetKey: string): string[] {
  if (stages === undefined) return [];
  if (!Array.isArray(stages) || stages.length === 0) return [`${where}: stages must be a non-empty array of { duration, ${targetKey} }`];
  const problems: string[] = [];
  stages.forEach((stage, i) => {
    if (!stage || typeof stage !== 'object') {
      problems.push(`${where}: stage ${i} must be an object { duration, ${targetKey} }`);
      return;
    }
    const { duration, target } = stage as Raw;
    try {
      parseDuration(duration as string);
    } catch (error) {
      problems.push(`${where}: stage ${i} duration: ${(error as Error).message}`);
    }
    if (typeof target !== 'number' || !Number.isInteger(target) || target < 0) {
      problems.push(`${where}: stage ${i} target must be an integer ≥ 0, got ${JSON.stringify(target)}`);
    }
  });
  return problems;
}

const stagesOf = (stages: unknown): Stage[] =>
  (stages as Raw[]).map((s) => ({ durationMs: parseDuration(s.duration as string), target: s.target as number }));

/** A valid raw scenario (see scenarioProblems) with k6's defaults filled in. */
export function normalizeScenario(name: string, raw: Raw): Scenario {
  const base = {
    name,
    startTimeMs: raw.startTime === undefined ? 0 : parseDuration(raw.startTime as string),
    gracefulStopMs: raw.gracefulStop === undefined ? 30_000 : parseDuration(raw.gracefulStop as string),
    exec: (raw.exec as string | undefined) ?? 'default',
    env: { ...((raw.env as Record<string, string>) ?? {}) },
    tags: { ...((raw.tags as Record<string, string>) ?? {}) },
  };
  const timeUnitMs = raw.timeUnit === undefined ? 1000 : parseDuration(raw.timeUnit as string);
  switch (raw.executor as ExecutorName) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return {
        ...base,
        executor: raw.executor as 'shared-iterations',
        vus: (raw.vus as number) ?? 1,
        iterations: (raw.iterations as number) ?? 1,
        maxDurationMs: raw.maxDuration === undefined ? 600_000 : parseDuration(raw.maxDuration as string),
      };
    case 'constant-vus':
      return { ...base, executor: 'constant-vus', vus: (raw.vus as number) ?? 1, durationMs: parseDuration(raw.duration as string) };
    case 'ramping-vus':
      return {
        ...base,
        executor: 'ramping-vus',
        startVUs: (raw.startVUs as number) ?? 1,
        stages: stagesOf(raw.stages),
        gracefulRampDownMs: raw.gracefulRampDown === undefined ? 30_000 : parseDuration(raw.gracefulRampDown as string),
      };
    case 'constant-arrival-rate':
      return {
        ...base,
        executor: 'constant-arrival-rate',
        rate: raw.rate as number,
        timeUnitMs,
        durationMs: parseDuration(raw.duration as string),
        preAllocatedVUs: raw.preAllocatedVUs as number,
        maxVUs: Math.max((raw.maxVUs as number) ?? 0, raw.preAllocatedVUs as number),
      };
    case 'ramping-arrival-rate':
      return {
        ...base,
        executor: 'ramping-arrival-rate',
        startRate: (raw.startRate as number) ?? 0,
        timeUnitMs,
        stages: stagesOf(raw.stages),
        preAllocatedVUs: raw.preAllocatedVUs as number,
        maxVUs: Math.max((raw.maxVUs as number) ?? 0, raw.preAllocatedVUs as number),
      };
  }
}

/** How long a scenario runs before its graceful stop, from its own start. */
export function scenarioDurationMs(s: Scenario): number {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return s.maxDurationMs;
    case 'constant-vus':
    case 'constant-arrival-rate':
      return s.durationMs;
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return s.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
  }
}

/** The most VUs a scenario can use (k6 initialises these before the test, maxVUs beyond preAllocatedVUs on demand). */
export function scenarioInitialVUs(s: Scenario): number {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
    case 'constant-vus':
      return s.vus;
    case 'ramping-vus':
      return Math.max(s.startVUs, ...s.stages.map((stage) => stage.target));
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return s.preAllocatedVUs;
  }
}

/** When a scenario is over at the latest, from the test start: startTime + its duration + gracefulStop (k6's max duration). */
export function scenarioEndMs(s: Scenario): number {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return s.startTimeMs + s.maxDurationMs + s.gracefulStopMs;
    case 'constant-vus':
    case 'constant-arrival-rate':
      return s.startTimeMs + s.durationMs + s.gracefulStopMs;
    case 'ramping-vus':
      return s.startTimeMs + s.stages.reduce((sum, stage) => sum + stage.durationMs, 0) + Math.max(s.gracefulStopMs, s.gracefulRampDownMs);
    case 'ramping-arrival-rate':
      return s.startTimeMs + s.stages.reduce((sum, stage) => sum + stage.durationMs, 0) + s.gracefulStopMs;
  }
}
