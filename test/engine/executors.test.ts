// Executors against a real HTTP target: iteration counts, arrival rates, dropped iterations,
// ramping shapes, several scenarios in parallel, and multi-worker runs equal to one-worker runs.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rampingSchedule } from '../../engine/executors/arrival-rate.ts';
import { goDuration } from '../../engine/executors/executor.ts';
import { rampingVUsAt } from '../../engine/executors/ramping-vus.ts';
import { describeScenario, EXECUTOR_NAMES, scenarioEndMs, scenarioInitialVUs, scenarioMaxVUs } from '../../engine/executors/registry.ts';
import { share } from '../../engine/executors/segment.ts';
import { normalizeScenario } from '../../engine/options/scenarios.ts';
import { run, startTarget, type Target, writeScript } from './helpers.ts';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());

const iterationScript = (scenarios: string) =>
  writeScript(`
import http from 'k6/http';
import { sleep } from 'k6';
export const options = { scenarios: ${scenarios} };
export default async function () {
  await http.get(__ENV.TARGET + '/');
}
export async function slow() {
  await http.get(__ENV.TARGET + '/');
  await sleep(0.5);
}
`);

describe('iteration-based executors', () => {
  it('runs exactly the configured iterations (shared-iterations and per-vu-iterations in parallel)', async () => {
    const script = iterationScript(`{
      shared: { executor: 'shared-iterations', vus: 7, iterations: 101 },
      perVu: { executor: 'per-vu-iterations', vus: 4, iterations: 13 },
    }`);
    const before = target.requests;
    const result = await run(script, { env: { TARGET: target.url } });
    expect(result.exitCode).toBe(0);
    expect(result.recorder.sum('iterations', { scenario: 'shared' })).toBe(101);
    expect(result.recorder.sum('iterations', { scenario: 'perVu' })).toBe(52);
    expect(result.recorder.sum('http_reqs')).toBe(153);
    expect(target.requests - before).toBe(153);
    expect(result.summary.metrics.iterations.values.count).toBe(153);
  });

  it('splits VUs and iterations between workers so that counts equal a one-worker run', async () => {
    const script = iterationScript(`{
      shared: { executor: 'shared-iterations', vus: 5, iterations: 57 },
      perVu: { executor: 'per-vu-iterations', vus: 3, iterations: 11 },
      rate: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '1s', preAllocatedVUs: 5 },
    }`);
    const one = await run(script, { env: { TARGET: target.url }, workers: 1 });
    const two = await run(script, { env: { TARGET: target.url }, workers: 2 });
    for (const result of [one, two]) {
      expect(result.exitCode).toBe(0);
      expect(result.recorder.sum('iterations', { scenario: 'shared' })).toBe(57);
      expect(result.recorder.sum('iterations', { scenario: 'perVu' })).toBe(33);
      // k6 v1.3.0 runs 40 or 41 here: an iteration may start on the duration's last tick.
      expect(result.recorder.sum('iterations', { scenario: 'rate' })).toBeGreaterThanOrEqual(40);
      expect(result.recorder.sum('iterations', { scenario: 'rate' })).toBeLessThanOrEqual(41);
    }
    const fixed = (result: typeof one) =>
      result.recorder.sum('http_reqs', { scenario: 'shared' }) + result.recorder.sum('http_reqs', { scenario: 'perVu' });
    expect(fixed(two)).toBe(fixed(one));
    // VU ids stay unique across workers, as in one k6 instance.
    expect(two.summary.metrics.vus_max.values.value).toBe(13);
  }, 30_000);

  it('shares quantities between segments without losing any', () => {
    for (const total of [0, 1, 7, 100, 1001]) {
      for (const count of [1, 2, 3, 8]) {
        let sum = 0;
        for (let index = 0; index < count; index++) sum += share(total, { index, count });
        expect(sum).toBe(total);
      }
    }
  });
});

describe('arrival-rate executors', () => {
  it('starts iterations at the configured rate, within 2 %, whatever the response time', async () => {
    const script = writeScript(`
import http from 'k6/http';
import { Counter } from 'k6/metrics';
const started = new Counter('started');
export const options = { scenarios: { open: { executor: 'constant-arrival-rate', rate: 200, timeUnit: '1s', duration: '2s', preAllocatedVUs: 60, maxVUs: 100 } } };
export default async function () {
  started.add(1);
  await http.get(__ENV.TARGET + '/slow/150');
}
`);
    const result = await run(script, { env: { TARGET: target.url } });
    const starts = result.recorder.samples('started').map((s) => s.time);
    expect(starts.length).toBeGreaterThanOrEqual(392);
    expect(starts.length).toBeLessThanOrEqual(408);
    expect(result.recorder.sum('dropped_iterations')).toBe(0);
    // The rate holds over time: each half second sees a quarter of the iterations (±2 % of the total).
    const first = Math.min(...starts);
    for (let q = 0; q < 4; q++) {
      const inQuarter = starts.filter((t) => t >= first + q * 500 - 5 && t < first + (q + 1) * 500 - 5).length;
      expect(Math.abs(inQuarter - 100)).toBeLessThanOrEqual(8);
    }
  });

  it('counts dropped_iterations when no VU is free and maxVUs is reached', async () => {
    const script = writeScript(`
import { sleep } from 'k6';
export const options = { scenarios: { starved: { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '1s', preAllocatedVUs: 2, maxVUs: 3, gracefulStop: '2s' } } };
export default async function () { await sleep(0.45); }
`);
    const result = await run(script);
    const iterations = result.recorder.sum('iterations');
    const dropped = result.recorder.sum('dropped_iterations', { scenario: 'starved' });
    // k6 v1.3.0: 9 iterations and 42 dropped (the tick at the duration's end counts too).
    expect(iterations + dropped).toBeGreaterThanOrEqual(50);
    expect(iterations + dropped).toBeLessThanOrEqual(51);
    expect(iterations).toBeGreaterThanOrEqual(6);
    expect(iterations).toBeLessThanOrEqual(9);
    expect(result.summary.metrics.dropped_iterations.values.count).toBe(dropped);
    expect(result.summary.metrics.vus_max.values.value).toBe(3);
  });

  it('ramps the arrival rate along the stages (ramping-arrival-rate)', async () => {
    const script = writeScript(`
export const options = { scenarios: { ramp: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 5, stages: [{ duration: '1s', target: 100 }, { duration: '500ms', target: 100 }] } } };
export default function () {}
`);
    const result = await run(script);
    // ∫ rate = 50 (ramp) + 50 (plateau)
    expect(result.recorder.sum('iterations')).toBe(100);
    const times = result.recorder.samples('iterations').map((s) => s.time);
    const first = Math.min(...times);
    const inFirstHalf = times.filter((t) => t < first + 500).length;
    // A linear ramp from 0 puts a quarter of its 50 arrivals in its first half.
    expect(inFirstHalf).toBeGreaterThanOrEqual(9);
    expect(inFirstHalf).toBeLessThanOrEqual(17);
  });

  it('solves the start times of a linear ramp', () => {
    const at = rampingSchedule(0, [{ durationMs: 1000, target: 100 }], 1000);
    // n(t) = 50·t² (t in s): the 50th arrival at 1 s, the 12.5th at 0.5 s.
    expect(at(0)).toBe(0);
    expect(at(12.5)).toBeCloseTo(500, 6);
    expect(at(49)).toBeCloseTo(Math.sqrt(49 / 50) * 1000, 6);
    expect(at(50)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('VU-based executors', () => {
  it('follows k6 ramping-vus counts along the stages', () => {
    const stages = [
      { durationMs: 1000, target: 10 },
      { durationMs: 1000, target: 10 },
      { durationMs: 1000, target: 0 },
    ];
    expect(rampingVUsAt(0, stages, 0)).toBe(0);
    expect(rampingVUsAt(0, stages, 99)).toBe(0);
    expect(rampingVUsAt(0, stages, 100)).toBe(1);
    expect(rampingVUsAt(0, stages, 550)).toBe(5);
    expect(rampingVUsAt(0, stages, 1500)).toBe(10);
    expect(rampingVUsAt(0, stages, 2050)).toBe(10);
    expect(rampingVUsAt(0, stages, 2100)).toBe(9);
    expect(rampingVUsAt(0, stages, 2950)).toBe(1);
    expect(rampingVUsAt(5, [{ durationMs: 0, target: 8 }], 0)).toBe(8);
  });

  it('ramps VUs up and down (ramping-vus) and keeps constant-vus for its duration', async () => {
    const script = writeScript(`
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';
const beat = new Counter('beat');
export const options = { scenarios: {
  ramp: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 8 }, { duration: '600ms', target: 8 }, { duration: '600ms', target: 0 }], gracefulRampDown: '1s' },
  steady: { executor: 'constant-vus', vus: 3, duration: '1s' },
} };
export default async function () { beat.add(1, { vu: String(__VU) }); await sleep(0.05); }
`);
    const result = await run(script);
    expect(result.exitCode).toBe(0);
    const beats = result.recorder.samples('beat').filter((s) => s.tags.scenario === 'ramp');
    const start = Math.min(...beats.map((b) => b.time));
    const vusBetween = (from: number, to: number) =>
      new Set(beats.filter((b) => b.time >= start + from && b.time < start + to).map((b) => b.tags.vu)).size;
    expect(vusBetween(0, 200)).toBeLessThanOrEqual(3);
    expect(vusBetween(1150, 1550)).toBe(8);
    expect(vusBetween(2100, 2400)).toBeLessThanOrEqual(2);
    expect(new Set(beats.map((b) => b.tags.vu)).size).toBe(8);
    const steady = result.recorder.samples('beat').filter((s) => s.tags.scenario === 'steady');
    expect(new Set(steady.map((b) => b.tags.vu)).size).toBe(3);
    const span = Math.max(...steady.map((b) => b.time)) - Math.min(...steady.map((b) => b.time));
    expect(span).toBeGreaterThan(850);
    expect(span).toBeLessThan(1100);
  });

  it('starts thousands of VUs without holding the first ones back: their responses come while the rest start', async () => {
    const script = writeScript(`
import http from 'k6/http';
import { Counter } from 'k6/metrics';
const started = new Counter('started');
export const options = { scenarios: {
  many: { executor: 'per-vu-iterations', vus: 1500, iterations: 1 },
  looping: { executor: 'constant-vus', vus: 1500, duration: '1s', startTime: '1500ms' },
} };
export default async function () {
  started.add(1);
  await http.asyncRequest('GET', __ENV.TARGET + '/');
}
`);
    const before = target.requests;
    const result = await run(script, { env: { TARGET: target.url } });
    expect(result.exitCode).toBe(0);
    for (const scenario of ['many', 'looping']) {
      const starts = result.recorder.samples('started').filter((s) => s.tags.scenario === scenario);
      const responses = result.recorder.samples('http_reqs').filter((s) => s.tags.scenario === scenario);
      expect(starts.length).toBeGreaterThanOrEqual(1500);
      // Started in one synchronous run, no response could be read before the last VU's first iteration began.
      expect(Math.min(...responses.map((r) => r.time))).toBeLessThan(Math.max(...starts.slice(0, 1500).map((s) => s.time)));
    }
    expect(result.recorder.sum('iterations', { scenario: 'many' })).toBe(1500);
    expect(target.requests - before).toBe(result.recorder.sum('http_reqs'));
  }, 30_000);

  it('starts a scenario at its startTime and runs its exec function with its env and tags', async () => {
    const script = writeScript(`
import { Counter } from 'k6/metrics';
const seen = new Counter('seen');
export const options = { scenarios: {
  later: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '400ms', exec: 'other', env: { WHO: 'later' }, tags: { flow: 'x' } },
  now: { executor: 'per-vu-iterations', vus: 1, iterations: 1 },
} };
export default function () { seen.add(1, { who: 'now' }); }
export function other() { seen.add(1, { who: __ENV.WHO }); }
`);
    const result = await run(script);
    const [later] = result.recorder.samples('seen').filter((s) => s.tags.who === 'later');
    const [now] = result.recorder.samples('seen').filter((s) => s.tags.who === 'now');
    expect(later.tags.flow).toBe('x');
    expect(later.tags.scenario).toBe('later');
    expect(later.time - now.time).toBeGreaterThanOrEqual(380);
  });
});

// The same scenarios as a k6 script (k6 prints their descriptions under "scenarios:").
const DESCRIBED: Record<string, Record<string, unknown>> = {
  si: { executor: 'shared-iterations', vus: 2, iterations: 3, maxDuration: '2s' },
  pvi: { executor: 'per-vu-iterations', vus: 2, iterations: 1, exec: 'other', startTime: '100ms', gracefulStop: '0s' },
  cv: { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '1500ms' },
  rv: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '500ms', target: 2 },
      { duration: '500ms', target: 0 },
    ],
    gracefulRampDown: '0s',
  },
  car: { executor: 'constant-arrival-rate', rate: 7, timeUnit: '3s', duration: '1s', preAllocatedVUs: 1, maxVUs: 3 },
  car2: { executor: 'constant-arrival-rate', rate: 5, duration: '1s', preAllocatedVUs: 2 },
  rar: { executor: 'ramping-arrival-rate', startRate: 3, timeUnit: '1m', preAllocatedVUs: 2, stages: [{ duration: '1s', target: 10 }] },
  rar0: { executor: 'ramping-arrival-rate', preAllocatedVUs: 0, maxVUs: 1, stages: [{ duration: '1s', target: 0 }] },
};
const described = () => Object.entries(DESCRIBED).map(([name, raw]) => describeScenario(normalizeScenario(name, raw)));

describe('executor registry', () => {
  it('has a module for every executor k6 has but externally-controlled (refused in validation)', () => {
    expect([...EXECUTOR_NAMES].sort()).toEqual([
      'constant-arrival-rate',
      'constant-vus',
      'per-vu-iterations',
      'ramping-arrival-rate',
      'ramping-vus',
      'shared-iterations',
    ]);
  });

  it("describes each scenario in k6's words (lines printed by k6 v1.3.0 for the same options)", () => {
    expect(described()).toEqual([
      'si: 3 iterations shared among 2 VUs (maxDuration: 2s, gracefulStop: 30s)',
      'pvi: 1 iterations for each of 2 VUs (maxDuration: 10m0s, exec: other, startTime: 100ms)',
      'cv: 1 looping VUs for 1s (gracefulStop: 1.5s)',
      'rv: Up to 2 looping VUs for 1s over 2 stages (gracefulRampDown: 0s, gracefulStop: 30s)',
      'car: 2.33 iterations/s for 1s (maxVUs: 1-3, gracefulStop: 30s)',
      'car2: 5.00 iterations/s for 1s (maxVUs: 2, gracefulStop: 30s)',
      'rar: Up to 0.17 iterations/s for 1s over 1 stages (maxVUs: 2, gracefulStop: 30s)',
      'rar0: Up to 0.00 iterations/s for 1s over 1 stages (maxVUs: 0-1, gracefulStop: 30s)',
    ]);
  });

  it.skipIf(!process.env.LOADLAB_K6)('prints the scenarios header exactly as the k6 in LOADLAB_K6 does', async () => {
    const script = writeScript(
      `import { sleep } from 'k6';\nexport const options = { scenarios: ${JSON.stringify(DESCRIBED)} };\n` +
        'export default function () { sleep(0.1); }\nexport function other() {}\n',
      'js',
    );
    const stdout = execFileSync(process.env.LOADLAB_K6!, ['run', '--no-usage-report', '--no-summary', '--address', '127.0.0.1:0', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    // The scenarios line (count, max VUs, max duration) and the descriptions, in k6's order (start time, then name).
    const header = (text: string) => [...text.matchAll(/^\s+(scenarios: .+|\* .+)$/gm)].map((m) => m[1]);
    const engine = await run(script, { quiet: false, summaryMode: 'disabled' });
    expect(header(engine.stderr)).toEqual(header(stdout));
    expect(header(stdout)).toHaveLength(1 + Object.keys(DESCRIBED).length);
  });

  it("gives each executor's VU requirements and end (startTime + duration + graceful stop, gracefulRampDown for ramping-vus)", () => {
    const rows = Object.entries(DESCRIBED).map(([name, raw]) => {
      const s = normalizeScenario(name, raw);
      return [name, scenarioInitialVUs(s), scenarioMaxVUs(s), scenarioEndMs(s)];
    });
    expect(rows).toEqual([
      ['si', 2, 2, 2000 + 30_000],
      ['pvi', 2, 2, 100 + 600_000],
      ['cv', 1, 1, 1000 + 1500],
      ['rv', 2, 2, 1000 + 30_000],
      ['car', 1, 3, 1000 + 30_000],
      ['car2', 2, 2, 1000 + 30_000],
      ['rar', 2, 2, 1000 + 30_000],
      ['rar0', 0, 1, 1000 + 30_000],
    ]);
    const rampDown = normalizeScenario('r', {
      executor: 'ramping-vus',
      stages: [{ duration: '1s', target: 5 }],
      gracefulRampDown: '40s',
      gracefulStop: '2s',
    });
    expect(scenarioEndMs(rampDown)).toBe(1000 + 40_000);
  });

  it("formats durations as Go's time.Duration does", () => {
    expect([0, 0.5, 1, 100, 1500, 60_000, 90_500, 600_100, 3_600_000, 3_723_000].map(goDuration)).toEqual([
      '0s',
      '500µs',
      '1ms',
      '100ms',
      '1.5s',
      '1m0s',
      '1m30.5s',
      '10m0.1s',
      '1h0m0s',
      '1h2m3s',
    ]);
  });
});
