import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Lang } from '../reports/i18n.ts';
import { buildReport } from '../reports/model.ts';
import { type Format, parseFormats, writeReport } from '../reports/render/index.ts';
import { loadFolder } from '../reports/run-folder.ts';
import { cliAction } from './errors.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('render the capacity / load report of a results folder (a run, a capacity search or an `npm start` suite)')
    .argument('<RUN_DIR>', 'results/<run-id> folder')
    .addOption(new Option('--lang <lang>', 'report language').choices(['vi', 'en']).default('vi'))
    .option(
      '--format <list>',
      'comma-separated formats: html,pdf,md,json',
      (value: string) => {
        try {
          return parseFormats(value);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
      parseFormats('html,md,json,pdf'),
    )
    .option('--baseline <RUN_DIR>', 'an earlier results folder to compare with; regressions are flagged')
    .option('--workload <preset|file>', 'demand model: ndxp-national, province-documents, cutover-login-storm, a JSON file, or none')
    .option('--out <dir>', 'where to write the report files (default: RUN_DIR)')
    .addHelpText(
      'after',
      '\nExamples:\n  loadlab report results/2025-07-01T08-00-00-capacity-login-surge --lang en --format html,pdf\n  loadlab report results/new --baseline results/old',
    )
    .action(
      cliAction(
        'report',
        async (runDir: string, opts: { lang: Lang; format: Format[]; baseline?: string; workload?: string; out?: string }) => {
          // A folder that is not a results folder, or a bad workload model, is invalid input (104).
          const folder = loadFolder(runDir);
          const report = buildReport(folder, { baseline: opts.baseline, workload: opts.workload });
          const written = await writeReport(report, { dir: resolve(opts.out ?? folder.dir), lang: opts.lang, formats: opts.format });
          for (const [format, file] of Object.entries(written.files)) process.stdout.write(`${format.padEnd(4)} ${file}\n`);
          for (const note of written.notes) process.stderr.write(`${note}\n`);
          const regressions = report.baseline?.comparisons.filter((c) => c.regression).length ?? 0;
          if (regressions > 0) process.stderr.write(`${regressions} regression(s) against the baseline\n`);
        },
      ),
    );
}
