// Option handling as k6: durations, layering (script < K6_* env < CLI), shortcuts → scenarios, validation.
import { describe, expect, it } from 'vitest';
import { parseDuration, validateOptions } from '../../engine/index.ts';
import { mergeOptions, optionsFromEnv, scenariosOf } from '../../engine/options/config.ts';
import { consolidatedOptions } from '../../engine/options/k6-options.ts';
import { normalizeScenario, parseScenario } from '../../engine/options/scenarios.ts';

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

describe('parseScenario', () => {
  const base = { startTimeMs: 0, gracefulStopMs: 30_000, exec: 'default', execExplicit: false, env: {}, tags: {} };
  it("fills in each executor's k6 defaults in the typed scenario", () => {
    const parsed = (raw: Record<string, unknown>) => parseScenario('s', raw);
    expect(parsed({ executor: 'shared-iterations' })).toEqual({
      scenario: { name: 's', ...base, executor: 'shared-iterations', vus: 1, iterations: 1, maxDurationMs: 600_000 },
      problems: [],
    });
    expect(parsed({ executor: 'per-vu-iterations', vus: 3 }).scenario).toEqual({
      name: 's',
      ...base,
      executor: 'per-vu-iterations',
      vus: 3,
      iterations: 1,
      maxDurationMs: 600_000,
    });
    expect(parsed({ executor: 'constant-vus', duration: '2s', exec: 'default' }).scenario).toEqual({
      name: 's',
      ...base,
      execExplicit: true,
      executor: 'constant-vus',
      vus: 1,
      durationMs: 2000,
    });
    expect(parsed({ executor: 'ramping-vus', stages: [{ duration: '1s', target: 2 }] }).scenario).toEqual({
      name: 's',
      ...base,
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [{ durationMs: 1000, target: 2 }],
      gracefulRampDownMs: 30_000,
    });
    expect(parsed({ executor: 'constant-arrival-rate', rate: 4, duration: '1m', preAllocatedVUs: 3, startTime: '2s' }).scenario).toEqual({
      name: 's',
      ...base,
      startTimeMs: 2000,
      executor: 'constant-arrival-rate',
      rate: 4,
      timeUnitMs: 1000,
      durationMs: 60_000,
      preAllocatedVUs: 3,
      maxVUs: 3,
    });
    expect(
      parsed({ executor: 'ramping-arrival-rate', stages: [{ duration: '1s', target: 9 }], preAllocatedVUs: 1, maxVUs: 4 }).scenario,
    ).toEqual({
      name: 's',
      ...base,
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnitMs: 1000,
      stages: [{ durationMs: 1000, target: 9 }],
      preAllocatedVUs: 1,
      maxVUs: 4,
    });
  });

  it('returns the problems and no scenario when the options are wrong, and normalizeScenario refuses them', () => {
    expect(parseScenario('x', { executor: 'constant-vus', vus: 0 })).toEqual({
      scenario: null,
      problems: ['scenario "x": executor constant-vus requires "duration"', 'scenario "x": vus must be an integer ≥ 1, got 0'],
    });
    expect(parseScenario('x', { executor: 'teleport' }).problems).toEqual([
      'scenario "x": unknown executor "teleport"; supported: shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate',
    ]);
    expect(parseScenario('x', { executor: 'constant-vus', duration: '500ms' }).problems).toEqual([
      'scenario "x" has configuration errors: the duration must be at least 1s, but is 500ms',
    ]);
    expect(() => normalizeScenario('x', { executor: 'ramping-arrival-rate', stages: [] })).toThrow(/requires "preAllocatedVUs"/);
  });

  it('applies the iterations ≥ VUs rule to the defaults too, as k6 v1.3.0 does', () => {
    // k6: "scenario s has configuration errors: the number of iterations (1) can't be less than the number of VUs (3)"
    expect(parseScenario('s', { executor: 'shared-iterations', vus: 3 }).problems).toEqual([
      `scenario "s": the number of iterations (1) can't be less than the number of VUs (3)`,
    ]);
  });

  it("lists each executor's own options in exec.test.options in k6's order", () => {
    const raw = {
      a: { executor: 'ramping-arrival-rate', stages: [{ duration: '1s', target: 1 }], preAllocatedVUs: 1 },
      b: { executor: 'constant-vus', duration: '1s' },
    };
    const scenarios = consolidatedOptions({ scenarios: raw }, raw).scenarios as Record<string, Record<string, unknown>>;
    expect(Object.keys(scenarios.a)).toEqual([
      'executor',
      'startTime',
      'gracefulStop',
      'env',
      'exec',
      'tags',
      'startRate',
      'timeUnit',
      'preAllocatedVUs',
      'maxVUs',
      'stages',
    ]);
    expect(scenarios.b).toEqual({
      executor: 'constant-vus',
      startTime: null,
      gracefulStop: null,
      env: null,
      exec: null,
      tags: null,
      vus: null,
      duration: '1s',
    });
  });
});
