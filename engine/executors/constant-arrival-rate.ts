// constant-arrival-rate: `rate` iterations per `timeUnit` for `duration`, on up to maxVUs VUs.
import { type ArrivalVUs, constantStartTime, maxVUsRange, parseArrivalVUs, perSecond, runArrivals } from './arrival-rate.ts';
import { baseInfo, type ExecutorDefinition, goDuration, type ScenarioBase } from './executor.ts';

export interface ConstantArrivalRateScenario extends ScenarioBase, ArrivalVUs {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnitMs: number;
  durationMs: number;
}

export const constantArrivalRate: ExecutorDefinition<ConstantArrivalRateScenario> = {
  name: 'constant-arrival-rate',
  optionKeys: ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  requiredKeys: ['rate', 'duration', 'preAllocatedVUs'],
  parse(fields) {
    return {
      executor: 'constant-arrival-rate',
      rate: fields.integer('rate', 1, 0),
      timeUnitMs: fields.duration('timeUnit', 1000, { positive: true }),
      durationMs: fields.duration('duration', 0, { positive: true, atLeastOneSecond: true }),
      ...parseArrivalVUs(fields),
    };
  },
  // k6 shows a rate of 0 when there are no VUs to run it.
  describe: (s) =>
    `${s.maxVUs === 0 ? '0.00' : perSecond(s.rate, s.timeUnitMs)} iterations/s for ${goDuration(s.durationMs)}${baseInfo(s, maxVUsRange(s))}`,
  initialVUs: (s) => s.preAllocatedVUs,
  maxVUs: (s) => s.maxVUs,
  durationMs: (s) => s.durationMs,
  graceMs: (s) => s.gracefulStopMs,
  run: (run, s) => runArrivals(run, (i) => constantStartTime(s.rate, s.timeUnitMs, i), s.durationMs, s.preAllocatedVUs, s.maxVUs),
};
