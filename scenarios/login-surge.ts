// Login surge: citizens open the portal and log in with VNeID (OIDC authorization code + PKCE) all at
// once — 08:00 on a cut-over day, when one province created 5,397 accounts for 166 units (DOMAIN.md).
// Each iteration is a different citizen; the spike profile starts thousands of logins within seconds.
//
//   loadlab run scenarios/login-surge.ts -e PROFILE=spike -e SCALE=0.2
//   k6 run -e PROFILE=load -e IDENTITY_URL=https://sso.staging.example dist/k6/login-surge.js
import type { Options } from 'k6/options';
import { config } from './lib/config.ts';
import { login } from './lib/oidc-login.ts';
import { arrivalScenario, type FlowLoad, SUMMARY_TREND_STATS, thresholdsFor } from './lib/profiles.ts';
import { randomFor } from './lib/random.ts';
import { CHECKS_SLO, LOGIN_SLO } from './lib/slos.ts';
import { makeCitizen } from './lib/synthetic.ts';
import { vuNumber } from './lib/vu.ts';

/** 50 logins/s at `load` (a province's cut-over morning); `spike` goes to 10×, `breakpoint` ramps to 20×. */
export const LOGIN_SURGE_LOAD: FlowLoad = { rate: 50, smokeRate: 2, iterationSeconds: 3, spikeFactor: 10, breakpointFactor: 20 };

export const options: Options = {
  scenarios: {
    login_surge: arrivalScenario(LOGIN_SURGE_LOAD, { profile: config.profile, scale: config.scale, hold: __ENV.HOLD }),
  },
  thresholds: thresholdsFor(config.profile, { ...LOGIN_SLO, ...CHECKS_SLO }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default async function (): Promise<void> {
  const random = randomFor(config.seed, 'login-surge', vuNumber(), __ITER);
  await login(makeCitizen(random), random);
}
