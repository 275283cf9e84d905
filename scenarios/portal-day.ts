// A portal day: citizens logging in, citizens filing dossiers and agency systems on NDXP, all at once,
// in national proportions, following the office-hours curve of a working day compressed in time.
//
// How the mix is derived from DOMAIN.md (volumes per working day, nationally):
//   NDXP transactions   2,570,000   seed 001: 2.57 M successful transactions/day on average.
//   Online dossiers        22,400   seed 002: one province settled 238,539 dossiers in a year; over
//                                   250 working days that is 954/day; × 63 birth-registration provinces
//                                   = 60,100 dossiers/day, of which 37.23 % are full-process online
//                                   (seed 001, 19 March 2024) → 22,400.
//   Citizen logins         89,500   every online dossier needs a login to submit, and citizens come back
//                                   to pay and to follow the status; we assume 4 logins per dossier.
//                                   (Officials' logins to the one-stop-shop are not VNeID citizen logins.)
//   Ratio NDXP : logins : dossiers ≈ 115 : 4 : 1 in iterations.
// Peak-hour rates: the working day's traffic sits in ~8 office hours and the peak hour is ≈ 2.5× the
// office-hours mean (DOMAIN.md), so peak rate = daily volume / (8 × 3600 s) × 2.5:
//   NDXP 223/s, logins 7.8/s, dossiers 1.9/s at SCALE=1. These are the curve's 1.0.
// The curve (share of the peak-hour rate, 07:00–18:00) has the Monday-morning opening peak, a second
// peak after lunch and a quiet lunch hour. `load` compresses each hour into a minute.
import type { Options } from 'k6/options';
import { vuAgency } from './lib/agency-token.ts';
import { config } from './lib/config.ts';
import { fileDossier } from './lib/dossier-flow.ts';
import { login } from './lib/oidc-login.ts';
import { ndxpInteraction } from './lib/ndxp-flow.ts';
import { type ArrivalScenario, type ProfileName, rampingScenario, SUMMARY_TREND_STATS, thresholdsFor } from './lib/profiles.ts';
import { randomFor } from './lib/random.ts';
import { CHECKS_SLO, LOGIN_SLO, NDXP_SLO, SUBMISSION_SLO } from './lib/slos.ts';
import { makeCitizen } from './lib/synthetic.ts';
import { vuNumber } from './lib/vu.ts';

const OFFICE_SECONDS = 8 * 3600;
const PEAK_FACTOR = 2.5;
const DAILY = { ndxp: 2_570_000, logins: 89_500, dossiers: 22_400 };

interface DayFlow {
  exec: string;
  /** Iterations/s at the peak hour, SCALE=1. */
  peakRate: number;
  /** Iterations/s at the peak hour for `smoke`. */
  smokeRate: number;
  iterationSeconds: number;
}

export const DAY_FLOWS: Record<'login' | 'submission' | 'ndxp', DayFlow> = {
  login: { exec: 'citizenLogin', peakRate: (DAILY.logins / OFFICE_SECONDS) * PEAK_FACTOR, smokeRate: 1, iterationSeconds: 3 },
  submission: {
    exec: 'dossierSubmission',
    peakRate: (DAILY.dossiers / OFFICE_SECONDS) * PEAK_FACTOR,
    smokeRate: 0.4,
    iterationSeconds: 40,
  },
  ndxp: { exec: 'agencyExchange', peakRate: (DAILY.ndxp / OFFICE_SECONDS) * PEAK_FACTOR, smokeRate: 4, iterationSeconds: 0.5 },
};

/** Share of the peak-hour rate for each hour from 07:00 to 17:00. */
export const OFFICE_DAY_CURVE: ReadonlyArray<readonly [string, number]> = [
  ['07:00', 0.25],
  ['08:00', 1.0],
  ['09:00', 0.95],
  ['10:00', 0.85],
  ['11:00', 0.65],
  ['12:00', 0.2],
  ['13:00', 0.5],
  ['14:00', 0.9],
  ['15:00', 0.85],
  ['16:00', 0.6],
  ['17:00', 0.2],
];

function seconds(value: number): string {
  return `${Math.round(value * 1000)}ms`;
}

/** Rate stages that follow the curve: a quarter of each hour ramping to its level, the rest holding it. */
function dayStages(peakRate: number, hourSeconds: number, surgeAt8 = 1): Array<{ duration: string; ratePerSecond: number }> {
  const stages: Array<{ duration: string; ratePerSecond: number }> = [];
  for (const [hour, share] of OFFICE_DAY_CURVE) {
    const rate = peakRate * share * (hour === '08:00' ? surgeAt8 : 1);
    stages.push({ duration: seconds(hourSeconds / 4), ratePerSecond: rate });
    stages.push({ duration: seconds((hourSeconds * 3) / 4), ratePerSecond: rate });
  }
  stages.push({ duration: seconds(Math.min(30, hourSeconds / 2)), ratePerSecond: 0 });
  return stages;
}

function dayScenario(flow: DayFlow, kind: keyof typeof DAY_FLOWS, profile: ProfileName, scale: number): ArrivalScenario {
  const common = { timeUnit: '1m', exec: flow.exec };
  const peak = flow.peakRate * scale;
  let scenario: ArrivalScenario;
  switch (profile) {
    case 'smoke': // the whole day in 22 s, a few iterations per second
      scenario = rampingScenario(dayStages(flow.smokeRate * scale, 2), flow, common);
      scenario.gracefulStop = '20s';
      return scenario;
    case 'load': // one minute per office hour
      return rampingScenario(dayStages(peak, 60), flow, common);
    case 'stress': // the day at twice today's volume: about four years of NDXP's 20 %/year growth
      return rampingScenario(dayStages(peak * 2, 60), flow, common);
    case 'spike': // cut-over day: everyone logs in at 08:00, ten times the usual opening peak
      return rampingScenario(dayStages(peak, 60, kind === 'login' ? 10 : 1), flow, common);
    case 'soak': // six minutes per office hour, 66 minutes in all
      return rampingScenario(dayStages(peak, 360), flow, common);
    case 'breakpoint': // the mix, in proportion, ramped to 5× its peak over 10 minutes
      return rampingScenario([{ duration: '10m', ratePerSecond: peak * 5 }], flow, common);
  }
}

export const options: Options = {
  scenarios: {
    citizen_login: dayScenario(DAY_FLOWS.login, 'login', config.profile, config.scale),
    dossier_submission: dayScenario(DAY_FLOWS.submission, 'submission', config.profile, config.scale),
    ndxp_exchange: dayScenario(DAY_FLOWS.ndxp, 'ndxp', config.profile, config.scale),
  },
  thresholds: thresholdsFor(config.profile, { ...LOGIN_SLO, ...SUBMISSION_SLO, ...NDXP_SLO, ...CHECKS_SLO }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export async function citizenLogin(): Promise<void> {
  const random = randomFor(config.seed, 'day-login', vuNumber(), __ITER);
  await login(makeCitizen(random), random);
}

export async function dossierSubmission(): Promise<void> {
  await fileDossier(randomFor(config.seed, 'day-dossier', vuNumber(), __ITER));
}

export async function agencyExchange(): Promise<void> {
  await ndxpInteraction(vuAgency(), randomFor(config.seed, 'day-ndxp', vuNumber(), __ITER), vuAgency);
}

/** Without scenarios (e.g. `k6 run --vus 10 --duration 1m`): one interaction drawn from the day's mix. */
export default async function (): Promise<void> {
  const random = randomFor(config.seed, 'day-default', vuNumber(), __ITER);
  const flow = random.weighted([
    [agencyExchange, DAY_FLOWS.ndxp.peakRate],
    [citizenLogin, DAY_FLOWS.login.peakRate],
    [dossierSubmission, DAY_FLOWS.submission.peakRate],
  ] as const);
  await flow();
}
