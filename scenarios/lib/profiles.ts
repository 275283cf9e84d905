// Load profiles shared by every scenario. Pure code (no k6 import, no __ENV): the scenarios pass in
// the profile name and scale they read from -e, and the tests build every profile directly.
//
// Every flow is an open model (arrival-rate executors): citizens and agency systems arrive whether or
// not the service keeps up, which is how a cut-over morning behaves. When the service slows down,
// iterations pile up in the VU pool and, once it is exhausted, k6 reports dropped_iterations.
// Rates are expressed per minute (timeUnit 1m) because k6 needs integer rates and small flows
// (a few dossiers per second at SCALE=0.1) would otherwise round to zero.

export const PROFILE_NAMES = ['smoke', 'load', 'stress', 'spike', 'soak', 'breakpoint'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export function parseProfileName(value: string): ProfileName {
  if ((PROFILE_NAMES as readonly string[]).includes(value)) return value as ProfileName;
  throw new Error(`-e PROFILE=${value}: unknown profile (known: ${PROFILE_NAMES.join(', ')})`);
}

export interface Stage {
  duration: string;
  target: number;
}

interface ScenarioCommon {
  exec?: string;
  timeUnit: string;
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStop: string;
  startTime?: string;
  tags?: Record<string, string>;
}

export interface ConstantArrivalScenario extends ScenarioCommon {
  executor: 'constant-arrival-rate';
  rate: number;
  duration: string;
}

export interface RampingArrivalScenario extends ScenarioCommon {
  executor: 'ramping-arrival-rate';
  startRate: number;
  stages: Stage[];
}

export type ArrivalScenario = ConstantArrivalScenario | RampingArrivalScenario;

/** What a flow needs from a profile: its rates and how long one iteration usually takes. */
export interface FlowLoad {
  /** Iterations per second at the `load` profile with SCALE=1: the expected peak. */
  rate: number;
  /** Iterations per second at `smoke` (before SCALE): a few, to prove the flow works. */
  smokeRate: number;
  /** Typical seconds per iteration including think time; sizes the VU pool (Little's law). */
  iterationSeconds: number;
  /** Peak of the `spike` profile as a multiple of `rate`. Default 10. */
  spikeFactor?: number;
  /** Where the `breakpoint` ramp ends, as a multiple of `rate`. Default 20. */
  breakpointFactor?: number;
  exec?: string;
  tags?: Record<string, string>;
}

export interface ProfileSettings {
  profile: ProfileName;
  scale: number;
  /** Overrides the steady part of `load` and `soak` (k6 duration string), e.g. '8h' for a full-day soak. */
  hold?: string;
}

/** Stages as multiples of the flow's `rate`; `perMinute` turns them into k6 targets. */
interface RelativeStage {
  duration: string;
  factor: number;
}

const SMOKE_DURATION = '15s';

function relativeStages(profile: ProfileName, flow: FlowLoad, hold: string | undefined): RelativeStage[] {
  const spike = flow.spikeFactor ?? 10;
  const breakpoint = flow.breakpointFactor ?? 20;
  switch (profile) {
    case 'smoke':
      return [];
    case 'load':
      return [
        { duration: '1m', factor: 1 },
        { duration: hold ?? '5m', factor: 1 },
        { duration: '1m', factor: 0 },
      ];
    case 'stress':
      return [
        { duration: '1m', factor: 1 },
        { duration: '2m', factor: 1 },
        { duration: '1m', factor: 2 },
        { duration: '2m', factor: 2 },
        { duration: '1m', factor: 3 },
        { duration: '2m', factor: 3 },
        { duration: '1m', factor: 0 },
      ];
    case 'spike':
      // A quiet start, then everyone at once (08:00 on cut-over day), then the recovery.
      return [
        { duration: '30s', factor: 0.2 },
        { duration: '10s', factor: spike },
        { duration: '1m', factor: spike },
        { duration: '10s', factor: 0.2 },
        { duration: '1m', factor: 0.2 },
        { duration: '10s', factor: 0 },
      ];
    case 'soak':
      return [
        { duration: '2m', factor: 0.8 },
        { duration: hold ?? '1h', factor: 0.8 },
        { duration: '2m', factor: 0 },
      ];
    case 'breakpoint':
      // A slow linear ramp far past the expected peak; breakpoint thresholds abort the test when the SLO breaks.
      return [{ duration: '10m', factor: breakpoint }];
  }
}

export function perMinute(ratePerSecond: number): number {
  return Math.max(1, Math.round(ratePerSecond * 60));
}

function vuPool(peakPerSecond: number, iterationSeconds: number): { preAllocatedVUs: number; maxVUs: number } {
  const concurrent = Math.ceil(peakPerSecond * iterationSeconds);
  return { preAllocatedVUs: Math.max(2, concurrent + 1), maxVUs: Math.max(4, concurrent * 2 + 2) };
}

/** One k6 scenario for a flow under a profile. */
export function arrivalScenario(flow: FlowLoad, settings: ProfileSettings): ArrivalScenario {
  const { profile, scale } = settings;
  if (!(scale > 0)) throw new Error(`SCALE must be a positive number, got ${scale}`);
  const common = {
    timeUnit: '1m',
    ...(flow.exec ? { exec: flow.exec } : {}),
    ...(flow.tags ? { tags: flow.tags } : {}),
  };
  if (profile === 'smoke') {
    const rate = flow.smokeRate * scale;
    return {
      executor: 'constant-arrival-rate',
      ...common,
      rate: perMinute(rate),
      duration: SMOKE_DURATION,
      ...vuPool(rate, flow.iterationSeconds),
      gracefulStop: '20s',
    };
  }
  const stages = relativeStages(profile, flow, settings.hold);
  return rampingScenario(
    stages.map((stage) => ({ duration: stage.duration, ratePerSecond: stage.factor * flow.rate * scale })),
    flow,
    common,
  );
}

/** A ramping-arrival-rate scenario from stages in iterations per second. */
export function rampingScenario(
  stages: ReadonlyArray<{ duration: string; ratePerSecond: number }>,
  flow: Pick<FlowLoad, 'iterationSeconds'>,
  common: { timeUnit: string; exec?: string; tags?: Record<string, string> } = { timeUnit: '1m' },
): RampingArrivalScenario {
  const peak = Math.max(...stages.map((stage) => stage.ratePerSecond));
  return {
    executor: 'ramping-arrival-rate',
    ...common,
    startRate: 0,
    stages: stages.map((stage) => ({
      duration: stage.duration,
      target: stage.ratePerSecond === 0 ? 0 : perMinute(stage.ratePerSecond),
    })),
    ...vuPool(peak, flow.iterationSeconds),
    gracefulStop: '30s',
  };
}

export type ThresholdSet = Record<string, string[]>;
export type ProfileThresholds = Record<string, Array<string | { threshold: string; abortOnFail: boolean; delayAbortEval: string }>>;

/**
 * The SLO thresholds for a profile. At `breakpoint` each SLO aborts the run once it is crossed
 * (after 30 s of evidence), so the test stops at the breaking point instead of hammering past it.
 */
export function thresholdsFor(profile: ProfileName, slos: ThresholdSet): ProfileThresholds {
  if (profile !== 'breakpoint') return { ...slos };
  const out: ProfileThresholds = {};
  for (const [metric, expressions] of Object.entries(slos)) {
    out[metric] = expressions.map((threshold) => ({ threshold, abortOnFail: true, delayAbortEval: '30s' }));
  }
  return out;
}

/** Trend statistics shown in the summary: the SLOs quote p(95) and p(99). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
