// How a test is split between worker threads, like k6's execution segments: worker `index` of
// `count` takes an equal share of every quantity (VUs, iterations, rates), and the shares always
// add up to the whole, so a multi-worker run does exactly the work of a one-worker run.
export interface ExecutionSegment {
  readonly index: number;
  readonly count: number;
}

export const WHOLE: ExecutionSegment = Object.freeze({ index: 0, count: 1 });

/** This segment's part of an integer quantity. */
export function share(total: number, segment: ExecutionSegment): number {
  const { index, count } = segment;
  return Math.floor((total * (index + 1)) / count) - Math.floor((total * index) / count);
}
