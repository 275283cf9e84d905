// `loadlab capacity` (like `npm start`) serves one dashboard for all its runs: it prints the URL, the
// page answers while the search runs, the page with every step lands in the results folder, and
// --no-dashboard turns it off.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loadlab-sessions-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capacity = (resultsDir: string, ...extra: string[]) => [
  'capacity',
  'scenarios/login-surge.ts',
  '--mocks',
  '--start-rate',
  '5',
  '--step-duration',
  '3s',
  '--max-duration',
  '7s',
  '--refine',
  '0',
  '--no-report',
  '--workers',
  '1',
  '--results-dir',
  resultsDir,
  ...extra,
];

describe('the dashboard of npm start', () => {
  it('prints its URL, serves the suite live and leaves dashboard.html in the suite folder', async () => {
    const resultsDir = join(dir, 'start');
    const run = runCli(['start', '--scenarios', 'login-surge', '--no-capacity', '--results-dir', resultsDir], {
      K6_WEB_DASHBOARD_PORT: '0',
    });
    const url = await run.url;
    expect((await fetch(`${url}/ui/`)).status).toBe(200);
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/ {2}web dashboard: http:\/\/127\.0\.0\.1:\d+\n/);
    const [folder] = readdirSync(resultsDir);
    const html = readFileSync(join(resultsDir, folder, 'dashboard.html'), 'utf8');
    const events = JSON.parse(/<script id="events" type="application\/json">(.*?)<\/script>/s.exec(html)![1]) as {
      event: string;
      data: any;
    }[];
    expect(events.filter((e) => e.event === 'start').map((e) => e.data.run)).toEqual(['login-surge']);
    expect(events.some((e) => e.event === 'snapshot' && e.data.services?.resources.length > 0)).toBe(true);
  }, 180_000);
});

describe('the dashboard of a capacity search', () => {
  it('prints its URL, serves the steps live and leaves dashboard.html with them', async () => {
    const resultsDir = join(dir, 'with');
    // K6_WEB_DASHBOARD=true too: the search's one page shows the steps, no step serves one of its own.
    const run = runCli(capacity(resultsDir), { K6_WEB_DASHBOARD: 'true', K6_WEB_DASHBOARD_PORT: '0' });
    const url = await run.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${url}/ui/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<body data-mode="live">');
    const { code, stderr } = await run.done;
    expect(code, stderr).toBe(0);
    expect(stderr.match(/web dashboard: http/g)).toHaveLength(1);
    const [folder] = readdirSync(resultsDir);
    const file = join(resultsDir, folder, 'dashboard.html');
    expect(existsSync(file)).toBe(true);
    const events = JSON.parse(/<script id="events" type="application\/json">(.*?)<\/script>/s.exec(readFileSync(file, 'utf8'))![1]) as {
      event: string;
      data: any;
    }[];
    const steps = events.filter((e) => e.event === 'start').map((e) => e.data.run);
    expect(steps.length).toBeGreaterThanOrEqual(1);
    expect(steps[0]).toMatch(/^step-01/);
    // The mocks' resources are on it, scraped while the steps ran.
    const resources = events
      .filter((e) => e.event === 'snapshot')
      .flatMap((e) => (e.data.services?.resources ?? []).map((r: { key: string }) => r.key));
    expect(resources).toContain('identity/credential_check');
  }, 90_000);

  it('--no-dashboard serves none', async () => {
    const resultsDir = join(dir, 'without');
    const { code, stderr } = await runCli(capacity(resultsDir, '--no-dashboard'), { K6_WEB_DASHBOARD_PORT: '0' }).done;
    expect(code, stderr).toBe(0);
    expect(stderr).not.toContain('web dashboard');
    const [folder] = readdirSync(resultsDir);
    expect(existsSync(join(resultsDir, folder, 'dashboard.html'))).toBe(false);
  }, 90_000);
});
