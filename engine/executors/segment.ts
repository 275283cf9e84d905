// How a test is split between worker threads, like k6's execution segments: worker `index` of
// `count` takes an equal share of every quantity (VUs, iterations, rates), and the shares always
// add up to the whole, so a multi-worker run does exactly the work of a one-worker run.
// The threads are still one k6 instance: scenario-wide iteration numbers come from counters in
// shared memory, so that they are unique and gap-free across threads as in a single k6 process.
export interface ExecutionSegment {
  readonly index: number;
  readonly count: number;
  /** Scenario-wide counters shared by all threads (absent: one thread, counters are local). */
  readonly counters?: SharedCounters;
}

export interface SharedCounters {
  /** One Int32 per scenario, then the VU id counter, in shared memory. */
  readonly cells: Int32Array;
  /** Scenario name → its cell. */
  readonly slots: Readonly<Record<string, number>>;
  /** The rps limiter's next free slot (epoch µs), one for all threads as k6's one limiter per instance. */
  readonly rpsNextAt: BigInt64Array;
}

export const WHOLE: ExecutionSegment = Object.freeze({ index: 0, count: 1 });

export function createSharedCounters(scenarioNames: readonly string[]): SharedCounters {
  return {
    cells: new Int32Array(new SharedArrayBuffer((scenarioNames.length + 1) * Int32Array.BYTES_PER_ELEMENT)),
    slots: Object.fromEntries(scenarioNames.map((name, i) => [name, i])),
    rpsNextAt: new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT)),
  };
}

/** The test-wide VU ids, 1, 2, 3 … in the order VUs are initialised in any thread, as k6 numbers them. */
export class VUIdCounter {
  private local = 0;
  constructor(private readonly segment: ExecutionSegment) {}

  next(): number {
    const counters = this.segment.counters;
    if (counters === undefined) return ++this.local;
    return Atomics.add(counters.cells, counters.cells.length - 1, 1) + 1;
  }
}

/** This segment's part of an integer quantity. */
export function share(total: number, segment: ExecutionSegment): number {
  const { index, count } = segment;
  return Math.floor((total * (index + 1)) / count) - Math.floor((total * index) / count);
}

/** The scenario-wide counter of one scenario: each `next()` returns the next number, 0, 1, 2 … across threads. */
export class ScenarioCounter {
  private local = 0;
  private readonly cells: Int32Array | null;
  private readonly slot: number;

  constructor(segment: ExecutionSegment, scenario: string) {
    const slot = segment.counters?.slots[scenario];
    this.cells = slot === undefined ? null : segment.counters!.cells;
    this.slot = slot ?? 0;
  }

  next(): number {
    return this.cells ? Atomics.add(this.cells, this.slot, 1) : this.local++;
  }
}
