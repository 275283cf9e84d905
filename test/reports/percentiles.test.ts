// Percentiles in reports are percentiles of the samples: the results writer stores each second's HDR
// histogram per tag set, and the report merges them. A run whose per-second p95s average to something
// else entirely shows that the report no longer averages percentiles.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_METRICS } from '../../engine/metrics/builtin.ts';
import type { SampleContainer } from '../../engine/metrics/types.ts';
import { ResultsDirOutput, writeSummaryJson } from '../../engine/outputs/results-dir.ts';
import { runFacts } from '../../reports/analysis/run-facts.ts';
import { loadRun } from '../../reports/run-folder.ts';

const root = mkdtempSync(join(tmpdir(), 'loadlab-percentiles-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** k6's percentile: linear interpolation between the closest ranks. */
function k6Percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = sorted[Math.floor(rank)];
  return low + (sorted[Math.ceil(rank)] - low) * (rank - Math.floor(rank));
}

function request(time: number, scenario: string, name: string, ms: number): SampleContainer {
  return {
    time,
    tags: Object.freeze({ scenario, name, method: 'GET', status: '200', url: `http://127.0.0.1/${name}?t=${time}` }),
    samples: [
      { metric: BUILTIN_METRICS.http_reqs, value: 1 },
      { metric: BUILTIN_METRICS.http_req_duration, value: ms },
      { metric: BUILTIN_METRICS.http_req_failed, value: 0 },
    ],
  };
}

describe('percentiles from the results time series', () => {
  it("gives a flow's and a request's p95 as the p95 of their samples, not a mean of per-second p95s", async () => {
    const runDir = join(root, 'run');
    const output = new ResultsDirOutput({ runDir, log: () => {} }, () => 0);
    await output.start();
    const t0 = 1_750_000_000_000;
    const samples: Record<string, number[]> = { login: [], browse: [] };
    const containers: SampleContainer[] = [];
    // login: a busy fast second, then a quiet slow one; browse: steady, spread over four tag sets.
    for (let i = 0; i < 400; i++) {
      const ms = 8 + (i % 40) * 0.3;
      containers.push(request(t0 + ((i * 997) % 1000), 'login', 'POST /token', ms));
      samples.login.push(ms);
    }
    for (let i = 0; i < 30; i++) {
      const ms = 900 + i * 17;
      containers.push(request(t0 + 1000 + i * 30, 'login', 'POST /token', ms));
      samples.login.push(ms);
    }
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 250; i++) {
        const ms = 20 + ((i * 7919) % 500) * (s + 1) * 0.4;
        containers.push(request(t0 + s * 1000 + (i % 1000), 'browse', `GET /page/${i % 4}`, ms));
        samples.browse.push(ms);
      }
    }
    output.addMetricSamples(containers);
    await output.stop();
    await writeSummaryJson(runDir, {
      metrics: {},
      root_group: { name: '', path: '', id: '', groups: [], checks: [] },
      options: {},
      state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 3000 },
    } as never);

    const run = loadRun(runDir);
    expect(run.timeseries.filter((line) => line.metric === 'http_req_duration').every((line) => typeof line.hdr === 'string')).toBe(true);
    const facts = runFacts(run);
    for (const flow of ['login', 'browse']) {
      const truth = k6Percentile(samples[flow], 95);
      const reported = facts.flows.find((f) => f.name === flow)!.p95;
      // Within the histogram's precision (3 significant digits) and its rank convention.
      expect(Math.abs(reported - truth) / truth, `${flow}: ${reported} vs ${truth}`).toBeLessThan(0.005);
    }
    // What the report used to say for login: the count-weighted mean of the two seconds' p95s.
    const lines = run.timeseries.filter((line) => line.metric === 'http_req_duration' && line.tags.scenario === 'login');
    const averaged =
      lines.reduce((sum, line) => sum + line.values.count * line.values.p95, 0) / lines.reduce((sum, line) => sum + line.values.count, 0);
    expect(Math.abs(averaged - k6Percentile(samples.login, 95)) / k6Percentile(samples.login, 95)).toBeGreaterThan(0.5);

    const token = facts.requestP95['POST /token'];
    expect(token.count).toBe(430);
    expect(Math.abs(token.p95 - k6Percentile(samples.login, 95)) / k6Percentile(samples.login, 95)).toBeLessThan(0.005);
    // One second across four tag sets: the second's p95 is that of all its requests.
    const firstSecond = [...samples.login.slice(0, 400), ...samples.browse.slice(0, 250)];
    const second = facts.seconds.find((point) => point.t === Math.floor(t0 / 1000))!;
    expect(Math.abs(second.p95 - k6Percentile(firstSecond, 95)) / k6Percentile(firstSecond, 95)).toBeLessThan(0.005);
  });
});
