// NDXP exchange: agency systems with client-credentials tokens query the national databases through
// the data-sharing gateway and exchange documents between units, each call with a transaction id,
// honouring Retry-After on 429/503 and backing off on 504.
//
//   loadlab run scenarios/ndxp-exchange.ts -e PROFILE=stress -e SCALE=0.25
//   k6 run -e PROFILE=load -e NDXP_URL=https://ndxp.staging.example -e AGENCY_CODES=H26 \
//     -e AGENCY_CLIENT_ID=my-client -e AGENCY_CLIENT_SECRET=... dist/k6/ndxp-exchange.js
import type { Options } from 'k6/options';
import { vuAgency } from './lib/agency-token.ts';
import { config } from './lib/config.ts';
import { ndxpInteraction } from './lib/ndxp-flow.ts';
import { arrivalScenario, type FlowLoad, SUMMARY_TREND_STATS, thresholdsFor } from './lib/profiles.ts';
import { randomFor } from './lib/random.ts';
import { CHECKS_SLO, NDXP_SLO } from './lib/slos.ts';
import { vuNumber } from './lib/vu.ts';

/**
 * 223 transactions/s at `load`: 2.57 M successful transactions a day (seed 001) over 8 office hours
 * is 89/s, and the peak hour is about 2.5× that mean (DOMAIN.md).
 */
export const NDXP_LOAD: FlowLoad = { rate: 223, smokeRate: 5, iterationSeconds: 0.5, spikeFactor: 3, breakpointFactor: 5 };

export const options: Options = {
  scenarios: {
    ndxp_exchange: arrivalScenario(NDXP_LOAD, { profile: config.profile, scale: config.scale, hold: __ENV.HOLD }),
  },
  thresholds: thresholdsFor(config.profile, { ...NDXP_SLO, ...CHECKS_SLO }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default async function (): Promise<void> {
  await ndxpInteraction(vuAgency(), randomFor(config.seed, 'ndxp', vuNumber(), __ITER), vuAgency);
}
