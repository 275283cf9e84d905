// shared-iterations: `iterations` in total, taken by `vus` VUs as each becomes free, within maxDuration.
import { baseInfo, type ExecutorDefinition, goDuration, type ScenarioBase } from './executor.ts';
import type { ScenarioRun } from './scenario-run.ts';
import { share } from './segment.ts';

export interface SharedIterationsScenario extends ScenarioBase {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}

/**
 * The VUs of all threads draw from one shared counter, so a thread with no VU takes no iteration
 * and the total is exact.
 */
async function runSharedIterations(run: ScenarioRun, scenario: SharedIterationsScenario): Promise<void> {
  const vus = share(scenario.vus, run.segment);
  const total = scenario.iterations;
  let drawn = 0;
  run.maxVUs = vus;
  run.progressOf = () => (total === 0 ? 1 : Math.min(1, drawn / total));
  const loops = await run.startVUs(vus, async (vu) => {
    while (!run.stopped) {
      const number = run.counter.next();
      drawn = Math.max(drawn, number + 1);
      if (number >= total) break;
      await run.iterate(vu, number);
    }
    run.release(vu);
  });
  await run.finish(Promise.all(loops), scenario.maxDurationMs);
  // Iterations never started when maxDuration ended the scenario count as dropped, as in k6.
  let left = 0;
  while (vus > 0 && !run.stop.stopped && !run.stop.draining && run.counter.next() < total) left++;
  if (left > 0) run.emitDropped(left);
}

export const sharedIterations: ExecutorDefinition<SharedIterationsScenario> = {
  name: 'shared-iterations',
  optionKeys: ['vus', 'iterations', 'maxDuration'],
  requiredKeys: [],
  parse(fields) {
    const vus = fields.integer('vus', 1, 1);
    const iterations = fields.integer('iterations', 1, 1);
    const maxDurationMs = fields.duration('maxDuration', 600_000, { positive: true, atLeastOneSecond: true });
    if (iterations < vus) fields.problem(`the number of iterations (${iterations}) can't be less than the number of VUs (${vus})`);
    return { executor: 'shared-iterations', vus, iterations, maxDurationMs };
  },
  describe: (s) => `${s.iterations} iterations shared among ${s.vus} VUs${baseInfo(s, `maxDuration: ${goDuration(s.maxDurationMs)}`)}`,
  initialVUs: (s) => s.vus,
  maxVUs: (s) => s.vus,
  durationMs: (s) => s.maxDurationMs,
  graceMs: (s) => s.gracefulStopMs,
  run: runSharedIterations,
};
