// What constant-arrival-rate and ramping-arrival-rate share: an open model. Iterations start on
// schedule whatever the response times (no coordinated omission); a start with no free VU and no
// room below maxVUs is counted in dropped_iterations. Iteration i of the whole test starts at
// startTimeOf(i); with several workers, each runs the iterations of its VU slots (slotOwners).
import type { VU } from '../runtime/vu.ts';
import type { ScenarioFields, Stage } from './executor.ts';
import type { ScenarioRun } from './scenario-run.ts';
import { share } from './segment.ts';

/** Start time (ms from the scenario start) of iteration i (from 0) under a constant rate. */
export function constantStartTime(rate: number, timeUnitMs: number, i: number): number {
  return (i * timeUnitMs) / rate;
}

/**
 * Start times under a piecewise-linear rate: iteration i starts when the cumulative number of
 * arrivals, the integral of the rate, reaches i.
 */
export function rampingSchedule(startRate: number, stages: readonly Stage[], timeUnitMs: number): (i: number) => number {
  const segments: { start: number; duration: number; from: number; to: number; before: number }[] = [];
  let from = startRate;
  let start = 0;
  let before = 0;
  for (const stage of stages) {
    segments.push({ start, duration: stage.durationMs, from, to: stage.target, before });
    before += ((from + stage.target) / 2) * (stage.durationMs / timeUnitMs);
    from = stage.target;
    start += stage.durationMs;
  }
  return (i) => {
    for (const s of segments) {
      const count = ((s.from + s.to) / 2) * (s.duration / timeUnitMs);
      if (i >= s.before + count - 1e-9) continue;
      const n = i - s.before;
      // n = (from·t + (to-from)·t²/(2·d)) / timeUnit, solved for t.
      const a = (s.to - s.from) / (2 * s.duration * timeUnitMs);
      const b = s.from / timeUnitMs;
      if (Math.abs(a) < 1e-15) return s.start + n / b;
      return s.start + (-b + Math.sqrt(Math.max(0, b * b + 4 * a * n))) / (2 * a);
    }
    return Number.POSITIVE_INFINITY;
  };
}

/**
 * Which thread starts iteration i: the iterations cycle over the scenario's maxVUs slots, and the
 * slots are dealt to the threads in proportion to their share of maxVUs, interleaved (the thread
 * furthest behind its share takes the next slot). A thread with no VU starts no iteration.
 */
export function slotOwners(maxVUs: number, count: number, shareOf: (index: number) => number): Int32Array {
  const owners = new Int32Array(Math.max(1, maxVUs));
  const shares = Array.from({ length: count }, (_, w) => shareOf(w));
  const dealt = new Array<number>(count).fill(0);
  for (let x = 0; x < maxVUs; x++) {
    let best = -1;
    let bestDeficit = Number.NEGATIVE_INFINITY;
    for (let w = 0; w < count; w++) {
      if (dealt[w] >= shares[w]) continue;
      const deficit = shares[w] * (x + 1) - dealt[w] * maxVUs;
      if (deficit > bestDeficit) {
        best = w;
        bestDeficit = deficit;
      }
    }
    owners[x] = best;
    dealt[best]++;
  }
  return owners;
}

/** The VU fields both arrival-rate executors have, as parsed. */
export interface ArrivalVUs {
  preAllocatedVUs: number;
  /** Never below preAllocatedVUs. */
  maxVUs: number;
}

/** Reads preAllocatedVUs and maxVUs (maxVUs defaults to preAllocatedVUs, as in k6). */
export function parseArrivalVUs(fields: ScenarioFields): ArrivalVUs {
  const preAllocatedVUs = fields.integer('preAllocatedVUs', 0, 0);
  const maxVUs = fields.integer('maxVUs', 0, 0);
  const raw = fields.raw;
  if (typeof raw.maxVUs === 'number' && typeof raw.preAllocatedVUs === 'number' && raw.maxVUs < raw.preAllocatedVUs) {
    fields.problem(`maxVUs (${raw.maxVUs}) can't be less than preAllocatedVUs (${raw.preAllocatedVUs})`);
  }
  if (raw.preAllocatedVUs === 0 && (raw.maxVUs === undefined || raw.maxVUs === 0)) {
    fields.problem('either preAllocatedVUs or maxVUs must be more than 0');
  }
  return { preAllocatedVUs, maxVUs: Math.max(maxVUs, preAllocatedVUs) };
}

/** k6's "maxVUs: 2" or "maxVUs: 2-10" fact in an arrival-rate description. */
export const maxVUsRange = (s: ArrivalVUs): string =>
  s.maxVUs > s.preAllocatedVUs ? `maxVUs: ${s.preAllocatedVUs}-${s.maxVUs}` : `maxVUs: ${s.preAllocatedVUs}`;

/** Iterations per `timeUnitMs` as k6 describes them: iterations per second with two decimals. */
export const perSecond = (iterations: number, timeUnitMs: number): string => ((iterations * 1000) / timeUnitMs).toFixed(2);

/** Runs the iterations due at startTimeOf(0), startTimeOf(1), … up to `durationMs`, on up to maxVUs VUs. */
export async function runArrivals(
  run: ScenarioRun,
  startTimeOf: (i: number) => number,
  durationMs: number,
  preAllocatedVUs: number,
  maxVUs: number,
): Promise<void> {
  const preallocated = share(preAllocatedVUs, run.segment);
  const maxHere = share(maxVUs, run.segment);
  run.maxVUs = maxHere;
  run.progressOf = (elapsed) => elapsed / durationMs;
  const idle: VU[] = [];
  for (let i = 0; i < preallocated; i++) idle.push(run.activate());
  let running = 0;
  let drained: (() => void) | null = null;
  const iterationDone = (vu: VU) => {
    running--;
    if (!vu.interrupted) idle.push(vu);
    if (running === 0 && drained) drained();
  };
  const { index, count } = run.segment;
  const owners = count === 1 ? null : slotOwners(maxVUs, count, (w) => share(maxVUs, { index: w, count }));
  const mine = (n: number) => owners === null || owners[n % owners.length] === index;
  let i = 0;
  while (!mine(i) && maxHere > 0) i++;
  for (;;) {
    const due = startTimeOf(i);
    // An iteration due exactly at the end still starts, as in k6 (rate 10/s for 1s: 11 iterations).
    if (!(due <= durationMs) || run.stopped || maxHere === 0) break;
    const wait = due - run.elapsed();
    if (wait > 1) {
      await run.sleep(wait);
      continue;
    }
    let vu = idle.pop();
    if (vu === undefined && run.activeVUs < maxHere) vu = run.activate();
    if (vu === undefined) run.emitDropped();
    else {
      running++;
      const started = vu;
      run.iterate(started, i).then(() => iterationDone(started));
    }
    do i++;
    while (!mine(i));
  }
  const allDone = running === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
  run.stopping = true;
  for (const vu of idle) run.release(vu);
  await run.finish(allDone, durationMs);
}
