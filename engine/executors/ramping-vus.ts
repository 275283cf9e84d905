// ramping-vus: a closed model whose VU count follows the stages; VUs ramped down finish their
// iteration within gracefulRampDown.
import {
  baseInfo,
  type ExecutorDefinition,
  goDuration,
  highestTarget,
  type ScenarioBase,
  type Stage,
  stagesDurationMs,
} from './executor.ts';
import type { ScenarioRun } from './scenario-run.ts';
import { share } from './segment.ts';
import type { VU } from '../runtime/vu.ts';

export interface RampingVusScenario extends ScenarioBase {
  executor: 'ramping-vus';
  startVUs: number;
  stages: Stage[];
  gracefulRampDownMs: number;
}

/**
 * The VU count of a ramping-vus scenario at `t` ms, k6's way: along each stage the count follows
 * the straight line from the previous target and changes when the line crosses an integer.
 */
export function rampingVUsAt(startVUs: number, stages: readonly Stage[], t: number): number {
  let from = startVUs;
  let stageStart = 0;
  for (const stage of stages) {
    const end = stageStart + stage.durationMs;
    if (t < end) {
      const value = from + ((stage.target - from) * (t - stageStart)) / stage.durationMs;
      return stage.target >= from ? Math.floor(value) : Math.ceil(value);
    }
    from = stage.target;
    stageStart = end;
  }
  return from;
}

interface Handle {
  vu: VU;
  retired: boolean;
  finished: boolean;
  loop: Promise<void>;
}

const TICK_MS = 10;

async function runRampingVus(run: ScenarioRun, scenario: RampingVusScenario): Promise<void> {
  const totalMs = stagesDurationMs(scenario.stages);
  const target = (t: number) => share(rampingVUsAt(scenario.startVUs, scenario.stages, t), run.segment);
  run.maxVUs = share(highestTarget(scenario.startVUs, scenario.stages), run.segment);
  run.progressOf = (elapsed) => (totalMs === 0 ? 1 : elapsed / totalMs);
  const working: Handle[] = [];
  const loops = new Set<Promise<void>>();

  const startVU = (vu: VU): Promise<void> => {
    const handle = { vu, retired: false, finished: false } as Handle;
    handle.loop = (async () => {
      while (!handle.retired && !run.stopped) await run.iterate(handle.vu);
      handle.finished = true;
      run.release(handle.vu);
    })();
    loops.add(handle.loop);
    handle.loop.then(() => loops.delete(handle.loop));
    working.push(handle);
    return handle.loop;
  };
  // Ramping down: the newest VUs finish their iteration, within gracefulRampDown.
  const retireVU = () => {
    const handle = working.pop()!;
    handle.retired = true;
    run.sleep(scenario.gracefulRampDownMs).then(() => {
      if (!handle.finished) run.interrupt(handle.vu);
    });
  };

  while (!run.stop.stopped) {
    const elapsed = run.elapsed();
    if (elapsed >= totalMs) break;
    const wanted = target(elapsed);
    if (working.length < wanted) await run.startVUs(wanted - working.length, startVU);
    while (working.length > wanted) retireVU();
    await run.sleep(Math.min(TICK_MS, totalMs - elapsed));
  }
  run.stopping = true;
  await run.finish(Promise.all([...loops]), totalMs);
}

export const rampingVus: ExecutorDefinition<RampingVusScenario> = {
  name: 'ramping-vus',
  optionKeys: ['startVUs', 'stages', 'gracefulRampDown'],
  requiredKeys: ['stages'],
  parse(fields) {
    return {
      executor: 'ramping-vus',
      startVUs: fields.integer('startVUs', 0, 1),
      stages: fields.stages(),
      gracefulRampDownMs: fields.duration('gracefulRampDown', 30_000),
    };
  },
  describe: (s) =>
    `Up to ${highestTarget(s.startVUs, s.stages)} looping VUs for ${goDuration(stagesDurationMs(s.stages))} over ${s.stages.length} stages` +
    baseInfo(s, `gracefulRampDown: ${goDuration(s.gracefulRampDownMs)}`),
  // k6 initialises the most VUs any stage needs before the test starts.
  initialVUs: (s) => highestTarget(s.startVUs, s.stages),
  maxVUs: (s) => highestTarget(s.startVUs, s.stages),
  durationMs: (s) => stagesDurationMs(s.stages),
  graceMs: (s) => Math.max(s.gracefulStopMs, s.gracefulRampDownMs),
  run: runRampingVus,
};
