// The capacity search against a resource of known capacity: identity's token issuance with 10 slots and
// a fixed 100 ms service time saturates at 10 / 0.1 s = 100 tokens/s (docs/CONTRACTS.md section 3).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMocks, startMocks } from '../../mocks/index.ts';
import { runCapacitySearch } from '../../capacity/search.ts';
import { buildReport } from '../../reports/model.ts';
import { loadFolder } from '../../reports/run-folder.ts';
import { parseSloFlag } from '../../capacity/slo.ts';

const root = mkdtempSync(join(tmpdir(), 'loadlab-capacity-'));
let mocks: RunningMocks;

beforeAll(async () => {
  mocks = await startMocks({
    port: 0,
    services: ['identity'],
    config: {
      resources: {
        identity: { token_issuance: { slots: 10, queueLimit: 100_000, queueTimeoutMs: 120_000, serviceTime: { kind: 'fixed', ms: 100 } } },
      },
    },
  });
});
afterAll(async () => {
  await mocks?.close();
  if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
});

describe('capacity search accuracy', () => {
  it('finds the maximum sustainable throughput within ±10 % of slots / mean service time', { timeout: 150_000 }, async () => {
    const state = (await (await fetch(`${mocks.urls.identity}/admin/state`)).json()) as {
      resources: Record<string, { slots: number; meanServiceMs: number; saturationThroughput: number }>;
    };
    const resource = state.resources.token_issuance;
    const truth = resource.slots / (resource.meanServiceMs / 1000);
    expect(resource.saturationThroughput).toBeCloseTo(truth, 6);

    const progress: string[] = [];
    const { result, dir } = await runCapacitySearch({
      script: join(import.meta.dirname, 'fixtures', 'token-issuance.ts'),
      slo: parseSloFlag('p95<400ms,errors<1%'),
      startRate: 40,
      stepFactor: 1.5,
      stepDurationS: 5,
      warmupS: 1.5,
      maxDurationS: 100,
      refineSteps: 3,
      resolution: 0.04,
      env: { IDENTITY_URL: mocks.urls.identity! },
      serviceUrls: { identity: mocks.urls.identity! },
      resultsRoot: root,
      runId: 'accuracy',
      workers: 1,
      onProgress: (line) => progress.push(line),
    });
    const estimate = result.analysis.maxSustainableThroughput;
    process.stderr.write(`${root}\n${progress.join('\n')}\ntruth ${truth}/s, estimate ${estimate?.toFixed(1)}/s\n`);
    expect(estimate).not.toBeNull();
    expect(Math.abs(estimate! - truth) / truth).toBeLessThan(0.1);
    expect(result.stoppedBecause).toBe('slo-broken');
    expect(result.analysis.bottleneck).toMatchObject({ kind: 'resource', name: 'identity/token_issuance' });
    expect(result.steps.some((step) => step.phase === 'refine')).toBe(true);

    // Everything the report needs is on disk: capacity.json, the sampled service metrics, each step's run.
    expect(JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8')).steps.length).toBe(result.steps.length);
    const services = readFileSync(join(dir, 'services.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      services.some((line) => line.metric === 'loadlab_resource_busy_seconds_total' && line.labels.resource === 'token_issuance'),
    ).toBe(true);
    expect(readdirSync(join(dir, 'steps')).length).toBe(result.steps.length);
    for (const step of result.steps) expect(existsSync(join(dir, step.runDir!, 'summary.json'))).toBe(true);
    const report = buildReport(loadFolder(dir), { workload: 'none' });
    expect(report.verdict.key).toBe('capacity');
    expect(report.recommendations[0]).toMatchObject({ key: 'scaleResource', resource: 'identity/token_issuance' });
  });
});
