// `loadlab bundle`: every scenario as one self-contained ES module for real k6 (dist/k6/<name>.js),
// plus k6-operator manifests (dist/k6-operator/<name>.yaml) for runs that outgrow one machine.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError } from 'commander';
import * as esbuild from 'esbuild';
import { InvalidConfigError, ScriptCompileError } from '../engine/errors.ts';
import { cliAction } from './errors.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCENARIOS_DIR = path.join(ROOT, 'scenarios');
export const TESTRUN_TEMPLATE = path.join(ROOT, 'deploy', 'k6-operator', 'testrun.yaml');
/**
 * The k6 release the bundles are checked against: the conformance suite and the bundle tests run them
 * on this k6 (../shared/tools/k6), so the k6-operator runners use exactly its image.
 */
export const K6_RUNNER_VERSION = '1.3.0';
export const K6_RUNNER_IMAGE = `grafana/k6:${K6_RUNNER_VERSION}`;
/** Where runners write their metrics unless --prometheus-url says otherwise: a Prometheus in namespace monitoring. */
export const DEFAULT_PROMETHEUS_RW_URL = 'http://prometheus.monitoring.svc:9090/api/v1/write';
/** A ConfigMap holds at most 1 MiB; the script must fit with room for the manifest around it. */
const CONFIGMAP_LIMIT_BYTES = 1024 * 1024 - 16 * 1024;
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

export interface BundleOptions {
  /** Scenario names (file names without .ts); default every scenario in scenarios/. */
  scenarios?: string[];
  scenariosDir?: string;
  /** Root of the output: scripts go to <outDir>/k6, manifests to <outDir>/k6-operator. Default dist. */
  outDir?: string;
  /** k6-operator runner pods per TestRun. Default 4. */
  parallelism?: number;
  namespace?: string;
  /** -e KEY=VALUE baked into the TestRun's k6 arguments. */
  env?: Record<string, string>;
  /** The runners' remote-write endpoint (K6_PROMETHEUS_RW_SERVER_URL). */
  prometheusUrl?: string;
  /** The run's testid tag; default loadlab-<scenario>-<UTC time of bundling>, one per bundle. */
  testid?: string;
  /** The time the default testid is stamped with. */
  now?: Date;
}

export interface BundledScenario {
  scenario: string;
  script: string;
  manifest: string;
  bytes: number;
}

/** What was asked of `loadlab bundle` is invalid (an unknown scenario, a bad --namespace …): exit 104. */
export class BundleError extends InvalidConfigError {
  override name = 'BundleError';
}

/** The scenarios in a folder: its top-level .ts files (lib/ holds the shared flows). */
export function listScenarios(scenariosDir = SCENARIOS_DIR): string[] {
  return readdirSync(scenariosDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => entry.name.slice(0, -'.ts'.length))
    .sort();
}

/** Keeps k6 modules external and refuses what real k6 (or the embedded engine) could not load. */
const k6OnlyPlugin: esbuild.Plugin = {
  name: 'k6-only',
  setup(build) {
    build.onResolve({ filter: /^k6(\/|$)/ }, (args) => ({ path: args.path, external: true }));
    build.onResolve({ filter: /^https?:\/\// }, (args) => ({
      errors: [{ text: `remote import "${args.path}": scenarios must not fetch code at run time; vendor it under scenarios/lib/` }],
    }));
    build.onResolve({ filter: /.*/ }, (args) =>
      NODE_BUILTINS.has(args.path)
        ? { errors: [{ text: `Node-only import "${args.path}": k6 scripts may import only k6 modules and local files` }] }
        : undefined,
    );
  },
};

/** Bundles one scenario to an ES module string; throws ScriptCompileError (k6's 255 for a script it cannot compile) with esbuild's messages. */
export async function bundleScenario(entry: string): Promise<string> {
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'neutral',
      // k6 0.45's JavaScript runtime lacks some ES2018+ syntax (object spread, ?. and ??): lower it.
      target: 'es2017',
      charset: 'utf8',
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [k6OnlyPlugin],
      banner: {
        js: `// ${path.basename(entry)} bundled by \`loadlab bundle\` for k6 >= 0.45: k6 run ${path.basename(entry, '.ts')}.js -e PROFILE=smoke`,
      },
    });
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    const messages = (failure.errors ?? []).map((message) =>
      message.location ? `${message.location.file}:${message.location.line}: ${message.text}` : message.text,
    );
    throw new ScriptCompileError(
      `cannot bundle ${path.relative(process.cwd(), entry)}:\n  ${messages.join('\n  ') || (error as Error).message}`,
    );
  }
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (!/^k6(\/|$)/.test(imported.path)) throw new ScriptCompileError(`${entry}: the bundle still imports "${imported.path}"`);
    }
  }
  return result.outputFiles[0].text;
}

/** Fills the TestRun template's ${FIELD}s; the `${SCRIPT}` line becomes the script, indented as its block scalar. */
export function renderTestRun(
  template: string,
  fields: {
    scenario: string;
    namespace: string;
    parallelism: number;
    arguments: string;
    script: string;
    prometheusUrl?: string;
    image?: string;
  },
): string {
  const lines = fields.script.replace(/\n$/, '').split('\n');
  // A block scalar takes its indentation from its first line, which therefore must not start with a space.
  if (/^\s/.test(lines[0] ?? '')) lines.unshift('// loadlab');
  const values: Record<string, string> = {
    SCENARIO: fields.scenario,
    NAMESPACE: fields.namespace,
    PARALLELISM: String(fields.parallelism),
    // A JSON string is a valid YAML double-quoted scalar, whatever the -e values contain.
    ARGUMENTS: JSON.stringify(fields.arguments),
    PROMETHEUS_URL: JSON.stringify(fields.prometheusUrl ?? DEFAULT_PROMETHEUS_RW_URL),
    K6_IMAGE: fields.image ?? K6_RUNNER_IMAGE,
  };
  return template
    .split('\n')
    .map((line) => {
      const scriptSlot = /^(\s*)\$\{SCRIPT\}$/.exec(line);
      if (scriptSlot) return lines.map((scriptLine) => (scriptLine === '' ? '' : scriptSlot[1] + scriptLine)).join('\n');
      if (line.startsWith('#')) return line;
      return line.replace(/\$\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
    })
    .join('\n');
}

/** `loadlab-login-surge-20261201T101500Z`: one testid per bundled run, so runs stay apart in Prometheus. */
export function defaultTestid(scenario: string, now: Date): string {
  return `loadlab-${scenario}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * The runners' k6 arguments: metrics to Prometheus, the run's testid, and `runner`, each pod's name
 * (Kubernetes expands $(LOADLAB_RUNNER_POD) in the command), so parallel runners never write
 * identical series; then the -e variables.
 */
export function k6Arguments(testid: string, env: Record<string, string>): string {
  const quote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
  const parts = ['-o experimental-prometheus-rw', `--tag testid=${quote(testid)}`, '--tag runner=$(LOADLAB_RUNNER_POD)'];
  for (const [key, value] of Object.entries(env)) parts.push(`-e ${quote(`${key}=${value}`)}`);
  return parts.join(' ');
}

export async function bundleScenarios(options: BundleOptions = {}): Promise<BundledScenario[]> {
  const scenariosDir = options.scenariosDir ?? SCENARIOS_DIR;
  const available = listScenarios(scenariosDir);
  const wanted = options.scenarios && options.scenarios.length > 0 ? options.scenarios.map((name) => name.replace(/\.ts$/, '')) : available;
  const unknown = wanted.filter((name) => !available.includes(name));
  if (unknown.length > 0) throw new BundleError(`unknown scenario ${unknown.join(', ')} (available: ${available.join(', ')})`);
  const parallelism = options.parallelism ?? 4;
  if (!Number.isInteger(parallelism) || parallelism < 1)
    throw new BundleError(`--parallelism must be a whole number ≥ 1, got ${parallelism}`);
  const namespace = options.namespace ?? 'default';
  const prometheusUrl = options.prometheusUrl ?? DEFAULT_PROMETHEUS_RW_URL;
  try {
    const url = new URL(prometheusUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new BundleError(
      `--prometheus-url "${prometheusUrl}" is not an http(s) URL (e.g. http://prometheus.monitoring.svc:9090/api/v1/write)`,
    );
  }
  if (options.testid !== undefined && !/^[\w.:-]+$/.test(options.testid))
    throw new BundleError(`--testid "${options.testid}" may hold only letters, digits and . _ : -`);
  const now = options.now ?? new Date();
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new BundleError(`--namespace "${namespace}" is not a valid Kubernetes namespace`);

  const outDir = path.resolve(options.outDir ?? 'dist');
  const scriptDir = path.join(outDir, 'k6');
  const manifestDir = path.join(outDir, 'k6-operator');
  await mkdir(scriptDir, { recursive: true });
  await mkdir(manifestDir, { recursive: true });
  const template = readFileSync(TESTRUN_TEMPLATE, 'utf8');

  const bundled: BundledScenario[] = [];
  for (const scenario of wanted) {
    const code = await bundleScenario(path.join(scenariosDir, `${scenario}.ts`));
    const bytes = Buffer.byteLength(code);
    if (bytes > CONFIGMAP_LIMIT_BYTES) throw new BundleError(`${scenario}: bundle is ${bytes} bytes, too large for a ConfigMap (1 MiB)`);
    const script = path.join(scriptDir, `${scenario}.js`);
    const manifest = path.join(manifestDir, `${scenario}.yaml`);
    await writeFile(script, code);
    await writeFile(
      manifest,
      renderTestRun(template, {
        scenario,
        namespace,
        parallelism,
        arguments: k6Arguments(options.testid ?? defaultTestid(scenario, now), options.env ?? {}),
        script: code,
        prometheusUrl,
      }),
    );
    bundled.push({ scenario, script, manifest, bytes });
  }
  return bundled;
}

function collectEnv(value: string, previous: Record<string, string>): Record<string, string> {
  const equals = value.indexOf('=');
  // An option parser's error must be commander's own, or it escapes commander as a crash.
  if (equals <= 0) throw new InvalidArgumentError(`-e ${value}: expected KEY=VALUE`);
  return { ...previous, [value.slice(0, equals)]: value.slice(equals + 1) };
}

export function register(program: Command): void {
  program
    .command('bundle')
    .description('write k6-ready JS for every scenario to dist/k6/ and k6-operator TestRun manifests to dist/k6-operator/')
    .argument('[scenarios...]', 'scenario names (default: all in scenarios/)')
    .option('--out-dir <dir>', 'output root', 'dist')
    .option('--parallelism <n>', 'k6-operator runner pods per TestRun', (value) => Number(value), 4)
    .option('--namespace <name>', 'Kubernetes namespace of the manifests', 'default')
    .option('-e, --env <KEY=VALUE>', 'k6 -e variable baked into the TestRun arguments (repeatable)', collectEnv, {})
    .option('--prometheus-url <url>', "the runners' remote-write endpoint (K6_PROMETHEUS_RW_SERVER_URL)", DEFAULT_PROMETHEUS_RW_URL)
    .option('--testid <id>', 'the testid tag of the run (default: loadlab-<scenario>-<time of bundling>)')
    .action(
      cliAction(
        'bundle',
        async (
          scenarios: string[],
          flags: {
            outDir: string;
            parallelism: number;
            namespace: string;
            env: Record<string, string>;
            prometheusUrl: string;
            testid?: string;
          },
        ) => {
          // Invalid flags or scenario names (BundleError) are 104, a scenario esbuild cannot compile 255, as k6's.
          const results = await bundleScenarios({
            scenarios,
            outDir: flags.outDir,
            parallelism: flags.parallelism,
            namespace: flags.namespace,
            env: flags.env,
            prometheusUrl: flags.prometheusUrl,
            testid: flags.testid,
          });
          for (const result of results) {
            const relative = (file: string) => path.relative(process.cwd(), file);
            process.stdout.write(
              `${result.scenario.padEnd(20)} ${relative(result.script)} (${(result.bytes / 1024).toFixed(1)} KB)  ${relative(result.manifest)}\n`,
            );
          }
          if (!Object.keys(flags.env).some((key) => key.endsWith('_URL'))) {
            process.stdout.write(
              'note / lưu ý: the manifests target the default 127.0.0.1 URLs; pass -e IDENTITY_URL=… -e PORTAL_URL=… -e NDXP_URL=… to reach the system under test from the cluster.\n',
            );
          }
        },
      ),
    );
}
