// What one executor module provides (k6's lib/executor: a config type with its validation,
// description and execution requirements, plus the executor that runs it), and the pieces the
// modules share: the common scenario fields, the field reader that validates and fills in
// defaults in one pass, and Go's duration format for the descriptions.
import { parseDuration } from '../options/duration.ts';
import type { ScenarioRun } from './scenario-run.ts';

export interface Stage {
  durationMs: number;
  target: number;
}

/** The fields every scenario has, whatever its executor. */
export interface ScenarioBase {
  name: string;
  executor: string;
  startTimeMs: number;
  gracefulStopMs: number;
  exec: string;
  /** The options named exec (k6 shows "exec: …" in the description only then, even for "default"). */
  execExplicit: boolean;
  env: Record<string, string>;
  tags: Record<string, string>;
}

/** The executor's own fields of a parsed scenario (the common ones are parsed by options/scenarios.ts). */
export type OwnFields<S extends ScenarioBase> = Omit<S, Exclude<keyof ScenarioBase, 'executor'>>;

export interface ExecutorDefinition<S extends ScenarioBase> {
  readonly name: S['executor'];
  /** The executor's own option keys in k6's order (exec.test.options lists them so). */
  readonly optionKeys: readonly string[];
  /** The option keys a scenario of this executor must set. */
  readonly requiredKeys: readonly string[];
  /** Validates the executor's own fields and fills in k6's defaults; problems go to `fields`. */
  parse(fields: ScenarioFields): OwnFields<S>;
  /** The line after "* name: " in k6's "scenarios:" header (k6's GetDescription). */
  describe(scenario: S): string;
  /** VUs initialised before the test starts (k6 initialises the rest up to maxVUs on demand). */
  initialVUs(scenario: S): number;
  /** The most VUs the scenario can have at once. */
  maxVUs(scenario: S): number;
  /** How long the scenario starts iterations, from its own start. */
  durationMs(scenario: S): number;
  /** How long running iterations may go on after durationMs before they are interrupted. */
  graceMs(scenario: S): number;
  /** Runs the scenario in this thread (its share of the work, see segment.ts). */
  run(run: ScenarioRun, scenario: S): Promise<void>;
}

/** An executor k6 has and the engine refuses, with the reason validation gives. */
export interface RefusedExecutor {
  readonly name: string;
  readonly refusal: string;
}

type Raw = Record<string, unknown>;

/**
 * Reads one raw scenario's fields for its executor: each read validates the value (k6's wording
 * where k6 has one), records a problem when it is wrong and returns the value or its default.
 * A scenario with problems is never run, so what a read returns after a problem does not matter.
 */
export class ScenarioFields {
  readonly problems: string[] = [];

  constructor(
    readonly where: string,
    readonly raw: Readonly<Raw>,
  ) {}

  problem(text: string): void {
    this.problems.push(`${this.where}: ${text}`);
  }

  /** A duration in ms; `positive`: 0 is refused; `atLeastOneSecond`: k6's "must be at least 1s". */
  duration(key: string, fallbackMs: number, rules: { positive?: boolean; atLeastOneSecond?: boolean } = {}): number {
    const value = this.raw[key];
    if (value === undefined) return fallbackMs;
    let ms: number;
    try {
      ms = parseDuration(value as string);
    } catch (error) {
      this.problem(`${key}: ${(error as Error).message}`);
      return fallbackMs;
    }
    if (rules.positive && ms <= 0) this.problem(`${key} must be more than 0`);
    else if (rules.atLeastOneSecond && ms < 1000) {
      this.problems.push(`${this.where} has configuration errors: the ${key} must be at least 1s, but is ${value}`);
    }
    return ms;
  }

  /** An integer ≥ min. */
  integer(key: string, min: number, fallback: number): number {
    const value = this.raw[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.problem(`${key} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }

  /** A non-empty array of { duration, target } with integer targets ≥ 0. */
  stages(key = 'stages'): Stage[] {
    const stages = this.raw[key];
    if (stages === undefined) return [];
    if (!Array.isArray(stages) || stages.length === 0) {
      this.problem(`${key} must be a non-empty array of { duration, target }`);
      return [];
    }
    return stages.map((stage, i): Stage => {
      if (!stage || typeof stage !== 'object') {
        this.problem(`stage ${i} must be an object { duration, target }`);
        return { durationMs: 0, target: 0 };
      }
      const { duration, target } = stage as Raw;
      let durationMs = 0;
      try {
        durationMs = parseDuration(duration as string);
      } catch (error) {
        this.problem(`stage ${i} duration: ${(error as Error).message}`);
      }
      if (typeof target !== 'number' || !Number.isInteger(target) || target < 0) {
        this.problem(`stage ${i} target must be an integer ≥ 0, got ${JSON.stringify(target)}`);
        return { durationMs, target: 0 };
      }
      return { durationMs, target };
    });
  }
}

export const stagesDurationMs = (stages: readonly Stage[]): number => stages.reduce((sum, stage) => sum + stage.durationMs, 0);

/** The highest target of a ramp that starts at `start`. */
export const highestTarget = (start: number, stages: readonly Stage[]): number => Math.max(start, ...stages.map((stage) => stage.target));

/**
 * Milliseconds as Go's time.Duration prints them, which is how k6 writes durations in its
 * descriptions: "0s", "500ms", "1.5s", "10m0s", "1h2m3s".
 */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const trim = (n: number, digits: number) => {
    const text = n.toFixed(digits);
    return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  };
  if (ms < 1) return ms * 1000 < 1 ? `${trim(ms * 1e6, 0)}ns` : `${trim(ms * 1000, 3)}µs`;
  if (ms < 1000) return `${trim(ms, 6)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = `${trim((ms % 60_000) / 1000, 9)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

/**
 * k6's BaseConfig.getBaseInfo: the executor's facts, then exec when the options name it, startTime
 * and gracefulStop when not 0, in parentheses ("" when there is nothing to say).
 */
export function baseInfo(scenario: ScenarioBase, ...facts: string[]): string {
  const all = [...facts];
  if (scenario.execExplicit) all.push(`exec: ${scenario.exec}`);
  if (scenario.startTimeMs > 0) all.push(`startTime: ${goDuration(scenario.startTimeMs)}`);
  if (scenario.gracefulStopMs > 0) all.push(`gracefulStop: ${goDuration(scenario.gracefulStopMs)}`);
  return all.length === 0 ? '' : ` (${all.join(', ')})`;
}
