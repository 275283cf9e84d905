// Option handling as k6: durations, layering (script < K6_* env < CLI), shortcuts → scenarios, validation.
import { describe, expect, it } from 'vitest';
import { parseDuration, validateOptions } from '../../engine/index.ts';
import { mergeOptions, optionsFromEnv, scenariosOf } from '../../engine/options/config.ts';

describe('parseDuration', () => {
  it('reads k6 durations and milliseconds', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('60')).toBe(60_000);
    expect(parseDuration(250)).toBe(250);
  });
  it('throws on garbage', () => {
    for (const bad of ['', 'soon', '10 s', '5x', '-1s', 'm']) expect(() => parseDuration(bad)).toThrow(/invalid duration/);
    expect(() => parseDuration(-5)).toThrow(/invalid duration/);
  });
});

describe('option layers', () => {
  it('lets K6_* env win over the script and CLI flags over both; shortcuts replace scenarios', () => {
    const script = { vus: 2, scenarios: { a: { executor: 'constant-vus', vus: 1, duration: '1s' } }, thresholds: { checks: ['rate>0.9'] } };
    const env = optionsFromEnv({ K6_VUS: '5', K6_DURATION: '20s' });
    const cli = { vus: 7 };
    const merged = mergeOptions(script, env, cli);
    expect(merged).toMatchObject({ vus: 7, duration: '20s', thresholds: { checks: ['rate>0.9'] } });
    expect(merged.scenarios).toBeUndefined();
    expect(scenariosOf(merged)).toMatchObject([{ name: 'default', executor: 'constant-vus', vus: 7, durationMs: 20_000 }]);
    expect(validateOptions(merged)).toEqual([]);
  });

  it('derives the default scenario like k6', () => {
    expect(scenariosOf({})).toMatchObject([{ executor: 'per-vu-iterations', vus: 1, iterations: 1 }]);
    expect(scenariosOf({ vus: 3, iterations: 9 })).toMatchObject([{ executor: 'shared-iterations', vus: 3, iterations: 9 }]);
    expect(scenariosOf({ stages: [{ duration: '1s', target: 4 }] })).toMatchObject([
      { executor: 'ramping-vus', startVUs: 1, stages: [{ durationMs: 1000, target: 4 }] },
    ]);
    expect(scenariosOf(mergeOptions({ duration: '1s' }, { scenarios: { x: { executor: 'per-vu-iterations' } } }))).toMatchObject([
      { name: 'x', vus: 1, iterations: 1, gracefulStopMs: 30_000 },
    ]);
  });
});

describe('validateOptions', () => {
  it('accepts every executor with its k6 fields', () => {
    const options = {
      scenarios: {
        a: { executor: 'shared-iterations', vus: 2, iterations: 10, maxDuration: '10s' },
        b: { executor: 'per-vu-iterations', vus: 2, iterations: 3 },
        c: { executor: 'constant-vus', vus: 2, duration: '5s', gracefulStop: '0s' },
        d: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '5s', target: 10 }], gracefulRampDown: '1s' },
        e: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1m', duration: '5s', preAllocatedVUs: 2, maxVUs: 5 },
        f: {
          executor: 'ramping-arrival-rate',
          startRate: 1,
          stages: [{ duration: '5s', target: 10 }],
          preAllocatedVUs: 2,
          startTime: '5s',
          exec: 'other',
          env: { A: 'b' },
          tags: { t: 'v' },
        },
      },
      thresholds: {
        http_req_duration: ['p(95)<500'],
        'checks{group:::login}': [{ threshold: 'rate>0.99', abortOnFail: true, delayAbortEval: '10s' }],
      },
    };
    expect(validateOptions(options)).toEqual([]);
  });

  it('names each problem', () => {
    const problems = validateOptions({
      vus: -1,
      scenarios: {
        'bad name!': { executor: 'constant-vus', duration: '1s' },
        noRate: { executor: 'constant-arrival-rate', duration: '1s', preAllocatedVUs: 1 },
        typo: { executor: 'constant-vus', duration: '1s', vu: 3 },
        ramp: { executor: 'ramping-vus', stages: [{ duration: 'x', target: -1 }] },
        few: { executor: 'shared-iterations', vus: 10, iterations: 5 },
        ext: { executor: 'externally-controlled' },
      },
      thresholds: { http_req_duration: ['p95<1'] },
    });
    const text = problems.join('\n');
    expect(text).toContain('vus must be a non-negative integer');
    expect(text).toContain('scenario "bad name!": invalid name');
    expect(text).toContain('scenario "noRate": executor constant-arrival-rate requires "rate"');
    expect(text).toContain('scenario "typo": unknown field "vu"');
    expect(text).toContain('scenario "ramp": stage 0 duration');
    expect(text).toContain('scenario "ramp": stage 0 target must be an integer ≥ 0');
    expect(text).toContain("the number of iterations (5) can't be less than the number of VUs (10)");
    expect(text).toContain('externally-controlled');
    expect(text).toContain('p95<1');
    expect(validateOptions({ stages: [{ duration: '1s', target: 1 }], duration: '1s' }).join()).toContain('shortcuts');
  });
});
