import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../engine/index.ts';
import { loadWorkloadModel } from '../reports/analysis/projection.ts';
import { runCapacitySearch } from '../capacity/index.ts';
import { type Lang, messages } from '../reports/i18n.ts';
import { type LocalMocks, startLocalMocks } from '../capacity/index.ts';
import { TLS_KEY_TYPES, type TlsKeyType } from '../mocks/tls.ts';
import { buildReport } from '../reports/model.ts';
import { parseFormats, writeReport } from '../reports/render/index.ts';
import { loadFolder } from '../reports/run-folder.ts';
import { parseSloFlag } from '../capacity/index.ts';
import { resolveRunDir } from '../engine/index.ts';
import { EXIT, InvalidConfigError, reportCliError } from '../engine/errors.ts';
import { type DashboardSession, startDashboardSession } from '../engine/index.ts';

function positive(label: string) {
  return (value: string) => {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`${label} must be a positive number`);
    return number;
  };
}

function seconds(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms <= 0) throw new Error('must be positive');
    return ms / 1000;
  } catch (error) {
    throw new InvalidArgumentError(`a duration like 30s or 2m (${(error as Error).message})`);
  }
}

function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  return { ...previous, [value.slice(0, equals)]: value.slice(equals + 1) };
}

interface CapacityFlags {
  slo?: string;
  allowRemote?: boolean;
  startRate: number;
  stepFactor?: number;
  stepSize?: number;
  stepDuration: number;
  warmup?: number;
  maxDuration: number;
  maxRate?: number;
  refine: number;
  keepPace?: number;
  flow?: string;
  request?: string;
  env: Record<string, string>;
  mocks?: boolean;
  mocksConfig?: string;
  tls?: boolean;
  tlsKeyType?: TlsKeyType;
  sample: Record<string, string>;
  workload?: string;
  workers?: number;
  maxVus?: number;
  runId?: string;
  resultsDir: string;
  report: boolean;
  lang: Lang;
  quiet?: boolean;
  dashboard: boolean;
}

export function register(program: Command): void {
  program
    .command('capacity')
    .description(
      'step the arrival rate up until the SLO breaks; records per-step aggregates, saturation and where and why it broke (capacity.json)',
    )
    .argument('<SCENARIO>', 'k6 scenario (.ts/.js)')
    .option(
      '--slo <criteria>',
      "SLO instead of the scenario's thresholds, compiled into k6 thresholds: 'p95<800ms,errors<1%' (also p99<1m30s, avg<, checks>N%, p95{name:\"/api\"}<1s, or http_req_duration{flow:login}:p(95)<800)",
    )
    .option('--start-rate <n>', 'first step, iterations per second', positive('--start-rate'), 10)
    .option('--step-factor <x>', 'multiply the rate by this each step (default 1.5)', positive('--step-factor'))
    .option('--step-size <n>', 'add this many iterations/s each step instead of multiplying', positive('--step-size'))
    .option('--step-duration <duration>', 'length of each step', seconds, 20)
    .option('--warmup <duration>', 'unmeasured start of each step (default: a quarter of the step, at most 2s)', seconds)
    .option('--max-duration <duration>', 'time budget for the whole search', seconds, 600)
    .option('--max-rate <n>', 'never offer more than this', positive('--max-rate'))
    .option('--keep-pace <ratio>', 'share of the offered rate a step must complete to count as sustained (default 0.95)', (value) => {
      const ratio = Number(value);
      if (!(ratio > 0 && ratio <= 1)) throw new InvalidArgumentError('--keep-pace must be a ratio in (0, 1], e.g. 0.95');
      return ratio;
    })
    .option('--refine <n>', 'bisection steps between the last good and the first broken rate', (v) => Math.max(0, Math.round(Number(v))), 3)
    .option('--flow <exec>', 'exported function to drive (k6 exec)', 'default')
    .option('--request <name>', 'only requests whose name contains this count for the SLO and the bottleneck')
    .option('-e, --env <KEY=VALUE>', 'environment variable for the script (__ENV), repeatable', keyValue, {})
    .option('--mocks', 'start the identity, portal and NDXP mocks in-process on free ports, target them, and record their saturation')
    .option('--mocks-config <file>', 'mock config (capacity profiles) for --mocks')
    .option('--tls', 'with --mocks: serve HTTPS (local CA in .loadlab/tls), verify the certificate, and measure TLS termination')
    .addOption(
      new Option('--tls-key-type <type>', 'with --tls: the server key (RSA keys cost far more per handshake)').choices([...TLS_KEY_TYPES]),
    )
    .option('--sample <service=url>', 'sample /metrics of an already running local service each second, repeatable', keyValue, {})
    .option(
      '--workload <preset|file>',
      'demand model for the report: ndxp-national, province-documents, cutover-login-storm or a JSON file',
    )
    .option('--allow-remote', 'allow load on hosts outside loopback (127.0.0.0/8, ::1): a staging system, never production')
    .option('--workers <n>', 'engine worker threads', positive('--workers'))
    .option('--max-vus <n>', 'VU pool per step (default 4 × rate, at least 100)', positive('--max-vus'))
    .option('--run-id <id>', 'name of the results folder (one folder inside --results-dir)')
    .option('--results-dir <dir>', 'where results/<run-id>/ is written', 'results')
    .option('--no-report', 'do not render the report at the end')
    .addOption(new Option('--lang <lang>', 'report language').choices(['vi', 'en']).default('vi'))
    .option('-q, --quiet', 'no progress lines')
    .option('--no-dashboard', 'do not serve the live web dashboard (K6_WEB_DASHBOARD_HOST/_PORT/_PERIOD set it up)')
    .addHelpText(
      'after',
      "\nExample:\n  loadlab capacity scenarios/login-surge.ts --mocks --slo 'p95<800ms,errors<1%' --step-duration 10s --max-duration 3m",
    )
    .action(async (scenario: string, flags: CapacityFlags) => {
      let local: LocalMocks | undefined;
      let dashboard: DashboardSession | null = null;
      let dashboardFile: string | undefined;
      const controller = new AbortController();
      // SIGINT (Ctrl-C) and SIGTERM (a CI job cancelled, a container stopped) alike: the step in progress
      // is kept and marked partial, capacity.json and the report are written. A second signal quits now.
      const onSignal = (signal: NodeJS.Signals) => {
        if (controller.signal.aborted) process.exit(EXIT.externalAbort);
        process.stderr.write(`loadlab capacity: ${signal}, keeping the step in progress and writing capacity.json and the report\n`);
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        if (flags.stepFactor && flags.stepSize) throw new InvalidConfigError('--step-factor and --step-size exclude each other');
        if (flags.stepFactor !== undefined && flags.stepFactor <= 1) throw new InvalidConfigError('--step-factor must be greater than 1');
        if (flags.runId !== undefined) resolveRunDir(flags.resultsDir, flags.runId);
        const slo = flags.slo ? parseSloFlag(flags.slo) : undefined;
        if (flags.workload && flags.workload !== 'none') loadWorkloadModel(flags.workload);
        const log = (line: string) => {
          if (!flags.quiet) process.stderr.write(`${line}\n`);
        };
        if ((flags.tls || flags.tlsKeyType) && !flags.mocks) throw new InvalidArgumentError('--tls and --tls-key-type apply to --mocks');
        if (flags.mocks) {
          local = await startLocalMocks(flags.mocksConfig, {
            tls: flags.tls || flags.tlsKeyType ? { keyType: flags.tlsKeyType } : undefined,
          });
          log(
            `mocks: ${Object.entries(local.urls)
              .map(([s, u]) => `${s} ${u}`)
              .join(', ')}`,
          );
        }
        log(`capacity search on ${scenario}: from ${flags.startRate}/s, steps of ${flags.stepDuration}s, at most ${flags.maxDuration}s`);
        const serviceUrls = { ...(local?.urls ?? {}), ...flags.sample };
        if (flags.dashboard) {
          const print = (line: string) => process.stderr.write(`${line}\n`);
          dashboard = await startDashboardSession({
            title: `loadlab capacity · ${scenario}`,
            env: process.env,
            services: serviceUrls,
            allowRemote: flags.allowRemote === true,
            print,
          });
        }
        const { result, dir } = await runCapacitySearch({
          script: scenario,
          flow: flags.flow,
          requestFilter: flags.request,
          slo,
          startRate: flags.startRate,
          stepFactor: flags.stepFactor,
          stepSize: flags.stepSize,
          stepDurationS: flags.stepDuration,
          warmupS: flags.warmup,
          maxDurationS: flags.maxDuration,
          maxRate: flags.maxRate,
          refineSteps: flags.refine,
          keepPaceRatio: flags.keepPace,
          maxVUs: flags.maxVus,
          env: { ...(local?.env ?? {}), ...flags.env },
          serviceUrls,
          outputFactories: dashboard ? [dashboard.outputFactory] : [],
          workload: flags.workload,
          allowRemoteTargets: flags.allowRemote === true,
          workers: flags.workers,
          resultsRoot: flags.resultsDir,
          runId: flags.runId,
          signal: controller.signal,
          onProgress: log,
        });
        const a = result.analysis;
        process.stdout.write(`capacity.json ${resolve(dir, 'capacity.json')}\n`);
        dashboardFile = resolve(dir, 'dashboard.html');
        if (flags.report) {
          const report = buildReport(loadFolder(dir), { workload: flags.workload });
          const written = await writeReport(report, { dir, lang: flags.lang, formats: parseFormats('html,pdf,md,json') });
          for (const note of written.notes) log(note);
          process.stdout.write(`report ${written.files.html}\n`);
          process.stdout.write(`${messages(flags.lang).verdict(report.verdict)}\n`);
        } else {
          process.stdout.write(
            `max sustainable throughput: ${a.maxSustainableThroughput === null ? 'none' : a.maxSustainableThroughput.toFixed(1)} it/s; bottleneck: ${a.bottleneck?.name ?? 'none found'}\n`,
          );
        }
        if (result.stoppedBecause === 'interrupted') process.exitCode = EXIT.externalAbort;
        if (result.scenarioFailure) process.exitCode = result.scenarioFailure.exitCode;
      } catch (error) {
        // Bad input (flags, --slo, --run-id, --workload, the mock or dashboard config) is 104; a step the scenario
        // itself failed has the step's code (ScenarioError); anything else went wrong while running.
        process.exitCode = reportCliError('capacity', error, process.stderr);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await dashboard?.finish(dashboardFile);
        await local?.mocks.close();
      }
    });
}
