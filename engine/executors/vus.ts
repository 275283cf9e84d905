// constant-vus and ramping-vus: closed model, each VU loops over iterations.
import type { ConstantVusScenario, RampingVusScenario, Stage } from '../options/scenarios.ts';
import type { VU } from '../runtime/vu.ts';
import type { ScenarioRun } from './scenario-run.ts';
import { share } from './segment.ts';

export async function runConstantVus(run: ScenarioRun): Promise<void> {
  const scenario = run.scenario as ConstantVusScenario;
  const vus = share(scenario.vus, run.segment);
  run.maxVUs = vus;
  run.progressOf = (elapsed) => elapsed / scenario.durationMs;
  const loops: Promise<void>[] = [];
  for (let i = 0; i < vus; i++) {
    const vu = run.activate();
    loops.push(
      (async () => {
        while (!run.stopped && run.elapsed() < scenario.durationMs) await run.iterate(vu);
        run.release(vu);
      })(),
    );
  }
  await run.finish(Promise.all(loops), scenario.durationMs);
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

export async function runRampingVus(run: ScenarioRun): Promise<void> {
  const scenario = run.scenario as RampingVusScenario;
  const totalMs = scenario.stages.reduce((sum, s) => sum + s.durationMs, 0);
  const target = (t: number) => share(rampingVUsAt(scenario.startVUs, scenario.stages, t), run.segment);
  run.maxVUs = share(Math.max(scenario.startVUs, ...scenario.stages.map((s) => s.target)), run.segment);
  run.progressOf = (elapsed) => (totalMs === 0 ? 1 : elapsed / totalMs);
  const working: Handle[] = [];
  const loops = new Set<Promise<void>>();

  const startVU = () => {
    const handle = { vu: run.activate(), retired: false, finished: false } as Handle;
    handle.loop = (async () => {
      while (!handle.retired && !run.stopped) await run.iterate(handle.vu);
      handle.finished = true;
      run.release(handle.vu);
    })();
    loops.add(handle.loop);
    handle.loop.then(() => loops.delete(handle.loop));
    working.push(handle);
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
    while (working.length < wanted) startVU();
    while (working.length > wanted) retireVU();
    await run.sleep(Math.min(TICK_MS, totalMs - elapsed));
  }
  run.stopping = true;
  await run.finish(Promise.all([...loops]), totalMs);
}
