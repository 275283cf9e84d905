// k6's `rps` option (--rps, K6_RPS): at most that many HTTP requests per second over all VUs. k6
// holds one Go `rate.Limiter(rps, burst 1)` per instance and every request waits on it once before
// it is sent (redirect hops and digest round trips are part of the same request, not new ones).
// Here the VUs of one k6 instance are spread over worker threads, so each thread holds a limiter
// with its part of the rate: the part of the test's VUs it runs, so that the threads' limits add up
// to the option (an equal split by thread would waste the part of a thread that has no VU).
import { type ExecutionSegment, share } from '../../executors/segment.ts';
import type { Scenario } from '../../options/scenarios.ts';
import { peakVUs } from './os-limits.ts';

/**
 * Go's token bucket with a burst of 1, as reservations: the first request goes at once, each next
 * one at least 1/rate after the one before. A request that waits keeps its slot (as Go's Wait
 * reserves it), so VUs waiting together are served one per interval, in arrival order.
 */
export class RequestRateLimiter {
  /** Epoch ms from which the next request may go. */
  private nextAt = 0;

  constructor(readonly intervalMs: number) {}

  /** Reserves the next slot: how many ms the request waits before it is sent (0: at once). */
  reserve(now: number): number {
    const at = Math.max(this.nextAt, now);
    this.nextAt = at + this.intervalMs;
    return at - now;
  }
}

/** The limiters of one thread: the VUs' share of the rate, and the whole rate for setup() and teardown(). */
export interface ThreadRpsLimits {
  readonly vus: RequestRateLimiter;
  /** setup() and teardown() run while no VU does (k6: the same limiter), so they get the whole rate. */
  readonly lifecycle: RequestRateLimiter;
}

/** The thread's part of the test's VUs (the same split as the executors', segment.ts `share`), 0…1. */
export function vuFraction(scenarios: readonly Scenario[], segment: ExecutionSegment): number {
  let total = 0;
  let here = 0;
  for (const s of scenarios) {
    // A scenario's most VUs at once (maxVUs for arrival rates): what its share of the rate is reckoned on.
    const vus = peakVUs([s]);
    total += vus;
    here += share(vus, segment);
  }
  return total === 0 ? 0 : here / total;
}

/** The limiters of a thread for the merged options, or null when `rps` is unset or 0 (no limit, as k6). */
export function threadRpsLimits(
  options: Readonly<Record<string, unknown>>,
  scenarios: readonly Scenario[],
  segment: ExecutionSegment,
): ThreadRpsLimits | null {
  const rps = options.rps;
  if (typeof rps !== 'number' || !(rps > 0)) return null;
  const fraction = vuFraction(scenarios, segment);
  return {
    // A thread without VUs sends no VU request; its limiter is the whole rate only to stay finite.
    vus: new RequestRateLimiter(1000 / (rps * (fraction > 0 ? fraction : 1))),
    lifecycle: new RequestRateLimiter(1000 / rps),
  };
}
