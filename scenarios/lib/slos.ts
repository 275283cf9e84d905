// Each flow's service-level objectives as k6 thresholds. The metric names and expressions are what
// the summary, the capacity search and the reports quote, so they are kept in one place.
import type { ThresholdSet } from './profiles.ts';

/** Login surge: a citizen is logged in within 3 s (p95) end to end, and 99 % of logins succeed. */
export const LOGIN_SLO: ThresholdSet = {
  login_duration: ['p(95)<3000', 'p(99)<6000'],
  login_success: ['rate>0.99'],
  'http_req_failed{flow:login}': ['rate<0.01'],
};

/** Dossier submission: uploads + submission within 5 s (p95), under 1 % failed requests, catalogue fast. */
export const SUBMISSION_SLO: ThresholdSet = {
  dossier_submit_duration: ['p(95)<5000'],
  dossier_submit_success: ['rate>0.99'],
  'http_req_failed{flow:submission}': ['rate<0.01'],
  'http_req_duration{name:/api/procedures}': ['p(95)<1000'],
};

/** NDXP exchange: 99 % of transactions succeed (after the retries a real client makes), p95 under 1 s. */
export const NDXP_SLO: ThresholdSet = {
  ndxp_transaction_success: ['rate>0.99'],
  ndxp_transaction_duration: ['p(95)<1000'],
  'http_req_duration{flow:ndxp}': ['p(95)<800'],
};

/** Checks guard the functional correctness of every flow. */
export const CHECKS_SLO: ThresholdSet = {
  checks: ['rate>0.99'],
};
