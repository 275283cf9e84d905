// per-vu-iterations: each of `vus` VUs runs `iterations` iterations, within maxDuration.
import { baseInfo, type ExecutorDefinition, goDuration, type ScenarioBase } from './executor.ts';
import type { ScenarioRun } from './scenario-run.ts';
import { share } from './segment.ts';

export interface PerVuIterationsScenario extends ScenarioBase {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}

async function runPerVuIterations(run: ScenarioRun, scenario: PerVuIterationsScenario): Promise<void> {
  const vus = share(scenario.vus, run.segment);
  run.maxVUs = vus;
  const total = vus * scenario.iterations;
  run.progressOf = () => (total === 0 ? 1 : run.iterations / total);
  const loops = await run.startVUs(vus, async (vu) => {
    for (let n = 0; n < scenario.iterations && !run.stopped; n++) await run.iterate(vu);
    run.release(vu);
  });
  await run.finish(Promise.all(loops), scenario.maxDurationMs);
  // Iterations never started when maxDuration ended the scenario count as dropped, as in k6.
  if (total > run.iterationsStarted && !run.stop.stopped && !run.stop.draining) run.emitDropped(total - run.iterationsStarted);
}

export const perVuIterations: ExecutorDefinition<PerVuIterationsScenario> = {
  name: 'per-vu-iterations',
  optionKeys: ['vus', 'iterations', 'maxDuration'],
  requiredKeys: [],
  parse(fields) {
    return {
      executor: 'per-vu-iterations',
      vus: fields.integer('vus', 1, 1),
      iterations: fields.integer('iterations', 1, 1),
      maxDurationMs: fields.duration('maxDuration', 600_000, { positive: true, atLeastOneSecond: true }),
    };
  },
  describe: (s) => `${s.iterations} iterations for each of ${s.vus} VUs${baseInfo(s, `maxDuration: ${goDuration(s.maxDurationMs)}`)}`,
  initialVUs: (s) => s.vus,
  maxVUs: (s) => s.vus,
  durationMs: (s) => s.maxDurationMs,
  graceMs: (s) => s.gracefulStopMs,
  run: runPerVuIterations,
};
