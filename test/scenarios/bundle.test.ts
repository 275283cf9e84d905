// `loadlab bundle` and the scenarios' options: every scenario bundles to a k6-only ES module, that
// module evaluates under Node's ES loader (k6 stubbed), and every profile's options validate.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, type BundledScenario, bundleScenarios, listScenarios, renderTestRun } from '../../cli/bundle.ts';
import { validateOptions } from '../../engine/index.ts';
import { PROFILE_NAMES } from '../../scenarios/lib/profiles.ts';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SCENARIOS = ['dossier-submission', 'login-surge', 'ndxp-exchange', 'portal-day'];
const BUILTIN_METRICS = new Set([
  'http_reqs',
  'http_req_duration',
  'http_req_failed',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'iterations',
  'iteration_duration',
  'vus',
  'vus_max',
  'checks',
  'data_sent',
  'data_received',
  'dropped_iterations',
]);

interface ProbeResult {
  error?: string;
  exports?: Record<string, string>;
  options?: {
    scenarios: Record<string, Record<string, any>>;
    thresholds: Record<string, Array<string | { threshold: string; abortOnFail: boolean }>>;
  };
  metrics?: Array<{ name: string; type: string; isTime: boolean }>;
}

async function probeInit(bundles: string[], profiles: readonly string[], env: Record<string, string> = {}) {
  const { stdout } = await run(
    process.execPath,
    ['--import', path.join(HERE, 'k6-stubs/register.mjs'), path.join(HERE, 'probe-init.mjs'), JSON.stringify({ bundles, profiles, env })],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Record<string, Record<string, ProbeResult>>;
}

function durationMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (!match) throw new Error(`not a simple duration: ${value}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
}

function scenarioSpanMs(scenario: Record<string, any>): number {
  const length =
    scenario.executor === 'constant-arrival-rate'
      ? durationMs(scenario.duration)
      : scenario.stages.reduce((sum: number, stage: { duration: string }) => sum + durationMs(stage.duration), 0);
  return length + durationMs(scenario.gracefulStop ?? '30s');
}

let outDir: string;
let bundled: BundledScenario[];
let probed: Record<string, Record<string, ProbeResult>>;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'loadlab-bundle-'));
  bundled = await bundleScenarios({ outDir, parallelism: 6, env: { PROFILE: 'load', PORTAL_URL: 'https://dvc.staging.example' } });
  probed = await probeInit(
    bundled.map((entry) => entry.script),
    PROFILE_NAMES,
  );
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('loadlab bundle', () => {
  it('writes one k6 script and one k6-operator manifest per scenario', () => {
    expect(listScenarios()).toEqual(SCENARIOS);
    expect(bundled.map((entry) => entry.scenario)).toEqual(SCENARIOS);
    for (const entry of bundled) {
      expect(entry.script).toBe(path.join(outDir, 'k6', `${entry.scenario}.js`));
      expect(entry.manifest).toBe(path.join(outDir, 'k6-operator', `${entry.scenario}.yaml`));
    }
  });

  it('imports nothing but k6 modules: no Node built-ins, no packages, no remote code', () => {
    for (const entry of bundled) {
      const code = readFileSync(entry.script, 'utf8');
      const imports = [...code.matchAll(/^\s*import\s[^'"]*?from\s*["']([^"']+)["']/gm)].map((match) => match[1]);
      expect(imports.length).toBeGreaterThan(0);
      for (const specifier of imports) expect(specifier).toMatch(/^k6(\/(http|metrics|crypto|encoding|execution|data))?$/);
      expect(code).not.toMatch(/\brequire\s*\(|["']node:|process\.env|import\s*\(/);
    }
  });

  it('parses and evaluates as an ES module exporting options and the functions its scenarios run', () => {
    for (const entry of bundled) {
      const smoke = probed[entry.script].smoke;
      expect(smoke.error).toBeUndefined();
      expect(smoke.exports?.options).toBe('object');
      for (const scenario of Object.values(smoke.options!.scenarios)) {
        expect(smoke.exports?.[scenario.exec ?? 'default'], `${entry.scenario}: exec ${scenario.exec}`).toBe('function');
      }
    }
  });

  it('writes k6-operator manifests whose ConfigMap holds the exact script and whose TestRun has the flags', () => {
    for (const entry of bundled) {
      const manifest = readFileSync(entry.manifest, 'utf8');
      expect(manifest).toContain('kind: ConfigMap');
      expect(manifest).toContain('kind: TestRun');
      expect(manifest).toContain('apiVersion: k6.io/v1alpha1');
      expect(manifest).toContain('  parallelism: 6\n');
      expect(manifest).toContain(`      file: ${entry.scenario}.js\n`);
      expect(manifest).toMatch(
        new RegExp(
          `  arguments: "-o experimental-prometheus-rw --tag testid=loadlab-${entry.scenario}-\\d{8}T\\d{6}Z --tag runner=\\$\\(LOADLAB_RUNNER_POD\\) -e PROFILE=load -e PORTAL_URL=https://dvc\\.staging\\.example"`,
        ),
      );
      expect(manifest).not.toMatch(/\$\{(SCENARIO|NAMESPACE|PARALLELISM|ARGUMENTS|SCRIPT)\}/);
      // Read the block scalar back the way YAML does: every line indented by 4, up to the document end.
      const lines = manifest.split('\n');
      const start = lines.indexOf(`  ${entry.scenario}.js: |`) + 1;
      const end = lines.indexOf('---', start);
      const block = lines.slice(start, end);
      for (const line of block) expect(line === '' || line.startsWith('    ')).toBe(true);
      expect(`${block.map((line) => line.slice(4)).join('\n')}\n`).toBe(readFileSync(entry.script, 'utf8'));
    }
  });

  it('keeps the script readable when it starts with indentation, and quotes arguments as a YAML string', () => {
    const rendered = renderTestRun(readFileSync(path.join(ROOT, 'deploy/k6-operator/testrun.yaml'), 'utf8'), {
      scenario: 'x',
      namespace: 'load',
      parallelism: 2,
      arguments: `-e NOTE='a "b"'`,
      script: '  indented();\n',
    });
    expect(rendered).toContain('  x.js: |\n    // loadlab\n      indented();\n---');
    expect(rendered).toContain(`arguments: "-e NOTE='a \\"b\\"'"`);
  });

  it('runs as `loadlab bundle` with --parallelism and -e, and rejects unknown scenarios', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-cli-'));
    const cli = (...args: string[]) => run(process.execPath, [path.join(ROOT, 'cli/loadlab.js'), 'bundle', ...args], { cwd: dir });
    try {
      const { stdout } = await cli('login-surge', '--parallelism', '3', '--out-dir', dir, '-e', 'IDENTITY_URL=https://sso.staging.example');
      expect(stdout).toMatch(/login-surge\s+k6\/login-surge\.js \(\d+\.\d KB\)\s+k6-operator\/login-surge\.yaml/);
      const manifest = readFileSync(path.join(dir, 'k6-operator/login-surge.yaml'), 'utf8');
      expect(manifest).toContain('  parallelism: 3\n');
      expect(manifest).toContain('-e IDENTITY_URL=https://sso.staging.example"');
      await expect(cli('nope', '--out-dir', dir)).rejects.toMatchObject({
        code: 104,
        stderr: expect.stringContaining('unknown scenario nope (available: dossier-submission, login-surge'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses scripts that import Node modules or remote code, naming file and import', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-bad-'));
    try {
      writeFileSync(
        path.join(dir, 'node-import.ts'),
        "import { readFileSync } from 'node:fs';\nexport default function () { readFileSync('x'); }\n",
      );
      writeFileSync(
        path.join(dir, 'remote-import.ts'),
        "import { uuidv4 } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';\nexport default function () { uuidv4(); }\n",
      );
      await expect(bundleScenarios({ scenariosDir: dir, outDir: dir, scenarios: ['node-import'] })).rejects.toThrow(
        /node-import\.ts:1: Node-only import "node:fs"/,
      );
      await expect(bundleScenarios({ scenariosDir: dir, outDir: dir, scenarios: ['remote-import'] })).rejects.toThrow(
        /remote import "https:\/\/jslib/,
      );
      await expect(bundleScenarios({ scenariosDir: dir, outDir: dir, scenarios: ['missing'] })).rejects.toThrow(BundleError);
      await expect(bundleScenarios({ outDir: dir, parallelism: 0 })).rejects.toThrow(/--parallelism/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scenario options', () => {
  it('validate for every profile of every scenario', () => {
    for (const entry of bundled) {
      for (const profile of PROFILE_NAMES) {
        const result = probed[entry.script][profile];
        expect(result.error, `${entry.scenario} ${profile}`).toBeUndefined();
        expect(validateOptions(result.options as Record<string, unknown>), `${entry.scenario} ${profile}`).toEqual([]);
      }
    }
  });

  it('size arrival-rate executors sensibly and keep smoke under a minute and light', () => {
    for (const entry of bundled) {
      for (const profile of PROFILE_NAMES) {
        const scenarios = Object.values(probed[entry.script][profile].options!.scenarios);
        expect(scenarios.length).toBeGreaterThan(0);
        for (const scenario of scenarios) {
          expect(['constant-arrival-rate', 'ramping-arrival-rate']).toContain(scenario.executor);
          expect(Number.isInteger(scenario.preAllocatedVUs) && scenario.preAllocatedVUs >= 1).toBe(true);
          expect(scenario.maxVUs).toBeGreaterThanOrEqual(scenario.preAllocatedVUs);
          const rates =
            scenario.executor === 'constant-arrival-rate'
              ? [scenario.rate]
              : scenario.stages.map((stage: { target: number }) => stage.target);
          for (const rate of rates) expect(Number.isInteger(rate) && rate >= 0).toBe(true);
          expect(Math.max(...rates)).toBeGreaterThan(0);
          if (profile === 'smoke') {
            expect(scenarioSpanMs(scenario), `${entry.scenario} smoke length`).toBeLessThan(60_000);
            expect(Math.max(...rates), `${entry.scenario} smoke rate per minute`).toBeLessThanOrEqual(5 * 60);
            expect(scenario.maxVUs).toBeLessThanOrEqual(64);
          }
        }
      }
    }
  });

  it('name thresholds after real metrics, with abortOnFail only at breakpoint', () => {
    for (const entry of bundled) {
      for (const profile of PROFILE_NAMES) {
        const { options, metrics } = probed[entry.script][profile];
        const custom = new Set(metrics!.map((metric) => metric.name));
        expect(Object.keys(options!.thresholds).length).toBeGreaterThan(2);
        for (const [key, expressions] of Object.entries(options!.thresholds)) {
          const metric = key.replace(/\{.*\}$/, '');
          expect(BUILTIN_METRICS.has(metric) || custom.has(metric), `${entry.scenario}: threshold on unknown metric ${metric}`).toBe(true);
          for (const expression of expressions) {
            const text = typeof expression === 'string' ? expression : expression.threshold;
            expect(text).toMatch(/^(p\(\d+(\.\d+)?\)|avg|min|max|med|count|rate|value)\s*(<|<=|>|>=|==)\s*\d+(\.\d+)?$/);
            expect(typeof expression === 'object' && expression.abortOnFail).toBe(profile === 'breakpoint');
          }
        }
      }
    }
    const login = probed[bundled.find((entry) => entry.scenario === 'login-surge')!.script].load;
    expect(login.options!.thresholds.login_duration).toEqual(['p(95)<3000', 'p(99)<6000']);
    expect(login.metrics).toContainEqual({ name: 'login_duration', type: 'trend', isTime: true });
    expect(login.metrics).toContainEqual({ name: 'login_failures', type: 'counter', isTime: false });
  });

  it('scale with -e SCALE and refuse unknown profiles with the list of known ones', async () => {
    const ndxp = bundled.find((entry) => entry.scenario === 'ndxp-exchange')!.script;
    const scaled = await probeInit([ndxp], ['smoke', 'load'], { SCALE: '2' });
    expect(scaled[ndxp].smoke.options!.scenarios.ndxp_exchange.rate).toBe(2 * probed[ndxp].smoke.options!.scenarios.ndxp_exchange.rate);
    const loadPeak = (result: ProbeResult) =>
      Math.max(...result.options!.scenarios.ndxp_exchange.stages.map((stage: { target: number }) => stage.target));
    expect(loadPeak(scaled[ndxp].load)).toBe(2 * loadPeak(probed[ndxp].load));
    expect(loadPeak(probed[ndxp].load)).toBe(223 * 60);
    const bad = await probeInit([ndxp], ['nonsense']);
    expect(bad[ndxp].nonsense.error).toMatch(
      /-e PROFILE=nonsense: unknown profile \(known: smoke, load, stress, spike, soak, breakpoint\)/,
    );
    const badScale = await probeInit([ndxp], ['smoke'], { SCALE: 'lots' });
    expect(badScale[ndxp].smoke.error).toMatch(/-e SCALE=lots: expected a positive number/);
  });

  it('follow the office-hours curve in the portal day, in the derived proportions', () => {
    const day = probed[bundled.find((entry) => entry.scenario === 'portal-day')!.script].load.options!.scenarios;
    const peak = (name: string) => Math.max(...day[name].stages.map((stage: { target: number }) => stage.target));
    expect(Object.keys(day)).toEqual(['citizen_login', 'dossier_submission', 'ndxp_exchange']);
    expect(peak('ndxp_exchange') / peak('dossier_submission')).toBeCloseTo(2_570_000 / 22_400, -1);
    expect(peak('citizen_login') / peak('dossier_submission')).toBeCloseTo(4, 0);
    // 08:00 is the peak hour, 12:00 the lunch lull.
    const holds = day.ndxp_exchange.stages.filter((_: unknown, i: number) => i % 2 === 1).map((stage: { target: number }) => stage.target);
    expect(holds.indexOf(Math.max(...holds))).toBe(1);
    expect(holds[5]).toBeLessThan(holds[4]);
    expect(holds[5]).toBeLessThan(holds[6]);
  });
});

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636 appendix B and makes 43-character verifiers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-pkce-'));
    try {
      const file = path.join(dir, 'pkce.mjs');
      await esbuild.build({
        entryPoints: [path.join(ROOT, 'scenarios/lib/pkce.ts')],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        external: ['k6', 'k6/*'],
        outfile: file,
        logLevel: 'silent',
      });
      const calls = [['codeChallenge', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'], ['newCodeVerifier'], ['newCodeVerifier'], ['uuid']];
      const { stdout } = await run(process.execPath, [
        '--import',
        path.join(HERE, 'k6-stubs/register.mjs'),
        path.join(HERE, 'probe-call.mjs'),
        file,
        JSON.stringify(calls),
      ]);
      const [challenge, verifier1, verifier2, uuid] = JSON.parse(stdout);
      expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
      expect(verifier1).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(verifier2).not.toBe(verifier1);
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('client rules', () => {
  async function callModule(entry: string, calls: unknown[][]): Promise<unknown[]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-call-'));
    try {
      const file = path.join(dir, 'module.mjs');
      await esbuild.build({
        entryPoints: [path.join(ROOT, entry)],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        external: ['k6', 'k6/*'],
        outfile: file,
        logLevel: 'silent',
      });
      const { stdout } = await run(process.execPath, [
        '--import',
        path.join(HERE, 'k6-stubs/register.mjs'),
        path.join(HERE, 'probe-call.mjs'),
        file,
        JSON.stringify(calls),
      ]);
      return JSON.parse(stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('NDXP clients read Retry-After as seconds or as an HTTP date, and ignore garbage', async () => {
    const now = Date.parse('2026-01-05T08:00:00Z');
    const results = await callModule('scenarios/lib/ndxp-flow.ts', [
      ['retryAfterSeconds', '2', now],
      ['retryAfterSeconds', ' 1.5 ', now],
      ['retryAfterSeconds', 'Mon, 05 Jan 2026 08:00:07 GMT', now],
      ['retryAfterSeconds', 'Mon, 05 Jan 2026 07:59:00 GMT', now],
      ['retryAfterSeconds', 'soon', now],
      ['retryAfterSeconds', null, now],
      ['retryAfterSeconds', '', now],
    ]);
    expect(results).toEqual([2, 1.5, 7, 0, null, null, null]);
  });

  it('tokens are renewed in the last fifth of their life, and at most a minute early', async () => {
    const results = await callModule('scenarios/lib/oidc-login.ts', [
      ['expiresSoon', { issuedAt: 0, expiresAt: 900_000 }, 839_999],
      ['expiresSoon', { issuedAt: 0, expiresAt: 900_000 }, 840_000],
      ['expiresSoon', { issuedAt: 0, expiresAt: 10_000 }, 7_999],
      ['expiresSoon', { issuedAt: 0, expiresAt: 10_000 }, 8_000],
    ]);
    expect(results).toEqual([false, true, false, true]);
  });
});
