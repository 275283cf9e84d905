// constant-vus: a closed model, `vus` VUs loop over iterations for `duration`.
import { baseInfo, type ExecutorDefinition, goDuration, type ScenarioBase } from './executor.ts';
import type { ScenarioRun } from './scenario-run.ts';
import { share } from './segment.ts';

export interface ConstantVusScenario extends ScenarioBase {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
}

async function runConstantVus(run: ScenarioRun, scenario: ConstantVusScenario): Promise<void> {
  const vus = share(scenario.vus, run.segment);
  run.maxVUs = vus;
  run.progressOf = (elapsed) => elapsed / scenario.durationMs;
  const loops = await run.startVUs(vus, async (vu) => {
    while (!run.stopped && run.elapsed() < scenario.durationMs) await run.iterate(vu);
    run.release(vu);
  });
  await run.finish(Promise.all(loops), scenario.durationMs);
}

export const constantVus: ExecutorDefinition<ConstantVusScenario> = {
  name: 'constant-vus',
  optionKeys: ['vus', 'duration'],
  requiredKeys: ['duration'],
  parse(fields) {
    return {
      executor: 'constant-vus',
      vus: fields.integer('vus', 1, 1),
      durationMs: fields.duration('duration', 0, { positive: true, atLeastOneSecond: true }),
    };
  },
  describe: (s) => `${s.vus} looping VUs for ${goDuration(s.durationMs)}${baseInfo(s)}`,
  initialVUs: (s) => s.vus,
  maxVUs: (s) => s.vus,
  durationMs: (s) => s.durationMs,
  graceMs: (s) => s.gracefulStopMs,
  run: runConstantVus,
};
