// Executor name → implementation, as k6's executor registry.
import type { ExecutorName } from '../options/scenarios.ts';
import { runConstantArrivalRate, runRampingArrivalRate } from './arrival-rate.ts';
import { runPerVuIterations, runSharedIterations } from './iterations.ts';
import type { ScenarioRun } from './scenario-run.ts';
import { runConstantVus, runRampingVus } from './vus.ts';

export const EXECUTOR_IMPLEMENTATIONS: Record<ExecutorName, (run: ScenarioRun) => Promise<void>> = {
  'shared-iterations': runSharedIterations,
  'per-vu-iterations': runPerVuIterations,
  'constant-vus': runConstantVus,
  'ramping-vus': runRampingVus,
  'constant-arrival-rate': runConstantArrivalRate,
  'ramping-arrival-rate': runRampingArrivalRate,
};
