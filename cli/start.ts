import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { runTest } from '../engine/index.ts';
import { runCapacitySearch } from '../capacity/index.ts';
import { type Lang, messages } from '../reports/i18n.ts';
import { LiveProgress } from '../capacity/index.ts';
import { startLocalMocks } from '../capacity/index.ts';
import { buildReport, type Light } from '../reports/model.ts';
import { writeReport } from '../reports/render/index.ts';
import { loadFolder, type SuiteManifest } from '../reports/run-folder.ts';
import { ServiceSampler } from '../capacity/index.ts';
import { startDashboardSession } from '../engine/index.ts';
import { EXIT, InvalidConfigError } from '../engine/errors.ts';
import { cliAction } from './errors.ts';

/** The standard suite: every flow of DOMAIN.md at the smoke profile. */
export const STANDARD_SUITE = ['login-surge', 'dossier-submission', 'ndxp-exchange', 'portal-day'];

/**
 * Identity sized like one province's server for the capacity demonstration: 4 credential-check slots
 * (log-normal p50 40 ms) saturate at roughly 70 logins/s, well within what the embedded engine drives
 * on a laptop, so the search finds the service's limit rather than the machine's.
 */
const PROVINCE_IDENTITY = { resources: { identity: { credential_check: { slots: 4 } } } };

const LIGHT_SYMBOL: Record<Light, string> = { green: '●', amber: '●', red: '●' };
const LIGHT_COLOUR: Record<Light, string> = { green: '\x1b[32m', amber: '\x1b[33m', red: '\x1b[31m' };

interface StartFlags {
  lang: Lang;
  capacity: boolean;
  capacityDuration: number;
  scenarios: string;
  dashboard: boolean;
  resultsDir: string;
  tls?: boolean;
}

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'the main job (`npm start`): start the mocks in-process, run the standard suite at the smoke profile, a short capacity search on the login flow, and write the report',
    )
    .addOption(new Option('--lang <lang>', 'language of report.html and the summary').choices(['vi', 'en']).default('vi'))
    .option('--no-capacity', 'skip the capacity search')
    .option('--no-dashboard', 'do not serve the live web dashboard (K6_WEB_DASHBOARD_HOST/_PORT/_PERIOD set it up)')
    .option('--capacity-duration <seconds>', 'time budget of the capacity search', (v) => Math.max(30, Number(v)), 100)
    .option('--scenarios <list>', 'comma-separated scenario names from scenarios/', STANDARD_SUITE.join(','))
    .option('--results-dir <dir>', 'where results/<run-id>/ is written', 'results')
    .option('--tls', 'serve the mocks over HTTPS (local CA in .loadlab/tls, needs openssl) and verify their certificate')
    .action(
      cliAction('start', async (flags: StartFlags) => {
        const began = Date.now();
        const say = (line: string) => process.stdout.write(`${line}\n`);
        const colour = process.stdout.isTTY
          ? (light: Light, text: string) => `${LIGHT_COLOUR[light]}${text}\x1b[0m`
          : (_: Light, text: string) => text;
        const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-start`;
        const dir = resolve(flags.resultsDir, runId);
        mkdirSync(join(dir, 'runs'), { recursive: true });
        const scenarios = flags.scenarios
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const missing = scenarios.filter((name) => !existsSync(join('scenarios', `${name}.ts`)));
        if (missing.length > 0) throw new InvalidConfigError(`no scenario ${missing.map((m) => `scenarios/${m}.ts`).join(', ')}`);
        const total = scenarios.length + (flags.capacity ? 3 : 2);
        let stage = 0;
        const heading = (text: string) => say(`[${++stage}/${total}] ${text}`);

        heading('starting the identity, portal and NDXP mocks in-process');
        const local = await startLocalMocks(PROVINCE_IDENTITY, { tls: flags.tls ? {} : undefined });
        if (local.caFile) say(`  HTTPS, certificate verified against ${local.caFile}`);
        say(
          `  ${Object.entries(local.urls)
            .map(([s, u]) => `${s} ${u}`)
            .join(' · ')}`,
        );
        const dashboard = flags.dashboard
          ? await startDashboardSession({
              title: `loadlab start · ${runId}`,
              env: process.env,
              services: local.urls,
              print: (line) => say(`  ${line}`),
            })
          : null;
        const manifest: SuiteManifest = { kind: 'suite', runId, startTime: new Date(began).toISOString(), endTime: '', runs: [] };
        const controller = new AbortController();
        // SIGINT and SIGTERM alike: the run or step in progress is kept, then suite.json and the report are
        // written from what was measured. A second signal quits at once.
        const onSignal = (signal: NodeJS.Signals) => {
          if (controller.signal.aborted) process.exit(EXIT.externalAbort);
          say(`  ${signal}: keeping what was measured and writing the report`);
          controller.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          for (const name of scenarios) {
            if (controller.signal.aborted) break;
            heading(`${name} at the smoke profile`);
            const runDir = join(dir, 'runs', name);
            mkdirSync(runDir, { recursive: true });
            const sampler = new ServiceSampler({ urls: local.urls, file: join(runDir, 'services.jsonl') });
            const progress = new LiveProgress(name, say);
            sampler.start();
            let outcome: Awaited<ReturnType<typeof runTest>>;
            try {
              outcome = await runTest({
                script: join('scenarios', `${name}.ts`),
                env: { ...local.env, PROFILE: 'smoke' },
                quiet: true,
                outputs: [progress],
                outputFactories: dashboard ? [dashboard.outputFactory] : [],
                resultsRoot: join(dir, 'runs'),
                runId: name,
                meta: { profile: 'smoke', suite: runId, targets: local.urls },
                signal: controller.signal,
              });
            } finally {
              await sampler.stop();
            }
            manifest.runs.push({ name, dir: relative(dir, outcome.runDir) });
            const failedThresholds = Object.values(outcome.summary.metrics)
              .flatMap((m) => Object.values(m.thresholds ?? {}))
              .filter((t) => !t.ok).length;
            say(
              `${progress.line()} — exit ${outcome.exitCode}${failedThresholds > 0 ? `, ${failedThresholds} threshold(s) failed` : ', thresholds ok'}`,
            );
          }
          if (flags.capacity && !controller.signal.aborted) {
            heading(`capacity search on the login flow (at most ${flags.capacityDuration}s)`);
            const { dir: capacityDir, result } = await runCapacitySearch({
              script: 'scenarios/login-surge.ts',
              startRate: 10,
              stepFactor: 1.6,
              stepDurationS: 8,
              warmupS: 2,
              maxDurationS: flags.capacityDuration,
              refineSteps: 2,
              env: { ...local.env, PROFILE: 'smoke' },
              serviceUrls: local.urls,
              outputFactories: dashboard ? [dashboard.outputFactory] : [],
              workload: 'cutover-login-storm',
              resultsRoot: dir,
              runId: 'capacity',
              signal: controller.signal,
              onProgress: (line) => say(`  ${line}`),
            });
            manifest.capacity = relative(dir, capacityDir);
            const max = result.analysis.maxSustainableThroughput;
            say(
              `  maximum sustainable: ${max === null ? 'none' : `${max.toFixed(1)} logins/s`}; bottleneck: ${result.analysis.bottleneck?.name ?? 'none found'}`,
            );
          }
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await dashboard?.finish(join(dir, 'dashboard.html'));
          await local.mocks.close();
        }
        manifest.endTime = new Date().toISOString();
        writeFileSync(join(dir, 'suite.json'), JSON.stringify(manifest, null, 2));

        heading('writing the report');
        const report = buildReport(loadFolder(dir), { workload: flags.capacity ? undefined : 'none' });
        const primary = await writeReport(report, { dir, lang: flags.lang, formats: ['html', 'pdf', 'md', 'json'] });
        const other: Lang = flags.lang === 'vi' ? 'en' : 'vi';
        const secondary = await writeReport(report, { dir, lang: other, formats: ['html', 'md'], baseName: `report.${other}` });
        for (const note of primary.notes) say(`  ${note}`);

        const m = messages(flags.lang);
        say('');
        say(colour(report.verdict.light, `${LIGHT_SYMBOL[report.verdict.light]} ${m.verdict(report.verdict)}`));
        for (const flow of report.flows) {
          say(
            `  ${colour(flow.light, LIGHT_SYMBOL[flow.light])} ${flow.name.padEnd(28)} p95 ${m.fmt.ms(flow.p95).padStart(9)}  ${m.columns.errors.toLowerCase()} ${m.fmt.percent(flow.failedRatio, 2)}  — ${flow.findings.map((f) => m.finding(f)).join('; ')}`,
          );
        }
        say('');
        say(`report: ${primary.files.html}`);
        if (primary.files.pdf) say(`pdf:    ${primary.files.pdf}`);
        say(`also:   ${[primary.files.md, primary.files.json, secondary.files.html].filter(Boolean).join(', ')}`);
        say(`done in ${Math.round((Date.now() - began) / 1000)} s`);
        if (controller.signal.aborted) process.exitCode = EXIT.externalAbort;
      }),
    );
}
