// ramping-arrival-rate: the arrival rate follows the stages from startRate (iterations per
// timeUnit), on up to maxVUs VUs.
import { type ArrivalVUs, maxVUsRange, parseArrivalVUs, perSecond, rampingSchedule, runArrivals } from './arrival-rate.ts';
import {
  baseInfo,
  type ExecutorDefinition,
  goDuration,
  highestTarget,
  type ScenarioBase,
  type Stage,
  stagesDurationMs,
} from './executor.ts';

export interface RampingArrivalRateScenario extends ScenarioBase, ArrivalVUs {
  executor: 'ramping-arrival-rate';
  startRate: number;
  timeUnitMs: number;
  stages: Stage[];
}

export const rampingArrivalRate: ExecutorDefinition<RampingArrivalRateScenario> = {
  name: 'ramping-arrival-rate',
  optionKeys: ['startRate', 'timeUnit', 'preAllocatedVUs', 'maxVUs', 'stages'],
  requiredKeys: ['stages', 'preAllocatedVUs'],
  parse(fields) {
    return {
      executor: 'ramping-arrival-rate',
      startRate: fields.integer('startRate', 0, 0),
      stages: fields.stages(),
      timeUnitMs: fields.duration('timeUnit', 1000, { positive: true }),
      ...parseArrivalVUs(fields),
    };
  },
  describe: (s) =>
    `Up to ${perSecond(highestTarget(s.startRate, s.stages), s.timeUnitMs)} iterations/s for ${goDuration(stagesDurationMs(s.stages))} ` +
    `over ${s.stages.length} stages${baseInfo(s, maxVUsRange(s))}`,
  initialVUs: (s) => s.preAllocatedVUs,
  maxVUs: (s) => s.maxVUs,
  durationMs: (s) => stagesDurationMs(s.stages),
  graceMs: (s) => s.gracefulStopMs,
  run: (run, s) =>
    runArrivals(run, rampingSchedule(s.startRate, s.stages, s.timeUnitMs), stagesDurationMs(s.stages), s.preAllocatedVUs, s.maxVUs),
};
