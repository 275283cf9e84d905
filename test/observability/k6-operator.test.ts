// `loadlab bundle`'s TestRuns for k6-operator: valid against the TestRun CRD's schema (vendored from
// grafana/k6-operator, see the fixture's $comment), metrics to Prometheus with k6's remote-write
// output, one testid per run, a per-runner tag, and the runner image pinned to the k6 the bundles
// are checked against.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type BundledScenario, bundleScenarios, DEFAULT_PROMETHEUS_RW_URL, K6_RUNNER_VERSION } from '../../cli/bundle.ts';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'k6-operator-testrun-schema.json'), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
// Kubernetes' OpenAPI integer format.
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
const validate = ajv.compile(schema);

let dir: string;
let bundled: BundledScenario[];

interface TestRun {
  kind: string;
  spec: {
    arguments: string;
    parallelism: number;
    runner: { image: string; env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] };
  };
}

function testRuns(file: string): TestRun[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const document of documents) expect(document.errors, file).toEqual([]);
  return documents.map((document) => document.toJS() as TestRun).filter((object) => object.kind === 'TestRun');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loadlab-operator-'));
  bundled = await bundleScenarios({
    outDir: dir,
    parallelism: 3,
    prometheusUrl: 'http://prometheus.observability.svc:9090/api/v1/write',
    env: { PORTAL_URL: 'https://dvc.staging.example' },
    now: new Date('2026-12-01T10:15:00Z'),
  });
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('k6-operator TestRuns from loadlab bundle', () => {
  it("are valid against the TestRun CRD's schema", () => {
    expect(bundled.length).toBeGreaterThan(0);
    for (const entry of bundled) {
      const [run] = testRuns(entry.manifest);
      expect(validate(run), `${entry.scenario}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('the schema check is not vacuous: a misspelt or mistyped field is refused', () => {
    const [run] = testRuns(bundled[0].manifest);
    expect(validate({ ...run, spec: { ...run.spec, paralelism: 2 } })).toBe(false);
    expect(validate({ ...run, spec: { ...run.spec, parallelism: '3' } })).toBe(false);
    expect(validate({ ...run, spec: { ...run.spec, runner: { ...run.spec.runner, env: [{ value: 'no name' }] } } })).toBe(false);
  });

  it('send the metrics to Prometheus with a testid per run and a tag per runner', () => {
    for (const entry of bundled) {
      const [run] = testRuns(entry.manifest);
      const args = run.spec.arguments.split(' ');
      expect(args.slice(0, 2)).toEqual(['-o', 'experimental-prometheus-rw']);
      expect(run.spec.arguments).toContain(`--tag testid=loadlab-${entry.scenario}-20261201T101500Z`);
      expect(run.spec.arguments).toContain('--tag runner=$(LOADLAB_RUNNER_POD)');
      const env = Object.fromEntries(run.spec.runner.env.map((variable) => [variable.name, variable]));
      expect(env.K6_PROMETHEUS_RW_SERVER_URL.value).toBe('http://prometheus.observability.svc:9090/api/v1/write');
      // Kubernetes fills it with each runner pod's own name and expands $(LOADLAB_RUNNER_POD) in the command.
      expect(env.LOADLAB_RUNNER_POD.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    }
  });

  it('pin the runner image to the k6 release the bundles are checked against', () => {
    for (const entry of bundled) expect(testRuns(entry.manifest)[0].spec.runner.image).toBe(`grafana/k6:${K6_RUNNER_VERSION}`);
    const k6 = process.env.LOADLAB_K6;
    if (!k6) {
      console.log('k6-operator: the k6 version check is skipped; set LOADLAB_K6 (e.g. ../shared/tools/k6) to compare the pin with it');
      return;
    }
    expect(execFileSync(k6, ['version'], { encoding: 'utf8' })).toContain(`k6 v${K6_RUNNER_VERSION}`);
  });

  it('refuse a Prometheus URL that is not http(s) and a testid Prometheus would mangle', async () => {
    await expect(bundleScenarios({ outDir: dir, prometheusUrl: 'prometheus:9090' })).rejects.toThrow(
      /--prometheus-url "prometheus:9090" is not an http\(s\) URL/,
    );
    await expect(bundleScenarios({ outDir: dir, testid: 'a b' })).rejects.toThrow(/--testid "a b"/);
    expect(DEFAULT_PROMETHEUS_RW_URL).toMatch(/^http:\/\/.+\/api\/v1\/write$/);
  });
});
