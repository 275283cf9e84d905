// Soak stability: does latency, the error rate or memory drift over a long run? A least-squares slope
// over per-second points, expressed as the relative change across the run so that any run compares.
import type { ServiceSampleLine } from '../run-folder.ts';
import { linearFit, mean } from '../stats.ts';
import type { SecondPoint } from './run-facts.ts';

export interface Drift {
  subject: string;
  /** Units per minute. */
  slopePerMin: number;
  /** Change over the run relative to the mean (0.25 = +25 %); for errors, percentage points. */
  change: number;
  r2: number;
  drifting: boolean;
}

export interface Stability {
  durationS: number;
  /** Stability needs a run long enough for a trend to be a trend, not warm-up. */
  meaningful: boolean;
  drifts: Drift[];
}

export const LATENCY_DRIFT = 0.2;
export const MEMORY_DRIFT = 0.1;
export const ERROR_DRIFT = 0.01;
/** The first part of a run is warm-up (connection pools, JIT): trends are measured after it. */
export const WARM_UP_SHARE = 0.1;
/** A trend counts only when it explains this share of the variation, not when noise tilts the line. */
export const TREND_MIN_R2 = 0.3;
/** Shorter runs say nothing about drift (the soak profile runs longer). */
export const SOAK_SECONDS = 300;

function drift(subject: string, ts: number[], ys: number[], limit: number, absolute: boolean): Drift {
  const minutes = ts.map((t) => (t - ts[0]) / 60);
  const fit = linearFit(minutes, ys);
  const span = minutes.length ? minutes[minutes.length - 1] : 0;
  const level = mean(ys);
  const change = absolute ? fit.slope * span : level > 0 ? (fit.slope * span) / level : 0;
  return { subject, slopePerMin: fit.slope, change, r2: fit.r2, drifting: change > limit && fit.r2 >= TREND_MIN_R2 };
}

export function analyseStability(seconds: readonly SecondPoint[], services: readonly ServiceSampleLine[]): Stability {
  const skip = Math.floor(seconds.length * WARM_UP_SHARE);
  const steady = seconds.slice(skip).filter((point) => point.requests > 0);
  const durationS = seconds.length ? seconds[seconds.length - 1].t - seconds[0].t + 1 : 0;
  const drifts: Drift[] = [];
  if (steady.length >= 10) {
    drifts.push(
      drift(
        'latency_p95',
        steady.map((p) => p.t),
        steady.map((p) => p.p95),
        LATENCY_DRIFT,
        false,
      ),
    );
    drifts.push(
      drift(
        'error_rate',
        steady.map((p) => p.t),
        steady.map((p) => p.failed / p.requests),
        ERROR_DRIFT,
        true,
      ),
    );
  }
  const memoryByService = new Map<string, { t: number[]; v: number[] }>();
  for (const line of services) {
    if (line.metric !== 'process_resident_memory_bytes') continue;
    let series = memoryByService.get(line.service);
    if (!series) memoryByService.set(line.service, (series = { t: [], v: [] }));
    series.t.push(line.t);
    series.v.push(line.value);
  }
  for (const [service, series] of memoryByService) {
    const from = Math.floor(series.t.length / 10);
    if (series.t.length - from >= 10)
      drifts.push(drift(`memory:${service}`, series.t.slice(from), series.v.slice(from), MEMORY_DRIFT, false));
  }
  const meaningful = durationS >= SOAK_SECONDS;
  // A short run's trend is mostly warm-up and noise: report it, never call it a drift.
  return { durationS, meaningful, drifts: meaningful ? drifts : drifts.map((d) => ({ ...d, drifting: false })) };
}
