// The executor registry, as k6's lib/executor: executor name → its module (option schema,
// defaults, validation, description, VU requirements, end time and run loop). Everything that
// depends on the executor goes through here instead of switching on executor names.
//
// Registration is this list rather than import side effects: a module that registered itself
// would be missing whenever the registry was imported before it, and the list gives the
// `Scenario` type its members.
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { constantVus } from './constant-vus.ts';
import type { ExecutorDefinition, RefusedExecutor, ScenarioBase } from './executor.ts';
import { externallyControlled } from './externally-controlled.ts';
import { perVuIterations } from './per-vu-iterations.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';
import { rampingVus } from './ramping-vus.ts';
import type { ScenarioRun } from './scenario-run.ts';
import { sharedIterations } from './shared-iterations.ts';

const SUPPORTED = [sharedIterations, perVuIterations, constantVus, rampingVus, constantArrivalRate, rampingArrivalRate] as const;
const REFUSED: readonly RefusedExecutor[] = [externallyControlled];

type ScenarioOf<D> = D extends ExecutorDefinition<infer S> ? S : never;
/** A parsed scenario of any supported executor. */
export type Scenario = ScenarioOf<(typeof SUPPORTED)[number]>;
export type ExecutorName = Scenario['executor'];

/** The supported executors' names, in k6's documentation order. */
export const EXECUTOR_NAMES: readonly ExecutorName[] = SUPPORTED.map((definition) => definition.name);

// Each definition is stored under its own name and only ever called with a scenario of that
// executor (executorOf looks it up by scenario.executor), so one cast here types every call.
const BY_NAME = new Map<string, ExecutorDefinition<Scenario>>(
  SUPPORTED.map((definition) => [definition.name, definition as unknown as ExecutorDefinition<Scenario>]),
);
const REFUSED_BY_NAME = new Map(REFUSED.map((refused) => [refused.name, refused]));

export type ExecutorLookup =
  | { kind: 'supported'; definition: ExecutorDefinition<ScenarioBase> }
  | { kind: 'refused'; refusal: string }
  | { kind: 'unknown' };

/** What the registry knows of an executor name from the options. */
export function lookUpExecutor(name: unknown): ExecutorLookup {
  if (typeof name !== 'string') return { kind: 'unknown' };
  const definition = BY_NAME.get(name);
  if (definition !== undefined) return { kind: 'supported', definition: definition as unknown as ExecutorDefinition<ScenarioBase> };
  const refused = REFUSED_BY_NAME.get(name);
  return refused === undefined ? { kind: 'unknown' } : { kind: 'refused', refusal: refused.refusal };
}

/** The module of a parsed scenario's executor. */
export function executorOf(scenario: Scenario): ExecutorDefinition<Scenario> {
  const definition = BY_NAME.get(scenario.executor);
  if (definition === undefined) throw new Error(`scenario "${scenario.name}": no executor "${scenario.executor}" in the registry`);
  return definition;
}

/** The line k6 prints for a scenario under "scenarios:" ("default: 10 looping VUs for 30s (gracefulStop: 30s)"). */
export function describeScenario(scenario: Scenario): string {
  return `${scenario.name}: ${executorOf(scenario).describe(scenario)}`;
}

/** VUs initialised for the scenario before the test starts. */
export function scenarioInitialVUs(scenario: Scenario): number {
  return executorOf(scenario).initialVUs(scenario);
}

/** The most VUs the scenario can have at once. */
export function scenarioMaxVUs(scenario: Scenario): number {
  return executorOf(scenario).maxVUs(scenario);
}

/** When a scenario is over at the latest, from the test start: startTime + its duration + its grace period (k6's max duration). */
export function scenarioEndMs(scenario: Scenario): number {
  const executor = executorOf(scenario);
  return scenario.startTimeMs + executor.durationMs(scenario) + executor.graceMs(scenario);
}

/** Runs this thread's share of the scenario with its executor's loop. */
export function runScenario(run: ScenarioRun): Promise<void> {
  return executorOf(run.scenario).run(run, run.scenario);
}
