// The `k6` module: check, group, sleep, fail, randomSeed.
import { BUILTIN_METRICS } from '../metrics/builtin.ts';
import type { Tags } from '../metrics/types.ts';
import type { VU } from '../runtime/vu.ts';
import { isThenable } from '../script/realm.ts';

type Checks = Record<string, unknown>;

function checkTags(vu: VU, name: string, extra: Record<string, string> | undefined): Tags {
  if (extra) return { ...vu.tags, group: vu.groupPath, ...extra, check: name };
  vu.checkTags ??= new Map();
  const key = `${vu.groupPath}\u0000${name}`;
  let tags = vu.checkTags.get(key);
  if (tags === undefined) {
    tags = { ...vu.tags, group: vu.groupPath, check: name };
    vu.checkTags.set(key, tags);
  }
  return tags;
}

/**
 * k6's check(). A condition may be asynchronous (the synchronous-style transform makes a condition
 * that makes requests async): then the conditions run one after the other, each awaited, and
 * check() returns a Promise of the result, which the transformed script awaits.
 */
/** k6's words: `::` separates the levels of a group path, so no name may contain it. */
const NO_SEPARATOR = "group and check names may not contain '::'";

export function check(vu: VU, value: unknown, checks: Checks, tags?: Record<string, string>): boolean | Promise<boolean> {
  if (vu.inInitContext) throw new Error('Using check() in the init context is not supported');
  if (!checks || typeof checks !== 'object') return true;
  const names = Object.keys(checks);
  if (names.some((name) => name.includes('::'))) throw new Error(NO_SEPARATOR);
  let all = true;
  const record = (name: string, result: unknown) => {
    const ok = !!result;
    if (!ok) all = false;
    vu.emit({ time: Date.now(), tags: checkTags(vu, name, tags), samples: [{ metric: BUILTIN_METRICS.checks, value: ok ? 1 : 0 }] });
  };
  for (let i = 0; i < names.length; i++) {
    const result = evaluate(names[i], checks[names[i]], value, record);
    if (isThenable(result)) return finishChecks(names, i, result, checks, value, record).then(() => all);
    record(names[i], result);
  }
  return all;
}

type Recorder = (name: string, result: unknown) => void;

/** A condition that throws is a failed check, and the error goes on to the script (as k6). */
function evaluate(name: string, condition: unknown, value: unknown, record: Recorder): unknown {
  if (typeof condition !== 'function') return condition;
  try {
    return condition(value);
  } catch (error) {
    record(name, false);
    throw error;
  }
}

async function settled(name: string, result: PromiseLike<unknown>, record: Recorder): Promise<unknown> {
  try {
    return await result;
  } catch (error) {
    record(name, false);
    throw error;
  }
}

async function finishChecks(
  names: string[],
  from: number,
  first: PromiseLike<unknown>,
  checks: Checks,
  value: unknown,
  record: Recorder,
): Promise<void> {
  record(names[from], await settled(names[from], first, record));
  for (let i = from + 1; i < names.length; i++) {
    const result = evaluate(names[i], checks[names[i]], value, record);
    record(names[i], isThenable(result) ? await settled(names[i], result, record) : result);
  }
}

export function group<T>(vu: VU, name: string, fn: () => T): T {
  if (vu.inInitContext) throw new Error('Using group() in the init context is not supported');
  if (typeof name === 'string' && name.includes('::')) throw new Error(NO_SEPARATOR);
  if (typeof name !== 'string' || name === '') throw new Error(`group name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (typeof fn !== 'function') throw new Error(`group("${name}") needs a function as its second argument`);
  const parent = vu.groupPath;
  const path = `${parent}::${name}`;
  vu.groupPath = path;
  const start = performance.now();
  const finish = () => {
    vu.groupPath = parent;
    vu.emit({
      time: Date.now(),
      tags: { ...vu.tags, group: path },
      samples: [{ metric: BUILTIN_METRICS.group_duration, value: performance.now() - start }],
    });
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    vu.groupPath = parent;
    throw error;
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => {
        finish();
        return value;
      },
      (error) => {
        vu.groupPath = parent;
        throw error;
      },
    ) as T;
  }
  finish();
  return result;
}

export function sleep(_vu: VU, seconds: number): Promise<void> {
  const ms = Number(seconds) * 1000;
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** k6's fail(): throws, which ends the current iteration (not the test). */
export function fail(_vu: VU, message?: string): never {
  throw new Error(message === undefined ? 'fail() called' : String(message));
}

/** A repeatable Math.random for a seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = Number(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeds Math.random for the thread (k6 seeds the VU's source; here all VUs of a thread share one). The runtime seeds the script realm's Math instead. */
export function randomSeed(_vu: VU, seed: number): void {
  Math.random = seededRandom(seed);
}
