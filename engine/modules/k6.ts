// The `k6` module: check, group, sleep, fail, randomSeed.
import { BUILTIN_METRICS } from '../metrics/builtin.ts';
import type { Tags } from '../metrics/types.ts';
import type { VU } from '../runtime/vu.ts';

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

export function check(vu: VU, value: unknown, checks: Checks, tags?: Record<string, string>): boolean {
  if (!checks || typeof checks !== 'object') return true;
  let all = true;
  const time = Date.now();
  for (const name of Object.keys(checks)) {
    const condition = checks[name];
    const result = typeof condition === 'function' ? condition(value) : condition;
    if (result instanceof Promise) {
      throw new Error(`check "${name}" returned a Promise: check conditions must be synchronous (await the value before check())`);
    }
    const ok = !!result;
    if (!ok) all = false;
    vu.emit({ time, tags: checkTags(vu, name, tags), samples: [{ metric: BUILTIN_METRICS.checks, value: ok ? 1 : 0 }] });
  }
  return all;
}

export function group<T>(vu: VU, name: string, fn: () => T): T {
  if (typeof name !== 'string' || name === '' || name.includes('::')) {
    throw new Error(`group name must be a non-empty string without '::', got ${JSON.stringify(name)}`);
  }
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
  if (result instanceof Promise) {
    return result.then(
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

/** Seeds Math.random for the thread (k6 seeds the VU's source; here all VUs of a thread share one). */
export function randomSeed(_vu: VU, seed: number): void {
  let state = Number(seed) >>> 0;
  Math.random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
