// k6's `rps` option (--rps, K6_RPS): at most that many HTTP requests per second over all VUs. k6
// holds one Go `rate.Limiter(rps, burst 1)` per instance and every request waits on it once before
// it is sent (redirect hops and digest round trips are part of the same request, not new ones), in
// setup() and teardown() as in the VUs. The worker threads here are one k6 instance, so they share
// one limiter: its next free slot lives in shared memory (segment.ts counters).

/**
 * Go's token bucket with a burst of 1, as reservations: the first request goes at once, each next
 * one at least 1/rate after the one before, whichever thread sends it. A request that waits keeps
 * its slot (as Go's Wait reserves it), so VUs waiting together are served one per interval.
 */
export class RequestRateLimiter {
  private readonly intervalUs: bigint;

  /** `nextAt`: one cell, the epoch µs from which the next request may go; shared by the threads. */
  constructor(
    intervalMs: number,
    private readonly nextAt: BigInt64Array = new BigInt64Array(1),
  ) {
    this.intervalUs = BigInt(Math.round(intervalMs * 1000));
  }

  /** Reserves the next slot: how many ms the request waits before it is sent (0: at once). */
  reserve(nowMs: number): number {
    const now = BigInt(Math.round(nowMs * 1000));
    for (;;) {
      const next = Atomics.load(this.nextAt, 0);
      const at = next > now ? next : now;
      if (Atomics.compareExchange(this.nextAt, 0, next, at + this.intervalUs) === next) return Number(at - now) / 1000;
    }
  }
}

/** The instance's limiter for the merged options, or null when `rps` is unset or 0 (no limit, as k6). */
export function rpsLimiter(options: Readonly<Record<string, unknown>>, nextAt?: BigInt64Array): RequestRateLimiter | null {
  const rps = options.rps;
  if (typeof rps !== 'number' || !(rps > 0)) return null;
  return new RequestRateLimiter(1000 / rps, nextAt);
}
