// The engine calls a VU started and that have not settled yet. k6 ends an iteration only when the
// work it started is done (its event loop is empty), so the engine waits for them too; a pending
// call of k6's blocking kind (http.get, sleep, …) means the script did not await it — something the
// synchronous-style transform could not see — and is reported as a script error instead of letting
// the VU race ahead (the runaway of issue 10).

export interface CallSite {
  readonly name: string;
  /** Captured where the call started; its `stack` is formatted only when read (a leak to report). */
  readonly trace: { stack?: string };
}

/**
 * Set by the synchronous-style transform just before each blocking k6 call it sees (and awaits, or the
 * script awaits): `__loadlabSync.calls.seen = true`. A blocking call that finds it unset is one the
 * transform could not see — the only kind that can be left pending — and notes where it started
 * (a stack capture, ~5 µs, too costly for every call).
 */
export interface CallMarks {
  seen: boolean;
}

export interface CallTracking {
  /** The realm's marks (`ScriptRealm.sequential.calls`, which the transformed script sets). */
  readonly marks: CallMarks;
}

export class PendingCalls {
  count = 0;
  /** Pending blocking calls by name (`http.get`: 2). */
  readonly blocking = new Map<string, number>();
  /** Where each pending blocking call the transform did not see started. */
  readonly sites = new Set<CallSite>();
  private waiters: (() => void)[] = [];
  private readonly settleOne = () => this.settle(null);
  private readonly settlers = new Map<string, () => void>();

  /** Tracks `promise`; `blocking` for k6's blocking calls (whose result k6 scripts use without await). */
  track<T>(promise: T, name: string, blocking: boolean, marks: CallMarks): T {
    const settle = this.start(name, blocking, marks);
    (promise as PromiseLike<unknown>).then(settle, settle);
    return promise;
  }

  /**
   * Counts a call as started; the function returned ends it (call it once). For callers that know
   * when their call settles (the http module): no promise reaction per call, as track() needs.
   */
  start(name: string, blocking: boolean, marks: CallMarks): () => void {
    this.count++;
    if (!blocking) return this.settleOne;
    this.blocking.set(name, (this.blocking.get(name) ?? 0) + 1);
    if (marks.seen) {
      marks.seen = false;
      return this.settlers.get(name) ?? this.settlerFor(name);
    }
    const trace: { stack?: string } = {};
    Error.captureStackTrace(trace);
    const site: CallSite = { name, trace };
    this.sites.add(site);
    return () => {
      this.sites.delete(site);
      this.settle(name);
    };
  }

  get blockingCount(): number {
    let n = 0;
    for (const count of this.blocking.values()) n += count;
    return n;
  }

  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private settlerFor(name: string): () => void {
    const settle = () => this.settle(name);
    this.settlers.set(name, settle);
    return settle;
  }

  private settle(name: string | null): void {
    this.count--;
    if (name !== null) {
      const left = (this.blocking.get(name) ?? 1) - 1;
      if (left === 0) this.blocking.delete(name);
      else this.blocking.set(name, left);
    }
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }
}
