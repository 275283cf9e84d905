// k6's web-dashboard output: `--out web-dashboard[=options]` or K6_WEB_DASHBOARD=true. The run stays a
// normal run; the page lives as long as the run, and K6_WEB_DASHBOARD_EXPORT writes it as a report.
import type { Output, OutputParams } from '../../metrics/types.ts';
import { readWebDashboardConfig } from './config.ts';
import { LiveDashboard } from './dashboard.ts';

export { LiveDashboard } from './dashboard.ts';
export { readWebDashboardConfig, webDashboardEnabled, WebDashboardConfigError } from './config.ts';

export function createWebDashboardOutput(params: OutputParams): Output {
  const config = readWebDashboardConfig(params.env, params.argument, params.serviceMetrics ?? [], params.allowRemoteTargets);
  const print = params.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const options = params.scriptOptions ?? {};
  const dashboard = new LiveDashboard({ config, log: params.log, title: `loadlab · ${runName(params)}` });
  const run = dashboard.runOutput({ name: runName(params), thresholds: options.noThresholds === true ? null : options.thresholds });
  return {
    get description() {
      return `web dashboard (${dashboard.url ?? (config.port === -1 ? 'no server' : 'starting')})`;
    },
    async start() {
      const url = await dashboard.listen();
      print(`web dashboard: ${url ?? `not served (port -1)${config.exportPath ? `; report to ${config.exportPath}` : ''}`}`);
      await run.start();
    },
    addMetricSamples: (containers) => run.addMetricSamples(containers),
    async stop(error) {
      await run.stop(error);
      try {
        if (config.exportPath) {
          await dashboard.writeReport(config.exportPath);
          print(`web dashboard report: ${config.exportPath}`);
        }
      } finally {
        await dashboard.close();
      }
    },
  };
}

function runName(params: OutputParams): string {
  return params.runDir.split(/[\\/]/).filter(Boolean).pop() ?? 'run';
}
