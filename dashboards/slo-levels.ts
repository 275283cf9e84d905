// The colour thresholds of the dashboards, read from the flows' SLOs (scenarios/lib/slos.ts)
// through the engine's threshold grammar, so a panel turns red where a threshold fails.
import { parseThresholdExpression } from '../engine/index.ts';
import type { ThresholdSet } from '../scenarios/lib/profiles.ts';
import { CHECKS_SLO, LOGIN_SLO, NDXP_SLO, SUBMISSION_SLO } from '../scenarios/lib/slos.ts';

/** The limit of the first threshold on `metric` whose aggregation is `method` (e.g. 'p' for p(95)). */
function limitOf(set: ThresholdSet, metric: string, method: string): number {
  for (const spec of set[metric] ?? []) {
    const expression = parseThresholdExpression(spec);
    if (expression.method === method) return expression.value;
  }
  throw new Error(`scenarios/lib/slos.ts has no ${method} threshold on ${metric}: the dashboards take their colours from it`);
}

/** Failed requests: the share above which a flow breaks its SLO (`http_req_failed` rate<…). */
export const FAILED_RATE_LIMIT = limitOf(LOGIN_SLO, 'http_req_failed{flow:login}', 'rate');
/** Checks: the pass rate below which the run fails (`checks` rate>…). */
export const CHECKS_RATE_MIN = limitOf(CHECKS_SLO, 'checks', 'rate');
/** Request latency, seconds: orange from the strictest per-request SLO (the catalogue), red from the login's end-to-end p95. */
export const LATENCY_WARN_S = limitOf(SUBMISSION_SLO, 'http_req_duration{name:/api/procedures}', 'p') / 1000;
export const LATENCY_BAD_S = limitOf(LOGIN_SLO, 'login_duration', 'p') / 1000;
/** NDXP's per-request p95 limit, seconds (quoted in descriptions). */
export const NDXP_LATENCY_S = limitOf(NDXP_SLO, 'http_req_duration{flow:ndxp}', 'p') / 1000;

/** `0.01` → `1 %`, for panel descriptions. */
export const percent = (share: number): string => `${Math.round(share * 1000) / 10} %`;
