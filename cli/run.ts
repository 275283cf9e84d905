// `loadlab run SCRIPT`: a k6 script on the embedded engine (default) or on a k6 found on PATH,
// with k6's flags and exit codes.
import { spawn } from 'node:child_process';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type RunTestOptions, runTest } from '../engine/index.ts';
import { parseStagesFlag } from '../engine/options/config.ts';

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
}

const integer = (min: number) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got "${value}"`);
  return Number(value);
};
const collect = (value: string, previous: string[] = []) => [...previous, value];
const keyValue = (what: string) => (value: string, previous: string[] = []) => {
  if (!/^[^=]+=/.test(value)) throw new InvalidArgumentError(`${what} must be KEY=VALUE, got "${value}"`);
  return [...previous, value];
};
const pairs = (list: string[]) => Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

/** `loadlab run`'s command with its k6 flags; the action gets the script and the parsed flags. */
export function runCommand(action: (script: string, flags: RunFlags) => Promise<void>): Command {
  return new Command('run')
    .description('run a k6 script (TypeScript or JavaScript) on the embedded engine, or on k6 with --engine k6')
    .argument('<script>', 'the k6 script, e.g. scenarios/login.ts')
    .option('-u, --vus <n>', 'number of VUs (overrides the script)', integer(0))
    .option('-d, --duration <duration>', "test duration, e.g. '30s', '5m'")
    .option('-i, --iterations <n>', 'total iterations shared by the VUs', integer(1))
    .option('-s, --stage <duration:target>', 'a ramping stage, e.g. 30s:100 (repeat for several)', collect)
    .option('-e, --env <KEY=VALUE>', 'environment variable for __ENV (repeatable)', keyValue('--env'), [])
    .option('--tag <k=v>', 'tag added to every sample (repeatable)', keyValue('--tag'), [])
    .option('-o, --out <spec>', "output: 'json=FILE' or 'experimental-prometheus-rw' (repeatable)", collect, [])
    .option('--summary-export <file>', "write the end-of-test summary in k6's --summary-export format")
    .option('--no-thresholds', "don't evaluate thresholds")
    .option('-q, --quiet', 'no progress and no end-of-test summary on the terminal')
    .option('--workers <n>', 'worker threads for VUs (default: the number of cores; 1 = main thread)', integer(1))
    .addOption(new Option('--engine <engine>', 'which engine runs the script').choices(['embedded', 'k6']).default('embedded'))
    .option('--allow-remote', 'allow requests to hosts outside loopback (127.0.0.0/8, ::1)')
    .option('--results-dir <dir>', 'where results/<run-id>/ is written', 'results')
    .option('--run-id <id>', 'name of the results folder (default: timestamp and script name)')
    .option('--service-metrics <url>', "a service's Prometheus endpoint for the web dashboard's saturation panels, [name=]URL (repeatable)", collect, [])
    .action(action);
}

export function register(program: Command): void {
  program.addCommand(
    runCommand(async (script, flags) => {
      process.exitCode = flags.engine === 'k6' ? await runOnK6(script, flags) : await runEmbedded(script, flags);
    }),
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

function runTestOptionsOf(script: string, flags: RunFlags): RunTestOptions {
  return {
    script,
    env: pairs(flags.env),
    tags: pairs(flags.tag),
    optionOverrides: overridesOf(flags),
    out: flags.out,
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
    else process.exit(105);
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

const K6_NON_LOOPBACK_IPV4 = ['0.0.0.0/2', '64.0.0.0/3', '96.0.0.0/4', '112.0.0.0/5', '120.0.0.0/6', '124.0.0.0/7', '126.0.0.0/8', '128.0.0.0/1'];

/** Hands the script and the k6 flags to a `k6` on PATH; its exit code is the run's. */
function runOnK6(script: string, flags: RunFlags): Promise<number> {
  const args = ['run'];
  if (flags.vus !== undefined) args.push('--vus', String(flags.vus));
  if (flags.duration !== undefined) args.push('--duration', flags.duration);
  if (flags.iterations !== undefined) args.push('--iterations', String(flags.iterations));
  for (const stage of flags.stage ?? []) args.push('--stage', stage);
  for (const kv of flags.env) args.push('-e', kv);
  for (const kv of flags.tag) args.push('--tag', kv);
  for (const out of flags.out) args.push('--out', out);
  if (flags.summaryExport) args.push('--summary-export', flags.summaryExport);
  if (!flags.thresholds) args.push('--no-thresholds');
  if (flags.quiet) args.push('--quiet');
  // The same loopback guard on k6: every IPv4 range except 127.0.0.0/8.
  if (!flags.allowRemote) args.push('--blacklist-ip', K6_NON_LOOPBACK_IPV4.join(','));
  args.push(script);
  return new Promise((resolve) => {
    const child = spawn('k6', args, { stdio: 'inherit' });
    child.on('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(
        error.code === 'ENOENT'
          ? 'loadlab: --engine k6 needs the k6 binary on PATH, and none was found. Install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or run without --engine to use the embedded engine.\n'
          : `loadlab: could not start k6: ${error.message}\n`,
      );
      resolve(104);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 105 : 1)));
  });
}
