// One dashboard for a command that runs several tests (`npm start`'s suite, the capacity search's
// steps): served for the whole command, each run added to it as an output, the page written to the
// results folder at the end. K6_WEB_DASHBOARD_* still set host, port and period.
import type { OutputFactory, OutputParams } from '../../metrics/types.ts';
import { readWebDashboardConfig } from './config.ts';
import { LiveDashboard } from './dashboard.ts';

/**
 * Sessions serving in this process. While one serves, K6_WEB_DASHBOARD=true adds no dashboard of its own
 * to each run: the session's page already shows them, and a second server would want the same port.
 */
let serving = 0;

export function dashboardSessionServing(): boolean {
  return serving > 0;
}

/** Several runs make a longer story than one: a shorter period than k6's 10 s keeps it readable. */
const SESSION_PERIOD = 'period=2s';

export interface DashboardSessionOptions {
  readonly title: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Services to scrape: name → base URL or metrics URL (the local mocks). */
  readonly services: Readonly<Record<string, string>>;
  readonly allowRemote?: boolean;
  readonly print: (line: string) => void;
  readonly log?: (message: string) => void;
}

export interface DashboardSession {
  readonly url: string | null;
  /** Pass to runTest's outputFactories: the run appears on the page under its run id. */
  readonly outputFactory: OutputFactory;
  /** Writes the page with every run to `reportPath` if given (and to K6_WEB_DASHBOARD_EXPORT when set), then stops serving. */
  finish(reportPath?: string): Promise<void>;
}

export async function startDashboardSession(options: DashboardSessionOptions): Promise<DashboardSession> {
  const services = Object.entries(options.services).map(([service, url]) => `${service}=${url}`);
  const argument = options.env.K6_WEB_DASHBOARD_PERIOD ? '' : SESSION_PERIOD;
  let config = readWebDashboardConfig(options.env, argument, services, options.allowRemote === true);
  let dashboard = new LiveDashboard({ config, title: options.title, log: options.log });
  let url: string | null;
  try {
    url = await dashboard.listen();
  } catch (error) {
    // k6's default port may be taken by another run's dashboard; a command of its own finds another.
    if (options.env.K6_WEB_DASHBOARD_PORT !== undefined) throw error;
    config = { ...config, port: 0 };
    dashboard = new LiveDashboard({ config, title: options.title, log: options.log });
    url = await dashboard.listen();
  }
  options.print(url === null ? 'web dashboard: not served (K6_WEB_DASHBOARD_PORT=-1)' : `web dashboard: ${url}`);
  const live = dashboard;
  serving++;
  let finished = false;
  return {
    url,
    outputFactory: (params: OutputParams) => {
      const scriptOptions = params.scriptOptions ?? {};
      const name = params.runDir.split(/[\\/]/).filter(Boolean).pop() ?? 'run';
      return live.runOutput({ name, thresholds: scriptOptions.noThresholds === true ? null : scriptOptions.thresholds });
    },
    async finish(reportPath?: string) {
      if (!finished) serving--;
      finished = true;
      try {
        await live.endRun();
        if (reportPath) await live.writeReport(reportPath);
        if (config.exportPath) await live.writeReport(config.exportPath);
      } finally {
        await live.close();
      }
    },
  };
}
