// shared-iterations and per-vu-iterations: a fixed number of iterations, within maxDuration.
import type { PerVuIterationsScenario, SharedIterationsScenario } from '../options/scenarios.ts';
import type { ScenarioRun } from './scenario-run.ts';
import { share } from './segment.ts';

/**
 * `iterations` in total, taken by `vus` VUs as each becomes free. The VUs of all threads draw from
 * one shared counter, so a thread with no VU takes no iteration and the total is exact.
 */
export async function runSharedIterations(run: ScenarioRun): Promise<void> {
  const scenario = run.scenario as SharedIterationsScenario;
  const vus = share(scenario.vus, run.segment);
  const total = scenario.iterations;
  let drawn = 0;
  run.maxVUs = vus;
  run.progressOf = () => (total === 0 ? 1 : Math.min(1, drawn / total));
  const loops: Promise<void>[] = [];
  for (let i = 0; i < vus; i++) {
    const vu = run.activate();
    loops.push(
      (async () => {
        while (!run.stopped) {
          const number = run.counter.next();
          drawn = Math.max(drawn, number + 1);
          if (number >= total) break;
          await run.iterate(vu, number);
        }
        run.release(vu);
      })(),
    );
  }
  await run.finish(Promise.all(loops), scenario.maxDurationMs);
  // Iterations never started when maxDuration ended the scenario count as dropped, as in k6.
  let left = 0;
  while (vus > 0 && !run.stop.stopped && !run.stop.draining && run.counter.next() < total) left++;
  if (left > 0) run.emitDropped(left);
}

/** Each of `vus` VUs runs `iterations` iterations. */
export async function runPerVuIterations(run: ScenarioRun): Promise<void> {
  const scenario = run.scenario as PerVuIterationsScenario;
  const vus = share(scenario.vus, run.segment);
  run.maxVUs = vus;
  const total = vus * scenario.iterations;
  run.progressOf = () => (total === 0 ? 1 : run.iterations / total);
  const loops: Promise<void>[] = [];
  for (let i = 0; i < vus; i++) {
    const vu = run.activate();
    loops.push(
      (async () => {
        for (let n = 0; n < scenario.iterations && !run.stopped; n++) await run.iterate(vu);
        run.release(vu);
      })(),
    );
  }
  await run.finish(Promise.all(loops), scenario.maxDurationMs);
  // Iterations never started when maxDuration ended the scenario count as dropped, as in k6.
  if (total > run.iterationsStarted && !run.stop.stopped && !run.stop.draining) run.emitDropped(total - run.iterationsStarted);
}
