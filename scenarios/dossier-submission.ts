// Dossier submission: a logged-in citizen (one per VU, token refreshed before expiry) searches the
// procedure catalogue, opens a procedure, uploads 1–3 scans (100 KB–2 MB), submits the dossier, pays
// the fee for level-4 services and polls the status with back-off.
//
//   loadlab run scenarios/dossier-submission.ts -e PROFILE=load -e SCALE=0.5
//   k6 run -e PROFILE=smoke -e PORTAL_URL=https://dvc.staging.example dist/k6/dossier-submission.js
import type { Options } from 'k6/options';
import { config } from './lib/config.ts';
import { fileDossier } from './lib/dossier-flow.ts';
import { arrivalScenario, type FlowLoad, SUMMARY_TREND_STATS, thresholdsFor } from './lib/profiles.ts';
import { randomFor } from './lib/random.ts';
import { CHECKS_SLO, LOGIN_SLO, SUBMISSION_SLO } from './lib/slos.ts';
import { vuNumber } from './lib/vu.ts';

/**
 * 2 dossiers/s at `load`: ≈ 22,400 online dossiers a day nationally (see portal-day.ts for the
 * derivation) over 8 office hours, times a peak-hour factor of 2.5.
 */
export const DOSSIER_LOAD: FlowLoad = { rate: 2, smokeRate: 0.5, iterationSeconds: 40, spikeFactor: 5, breakpointFactor: 20 };

export const options: Options = {
  scenarios: {
    dossier_submission: arrivalScenario(DOSSIER_LOAD, { profile: config.profile, scale: config.scale, hold: __ENV.HOLD }),
  },
  thresholds: thresholdsFor(config.profile, { ...SUBMISSION_SLO, ...LOGIN_SLO, ...CHECKS_SLO }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default async function (): Promise<void> {
  await fileDossier(randomFor(config.seed, 'dossier', vuNumber(), __ITER));
}
