// Every scenario at the smoke profile on the embedded engine against the in-process mocks: zero
// script errors, exit code 0 (thresholds hold), ≥ 99 % checks passing — plus an NDXP run against a
// gateway that rate-limits and fails, where the client must retry as the platform requires, and a
// login run with a wrong password, whose failures must be classified. All runs go concurrently:
// smoke load is light, and the file stays within its share of the suite's time.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunTestResult, runTest } from '../../engine/index.ts';
import { type RunningMocks, startMocks } from '../../mocks/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCENARIOS = ['login-surge', 'dossier-submission', 'ndxp-exchange', 'portal-day'] as const;

type Metric = { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> };

let resultsRoot: string;
let healthy: RunningMocks;
let faulty: RunningMocks;
const results: Record<string, RunTestResult> = {};
const stderrLines: string[] = [];

function envFor(mocks: RunningMocks): Record<string, string> {
  return { IDENTITY_URL: mocks.urls.identity!, PORTAL_URL: mocks.urls.portal!, NDXP_URL: mocks.urls.ndxp! };
}

function metric(result: RunTestResult, name: string): Metric {
  const found = (result.summary.metrics as Record<string, Metric>)[name];
  if (!found) throw new Error(`no metric ${name} in the summary (has ${Object.keys(result.summary.metrics).join(', ')})`);
  return found;
}

/** Sums a counter's per-second counts by one tag, from the run's timeseries.jsonl. */
function countsByTag(result: RunTestResult, name: string, tag: string): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of readFileSync(path.join(result.runDir, 'timeseries.jsonl'), 'utf8').split('\n')) {
    if (line === '') continue;
    const row = JSON.parse(line) as { metric: string; tags: Record<string, string>; values: { count?: number } };
    if (row.metric !== name) continue;
    const key = row.tags[tag] ?? '';
    totals[key] = (totals[key] ?? 0) + (row.values.count ?? 0);
  }
  return totals;
}

beforeAll(async () => {
  resultsRoot = mkdtempSync(path.join(tmpdir(), 'loadlab-scenarios-'));
  // Short-lived access tokens and a fast dossier lifecycle, so 15 s of smoke exercise refresh, payment and completion.
  healthy = await startMocks({ port: 0, config: { identity: { accessTokenTtlSeconds: 5 }, portal: { statusStepMs: 400 } } });
  faulty = await startMocks({
    port: 0,
    config: {
      // VU 1 acts for agency H26, whose quota is one call per second; population look-ups fail 15 % of the time.
      ndxp: { consumerQuotas: { H26: { ratePerSecond: 1, burst: 1 } } },
      faults: { ndxp: { errorRatio: 0.15, errorCodes: [503, 504], routes: ['/ndxp/v1/population/citizens/:cccd'] } },
    },
  });
  const write = process.stderr.write.bind(process.stderr);
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderrLines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line !== ''),
    );
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  });
  try {
    const runs = SCENARIOS.map(async (scenario) => {
      results[scenario] = await runTest({
        script: path.join(ROOT, 'scenarios', `${scenario}.ts`),
        env: envFor(healthy),
        quiet: true,
        workers: 1,
        resultsRoot,
        runId: scenario,
      });
    });
    runs.push(
      (async () => {
        results['ndxp-faulty'] = await runTest({
          script: path.join(ROOT, 'scenarios', 'ndxp-exchange.ts'),
          env: envFor(faulty),
          quiet: true,
          noThresholds: true,
          workers: 1,
          resultsRoot,
          runId: 'ndxp-faulty',
        });
      })(),
    );
    runs.push(
      (async () => {
        results['login-wrong-password'] = await runTest({
          script: path.join(ROOT, 'scenarios', 'login-surge.ts'),
          env: { ...envFor(faulty), CITIZEN_PASSWORD: 'not-the-password' },
          quiet: true,
          noThresholds: true,
          workers: 1,
          resultsRoot,
          runId: 'login-wrong-password',
        });
      })(),
    );
    await Promise.all(runs);
  } finally {
    spy.mockRestore();
  }
}, 120_000);

afterAll(async () => {
  await healthy?.close();
  await faulty?.close();
  if (resultsRoot) rmSync(resultsRoot, { recursive: true, force: true });
});

describe('smoke profile on the embedded engine against the mocks', () => {
  it('raises no script error in any scenario', () => {
    expect(stderrLines.filter((line) => /source=stacktrace|Uncaught|TypeError|ReferenceError/.test(line))).toEqual([]);
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario}: exit code 0, thresholds hold, ≥ 99 % of checks pass`, () => {
      const result = results[scenario];
      const checks = metric(result, 'checks').values;
      const failing = (result.summary.root_group.checks as Array<{ name: string; fails: number }>).filter((check) => check.fails > 0);
      expect({ exitCode: result.exitCode, failing }).toEqual({ exitCode: 0, failing: [] });
      expect(checks.rate).toBeGreaterThanOrEqual(0.99);
      expect(checks.passes).toBeGreaterThan(30);
      for (const [name, entry] of Object.entries(result.summary.metrics as Record<string, Metric>)) {
        for (const [expression, state] of Object.entries(entry.thresholds ?? {}))
          expect(state.ok, `${scenario}: ${name} ${expression}`).toBe(true);
      }
    });
  }

  it('logs citizens in end to end and records the login duration', () => {
    const result = results['login-surge'];
    expect(metric(result, 'login_success').values.passes).toBeGreaterThanOrEqual(20);
    expect(metric(result, 'login_duration').values.max).toBeGreaterThan(0);
  });

  it('files dossiers with uploads and payment, and refreshes the citizen token before it expires', () => {
    const result = results['dossier-submission'];
    expect(metric(result, 'dossiers_submitted').values.count).toBeGreaterThanOrEqual(4);
    expect(countsByTag(result, 'token_refreshes', 'grant').refresh_token).toBeGreaterThan(0);
    expect(countsByTag(result, 'token_refreshes', 'result')).not.toHaveProperty('http_400');
    const statuses = countsByTag(result, 'dossier_status_seen', 'status');
    expect(statuses.completed).toBeGreaterThan(0);
  });

  it('mixes every flow in the portal day', () => {
    const result = results['portal-day'];
    const flows = countsByTag(result, 'http_reqs', 'flow');
    expect(flows.login).toBeGreaterThan(0);
    expect(flows.submission).toBeGreaterThan(0);
    expect(flows.ndxp).toBeGreaterThan(flows.submission);
  });

  it('NDXP: honours 429 and retries 503/504, so transactions still succeed', () => {
    const result = results['ndxp-faulty'];
    expect(result.exitCode).toBe(0);
    const statuses = countsByTag(result, 'http_reqs', 'status');
    expect(statuses['429']).toBeGreaterThan(0);
    expect((statuses['503'] ?? 0) + (statuses['504'] ?? 0)).toBeGreaterThan(0);
    const retries = countsByTag(result, 'ndxp_retries', 'reason');
    expect(retries.quota).toBeGreaterThan(0);
    expect((retries.timeout ?? 0) + (retries.circuit_open ?? 0)).toBeGreaterThan(0);
    expect(metric(result, 'ndxp_transaction_success').values.rate).toBeGreaterThanOrEqual(0.97);
    expect(metric(result, 'checks').values.rate).toBeGreaterThanOrEqual(0.97);
  });

  it('counts failed logins by reason and step (wrong password → invalid_credentials at the credentials step)', () => {
    const result = results['login-wrong-password'];
    expect(result.exitCode).toBe(0);
    const success = metric(result, 'login_success').values;
    expect(success.rate).toBe(0);
    expect(success.fails).toBeGreaterThanOrEqual(10);
    expect(countsByTag(result, 'login_failures', 'reason')).toEqual({ invalid_credentials: success.fails });
    expect(countsByTag(result, 'login_failures', 'step')).toEqual({ credentials: success.fails });
  });
});
