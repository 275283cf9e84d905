// `loadlab run SCRIPT`: a k6 script on the embedded engine (default) or on a k6 found on PATH,
// with k6's flags and exit codes.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type RunTestOptions, runTest } from '../engine/index.ts';
import { nonLoopbackCidrs } from '../engine/loopback.ts';
import { type ConfigFile, parseDnsFlag, parseStagesFlag, readConfigFile } from '../engine/index.ts';
import { EXIT, reportCliError } from '../engine/errors.ts';
import { bundleScenario } from './bundle.ts';
import { cliAction } from './errors.ts';

interface RunFlags {
  vus?: number;
  duration?: string;
  iterations?: number;
  stage?: string[];
  env: string[];
  tag: string[];
  out: string[];
  summaryExport?: string;
  thresholds: boolean;
  quiet?: boolean;
  workers?: number;
  engine: 'embedded' | 'k6';
  allowRemote?: boolean;
  resultsDir: string;
  runId?: string;
  serviceMetrics: string[];
  summary: boolean;
  summaryMode?: string;
  setup: boolean;
  teardown: boolean;
  includeSystemEnvVars?: boolean;
  usageReport: boolean;
  [k6Flag: string]: unknown;
}

const integer = (min: number) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got "${value}"`);
  return Number(value);
};
const collect = (value: string, previous: string[] = []) => [...previous, value];
const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
const keyValue =
  (what: string) =>
  (value: string, previous: string[] = []) => {
    if (!/^[^=]+=/.test(value)) throw new InvalidArgumentError(`${what} must be KEY=VALUE, got "${value}"`);
    return [...previous, value];
  };
const pairs = (list: string[]) => Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

/**
 * k6 run's flags that set a k6 option: the flag, its commander key, the option it sets, and how its
 * value becomes the option's. They override the script and K6_* variables, as in k6.
 */

const OPTION_FLAGS: readonly {
  flag: string;
  key: string;
  option: string;
  help: string;
  parse?: (value: string, previous?: any) => unknown;
  toOption?: (value: unknown) => unknown;
}[] = [
  {
    flag: '--max-redirects <n>',
    key: 'maxRedirects',
    option: 'maxRedirects',
    help: 'follow at most n redirects (default 10)',
    parse: integer(0),
  },
  { flag: '--batch <n>', key: 'batch', option: 'batch', help: 'max parallel batch requests (default 20)', parse: integer(0) },
  {
    flag: '--batch-per-host <n>',
    key: 'batchPerHost',
    option: 'batchPerHost',
    help: 'max parallel batch requests per host (default 6)',
    parse: integer(0),
  },
  { flag: '--rps <n>', key: 'rps', option: 'rps', help: 'limit requests per second over all VUs', parse: integer(0) },
  { flag: '--user-agent <ua>', key: 'userAgent', option: 'userAgent', help: 'User-Agent of HTTP requests' },
  {
    flag: '--http-debug [mode]',
    key: 'httpDebug',
    option: 'httpDebug',
    help: "log HTTP requests and responses (headers; 'full' adds bodies)",
    toOption: (v) => (v === true ? 'headers' : v),
  },
  {
    flag: '--insecure-skip-tls-verify',
    key: 'insecureSkipTlsVerify',
    option: 'insecureSkipTLSVerify',
    help: 'skip verification of TLS certificates',
  },
  {
    flag: '--no-connection-reuse',
    key: 'connectionReuse',
    option: 'noConnectionReuse',
    help: 'disable keep-alive connections',
    toOption: (v) => (v === false ? true : undefined),
  },
  {
    flag: '--no-vu-connection-reuse',
    key: 'vuConnectionReuse',
    option: 'noVUConnectionReuse',
    help: "don't reuse connections between iterations",
    toOption: (v) => (v === false ? true : undefined),
  },
  {
    flag: '--min-iteration-duration <duration>',
    key: 'minIterationDuration',
    option: 'minIterationDuration',
    help: 'minimum time an iteration takes',
  },
  { flag: '-w, --throw', key: 'throw', option: 'throw', help: 'throw warnings (like failed HTTP requests) as errors' },
  { flag: '--blacklist-ip <cidrs>', key: 'blacklistIp', option: 'blacklistIPs', help: 'block an IP range (comma list)', parse: list },
  {
    flag: '--block-hostnames <patterns>',
    key: 'blockHostnames',
    option: 'blockHostnames',
    help: 'block hostname patterns (comma list)',
    parse: list,
  },
  {
    flag: '--summary-trend-stats <stats>',
    key: 'summaryTrendStats',
    option: 'summaryTrendStats',
    help: "trend stats of the summary, e.g. 'avg,p(95),p(99.9)'",
    parse: (v) => v.split(',').map((s) => s.trim()),
  },
  {
    flag: '--summary-time-unit <unit>',
    key: 'summaryTimeUnit',
    option: 'summaryTimeUnit',
    help: "time unit of the summary: 's', 'ms' or 'us'",
  },
  {
    flag: '--system-tags <tags>',
    key: 'systemTags',
    option: 'systemTags',
    help: 'only these system tags on samples (comma list)',
    parse: list,
  },
  {
    flag: '--console-output <file>',
    key: 'consoleOutput',
    option: 'consoleOutput',
    help: "write the script's console output to this file",
  },
  {
    flag: '--discard-response-bodies',
    key: 'discardResponseBodies',
    option: 'discardResponseBodies',
    help: "read but don't keep HTTP response bodies",
  },
  { flag: '--local-ips <ranges>', key: 'localIps', option: 'localIPs', help: 'client IPs, ranges or CIDRs the VUs send from' },
  {
    flag: '--dns <config>',
    key: 'dns',
    option: 'dns',
    help: 'DNS resolver settings, e.g. ttl=5m,select=random,policy=preferIPv4',
    parse: (v) => parseDnsFlag(v),
  },
  { flag: '-p, --paused', key: 'paused', option: 'paused', help: 'start paused (refused: needs a REST API)' },
  {
    flag: '--execution-segment <segment>',
    key: 'executionSegment',
    option: 'executionSegment',
    help: 'run a segment of the test (refused)',
  },
  {
    flag: '--execution-segment-sequence <sequence>',
    key: 'executionSegmentSequence',
    option: 'executionSegmentSequence',
    help: 'the segment sequence (refused)',
  },
];

/** Flags of k6 run that configure k6 itself, which the embedded engine refuses (the reason is the error). */
const REFUSED_FLAGS: readonly { flag: string; key: string; refuse: (value: unknown) => string | null }[] = [
  { flag: '-l, --linger', key: 'linger', refuse: () => "--linger keeps k6's REST API alive; the embedded engine has no REST API" },
  { flag: '-a, --address <address>', key: 'address', refuse: () => '--address: the embedded engine has no REST API' },
  {
    flag: '--profiling-enabled',
    key: 'profilingEnabled',
    refuse: () => '--profiling-enabled: the embedded engine has no pprof endpoints (use node --inspect)',
  },
  { flag: '--secret-source <source>', key: 'secretSource', refuse: () => '--secret-source: k6/secrets sources are not implemented' },
  {
    flag: '--log-format <format>',
    key: 'logFormat',
    refuse: (v) => (v === 'text' ? null : `--log-format ${v}: only k6's default text log format is implemented`),
  },
  {
    flag: '--traces-output <output>',
    key: 'tracesOutput',
    refuse: (v) => (v === 'none' ? null : `--traces-output ${v}: the embedded engine emits no traces`),
  },
  {
    flag: '-t, --type <type>',
    key: 'type',
    refuse: (v) => (v === 'js' ? null : `--type ${v}: the embedded engine runs scripts, not k6 archives`),
  },
  {
    flag: '--compatibility-mode <mode>',
    key: 'compatibilityMode',
    refuse: (v) => (v === 'extended' ? null : `--compatibility-mode ${v}: scripts run as k6's "extended" mode`),
  },
];

/** The flag problems of an embedded run (exit 104), empty when none. */
function refusedFlagProblems(flags: RunFlags): string[] {
  return REFUSED_FLAGS.flatMap(({ key, refuse }) => {
    if (flags[key] === undefined) return [];
    const problem = refuse(flags[key]);
    return problem === null ? [] : [problem];
  });
}

/** `loadlab run`'s command with its k6 flags; the action gets the script and the parsed flags. */
export function runCommand(action: (script: string, flags: RunFlags) => Promise<void>): Command {
  const command = new Command('run')
    .description('run a k6 script (TypeScript or JavaScript) on the embedded engine, or on k6 with --engine k6')
    .argument('<script>', 'the k6 script, e.g. scenarios/login.ts')
    .option('-u, --vus <n>', 'number of VUs (overrides the script)', integer(0))
    .option('-d, --duration <duration>', "test duration, e.g. '30s', '5m'")
    .option('-i, --iterations <n>', 'total iterations shared by the VUs', integer(1))
    .option('-s, --stage <duration:target>', 'a ramping stage, e.g. 30s:100 (repeat for several)', collect)
    .option('-e, --env <KEY=VALUE>', 'environment variable for __ENV (repeatable)', keyValue('--env'), [])
    .option('--tag <k=v>', 'tag added to every sample (repeatable)', keyValue('--tag'), [])
    .option('-o, --out <spec>', "output: 'json=FILE' or 'experimental-prometheus-rw' (repeatable)", collect, [])
    .option('-c, --config <file>', "k6's JSON config file: options below the script's (defaults < file < script < K6_* < flags)")
    .option('--summary-export <file>', "write the end-of-test summary in k6's --summary-export format")
    .option('--no-thresholds', "don't evaluate thresholds")
    .addOption(
      new Option('--summary-mode <mode>', 'end-of-test summary: compact, full, disabled or legacy (default compact)').choices([
        'compact',
        'full',
        'disabled',
        'legacy',
      ]),
    )
    .option('--no-summary', "don't print the end-of-test summary (k6's deprecated form of --summary-mode=disabled)")
    .option('--no-setup', "don't run setup()")
    .option('--no-teardown', "don't run teardown()")
    .option('--include-system-env-vars [bool]', 'pass the system environment to __ENV (default true)', (v: string) => v !== 'false')
    .option('--no-usage-report', 'accepted for k6 compatibility: the embedded engine reports nothing')
    .option('--log-output <output>', 'where logs go: stderr (default), stdout, none or file=PATH')
    .option('--no-color', 'no colours in the output')
    .option('-v, --verbose', 'show debug logs')
    .option('-q, --quiet', 'no progress display (the summary is still printed, as in k6)')
    .option('--workers <n>', 'worker threads for VUs (default: the number of cores)', integer(1))
    .addOption(new Option('--engine <engine>', 'which engine runs the script').choices(['embedded', 'k6']).default('embedded'))
    .option('--allow-remote', 'allow requests to hosts outside loopback (127.0.0.0/8, ::1)')
    .option('--results-dir <dir>', 'where results/<run-id>/ is written', 'results')
    .option('--run-id <id>', 'name of the results folder (default: timestamp and script name)')
    .option(
      '--service-metrics <url>',
      "a service's Prometheus endpoint for the web dashboard's saturation panels, [name=]URL (repeatable)",
      collect,
      [],
    )
    .action(action);
  for (const { flag, help, parse } of OPTION_FLAGS) command.option(flag, help, parse as (value: string, previous: unknown) => unknown);
  for (const { flag } of REFUSED_FLAGS) command.option(flag, 'k6 flag (refused by the embedded engine; works with --engine k6)');
  return command;
}

export function register(program: Command): void {
  program.addCommand(
    runCommand(
      cliAction('run', async (script, flags) => {
        process.exitCode = flags.engine === 'k6' ? await runOnK6(script, flags) : await runEmbedded(script, flags);
      }),
    ),
  );
}

/** `run`'s arguments (after `run`) → what the embedded engine gets, exactly as the CLI would call it. */
export async function runTestOptionsFromArgs(args: readonly string[]): Promise<RunTestOptions> {
  let parsed: RunTestOptions | undefined;
  const command = runCommand(async (script, flags) => {
    parsed = runTestOptionsOf(script, flags);
  });
  command.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  await command.parseAsync([...args], { from: 'user' });
  if (!parsed) throw new Error('run: no script given');
  return parsed;
}

/** -c/--config: the file's options, or the problem reading it (k6: exit 104). */
function configFileOf(flags: RunFlags): { config: ConfigFile | null; problems: string[] } {
  if (typeof flags.config !== 'string') return { config: null, problems: [] };
  try {
    return { config: readConfigFile(flags.config), problems: [] };
  } catch (error) {
    return { config: null, problems: [(error as Error).message] };
  }
}

function runTestOptionsOf(script: string, flags: RunFlags): RunTestOptions {
  const { config, problems } = configFileOf(flags);
  // As k6: --out wins over K6_OUT, which wins over the file's "out".
  const out = flags.out.length > 0 || process.env.K6_OUT || !config ? flags.out : config.out;
  return {
    script,
    summaryMode: (flags.summaryMode as RunTestOptions['summaryMode']) ?? (flags.summary === false ? 'disabled' : 'auto'),
    includeSystemEnv: flags.includeSystemEnvVars as boolean | undefined,
    logOutput: flags.logOutput as string | undefined,
    verbose: flags.verbose === true,
    noColor: flags.color === false,
    configProblems: [...problems, ...refusedFlagProblems(flags)],
    configOptions: config?.options,
    env: pairs(flags.env),
    tags: pairs(flags.tag),
    optionOverrides: overridesOf(flags),
    out,
    summaryExport: flags.summaryExport,
    noThresholds: !flags.thresholds,
    quiet: flags.quiet,
    workers: flags.workers,
    resultsRoot: flags.resultsDir,
    runId: flags.runId,
    allowRemoteTargets: flags.allowRemote,
    serviceMetrics: flags.serviceMetrics,
  };
}

function overridesOf(flags: RunFlags): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const { key, option, toOption } of OPTION_FLAGS) {
    const value = toOption ? toOption(flags[key]) : flags[key];
    if (value !== undefined) overrides[option] = value;
  }
  if (flags.setup === false) overrides.noSetup = true;
  if (flags.teardown === false) overrides.noTeardown = true;
  if (flags.vus !== undefined) overrides.vus = flags.vus;
  if (flags.duration !== undefined) overrides.duration = flags.duration;
  if (flags.iterations !== undefined) overrides.iterations = flags.iterations;
  if (flags.stage?.length) overrides.stages = parseStagesFlag(flags.stage.join(','));
  return overrides;
}

async function runEmbedded(script: string, flags: RunFlags): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) controller.abort();
    else process.exit(EXIT.externalAbort);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const result = await runTest({ ...runTestOptionsOf(script, flags), signal: controller.signal });
    if (!flags.quiet) process.stderr.write(`results: ${result.runDir}\n`);
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/** The k6 command line for the same run: every k6 flag given to loadlab, plus --no-usage-report and the loopback guard. */
function k6Args(script: string, flags: RunFlags): string[] {
  const args = ['run', '--no-usage-report'];
  const add = (flag: string, value?: unknown) => (value === undefined ? args.push(flag) : args.push(flag, String(value)));
  if (flags.vus !== undefined) add('--vus', flags.vus);
  if (flags.duration !== undefined) add('--duration', flags.duration);
  if (flags.iterations !== undefined) add('--iterations', flags.iterations);
  for (const stage of flags.stage ?? []) add('--stage', stage);
  for (const kv of flags.env) add('-e', kv);
  for (const kv of flags.tag) add('--tag', kv);
  for (const out of flags.out) add('--out', out);
  if (typeof flags.config === 'string') add('--config', flags.config);
  if (flags.summaryExport) add('--summary-export', flags.summaryExport);
  if (!flags.thresholds) add('--no-thresholds');
  if (flags.quiet) add('--quiet');
  if (flags.summaryMode) add('--summary-mode', flags.summaryMode);
  if (flags.summary === false) add('--summary-mode', 'disabled');
  if (flags.setup === false) add('--no-setup');
  if (flags.teardown === false) add('--no-teardown');
  if (flags.includeSystemEnvVars === false) add('--include-system-env-vars=false');
  if (flags.logOutput) add('--log-output', flags.logOutput);
  if (flags.color === false) add('--no-color');
  if (flags.verbose) add('--verbose');
  const blocked: string[] = [];
  for (const { flag, key } of OPTION_FLAGS) {
    const name = flag.replace(/^-\w, /, '').split(' ')[0];
    const value = flags[key];
    if (value === undefined) continue;
    if (key === 'blacklistIp') blocked.push(...(value as string[]));
    else if (name.startsWith('--no-')) {
      if (value === false) add(name);
    } else if (value === true) add(name);
    else if (Array.isArray(value)) add(name, value.join(','));
    else if (key === 'dns')
      add(
        name,
        Object.entries(value as Record<string, string>)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      );
    else add(name, value);
  }
  for (const { flag, key } of REFUSED_FLAGS) {
    const name = flag.replace(/^-\w, /, '').split(' ')[0];
    if (flags[key] === true) add(name);
    else if (flags[key] !== undefined) add(name, flags[key]);
  }
  // The same loopback rule as the embedded engine: IPv4 and IPv6 outside loopback are blocked.
  if (!flags.allowRemote) blocked.push(...nonLoopbackCidrs());
  if (blocked.length > 0) add('--blacklist-ip', blocked.join(','));
  args.push(script);
  return args;
}

/**
 * Hands the run to real k6 (LOADLAB_K6, else `k6` on PATH); its exit code is the run's. A .ts script is
 * bundled first (as `loadlab bundle` does), so that any k6 ≥ 0.45 runs it; Ctrl-C and SIGTERM go to k6,
 * which is waited for.
 */
async function runOnK6(script: string, flags: RunFlags): Promise<number> {
  let runScript = script;
  let bundled: string | null = null;
  if (/\.[cm]?ts$/.test(script)) {
    try {
      const code = await bundleScenario(script);
      // Beside the script, so that open() paths relative to it still resolve.
      bundled = path.join(path.dirname(script), `.${path.basename(script).replace(/\.[cm]?ts$/, '')}.loadlab-k6.js`);
      writeFileSync(bundled, code);
      runScript = bundled;
    } catch (error) {
      // A script esbuild cannot compile is k6's 255 (ScriptCompileError), as k6 itself would exit for it.
      return reportCliError('run', error, process.stderr);
    }
  }
  const binary = process.env.LOADLAB_K6 || 'k6';
  try {
    return await new Promise<number>((resolve) => {
      const child = spawn(binary, k6Args(runScript, flags), { stdio: 'inherit' });
      const forward = (signal: NodeJS.Signals) => () => {
        if (child.exitCode === null) child.kill(signal);
      };
      const onInt = forward('SIGINT');
      const onTerm = forward('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      const done = (code: number) => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        resolve(code);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        process.stderr.write(
          error.code === 'ENOENT'
            ? `loadlab: --engine k6 needs the k6 binary (LOADLAB_K6 or k6 on PATH), and none was found (${binary}). Install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or run without --engine to use the embedded engine.\n`
            : `loadlab: could not start k6: ${error.message}\n`,
        );
        // No k6 to run is not the script's or the options' fault: a tool is missing (1, as `stack up` without Prometheus).
        done(EXIT.failed);
      });
      child.on('exit', (code, signal) =>
        done(code ?? (signal === 'SIGINT' ? EXIT.externalAbort : 128 + (os.constants.signals[signal ?? 'SIGTERM'] ?? 15))),
      );
    });
  } finally {
    if (bundled) rmSync(bundled, { force: true });
  }
}
