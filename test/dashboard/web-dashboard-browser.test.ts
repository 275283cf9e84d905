// The live web dashboard in real Chromium, on a real run against the local mocks: the page loads with
// no console errors while the run is in progress, its charts grow as events arrive, the saturation
// panels show the mocks' resources with the first to saturate marked, and the exported report opens
// offline with the same charts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMocks, startLocalMocks } from '../../capacity/mock-targets.ts';
import { CHROMIUM_ARGS, findChromium } from '../../reports/render/pdf.ts';
import { runCli } from './run-cli.ts';

/** What the page exposes on its global object (the tests run without DOM typings). */
type PageGlobal = {
  loadlabDashboard: {
    state: { snapshots: unknown[]; firstSaturation: { key: string } | null; running: boolean };
    charts: Map<string, { points: number }>;
    events: number;
  };
};

const executablePath = findChromium();
let browser: Browser;
let mocks: LocalMocks;
let dir: string;

beforeAll(async () => {
  if (!executablePath) throw new Error('these tests need Chromium at /usr/bin/chromium (apt-get install -y chromium)');
  browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  // One credential-check slot: the identity mock saturates within seconds of the ramp.
  mocks = await startLocalMocks({ resources: { identity: { credential_check: { slots: 1 } } } });
  dir = mkdtempSync(join(tmpdir(), 'loadlab-dashboard-'));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await mocks?.mocks.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

const chartPoints = (page: Page, name: string) =>
  page.evaluate((chart) => (globalThis as unknown as PageGlobal).loadlabDashboard.charts.get(chart)?.points ?? 0, name);

describe('the live web dashboard', () => {
  it('shows the run live, with the mocks’ saturation, and exports a report that opens offline', async () => {
    const report = join(dir, 'report.html');
    const run = runCli(
      [
        'run',
        '--workers',
        '1',
        '--results-dir',
        dir,
        '--out',
        `web-dashboard=port=0&period=500ms&export=${report}`,
        ...Object.entries(mocks.urls).flatMap(([service, url]) => ['--service-metrics', `${service}=${url}`]),
        ...Object.entries(mocks.env).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
        'test/dashboard/fixtures/login-ramp.ts',
      ],
      { RAMP: '5s', HOLD: '5s' },
    );
    const url = await run.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const errors = collectErrors(page);
    await page.goto(url);
    expect(new URL(page.url()).pathname).toBe('/ui/');

    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).loadlabDashboard.state.snapshots.length >= 2, null, {
      timeout: 30_000,
    });
    expect(await page.locator('#status').getAttribute('data-state')).toBe('running');
    const before = await chartPoints(page, 'latency');
    expect(before).toBeGreaterThanOrEqual(2);
    await page.waitForFunction(
      (n) => ((globalThis as unknown as PageGlobal).loadlabDashboard.charts.get('latency')?.points ?? 0) > n,
      before,
      { timeout: 10_000 },
    );
    expect(await page.locator('.uplot').count()).toBeGreaterThanOrEqual(9);

    // The services' side: every modelled resource of the mocks, and the identity's slot marked first.
    await page.locator('tr[data-resource="identity/credential_check"]').waitFor({ timeout: 20_000 });
    const resources = await page.locator('#resources tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-resource')));
    expect(resources.some((key) => key?.startsWith('portal/'))).toBe(true);
    expect(resources.some((key) => key?.startsWith('ndxp/'))).toBe(true);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).loadlabDashboard.state.firstSaturation !== null, null, {
      timeout: 20_000,
    });
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobal).loadlabDashboard.state.firstSaturation?.key)).toBe(
      'identity/credential_check',
    );
    await expect.poll(() => page.locator('[data-tile="saturation"] strong').textContent()).toBe('identity/credential_check');
    expect(await page.locator('tr.first').getAttribute('data-resource')).toBe('identity/credential_check');
    // The thresholds as the run defines them, with their live state.
    expect(await page.locator('#thresholds tbody tr').count()).toBe(2);
    await page.locator('#thresholds tr[data-ok="false"]', { hasText: 'http_req_duration' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#thresholds tr', { hasText: 'checks' }).getAttribute('data-ok')).toBe('true');
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobal).loadlabDashboard.state.running)).toBe(true);

    // The run stays a normal run: its summary and exit code are k6's (99: a threshold was crossed).
    const result = await run.done;
    expect(result.stderr).toMatch(/ERRO thresholds on metrics 'http_req_duration' have been crossed/);
    expect(result.code).toBe(99);
    expect(result.stdout).toMatch(/http_req_duration/);
    await page.close();

    // The export: one file, no network, the same charts.
    expect(existsSync(report)).toBe(true);
    const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 1600 } });
    const requests: string[] = [];
    context.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    const offline = await context.newPage();
    const offlineErrors = collectErrors(offline);
    await offline.goto(pathToFileURL(report).href);
    await offline.waitForFunction(() => (globalThis as unknown as PageGlobal).loadlabDashboard.state.snapshots.length > 0);
    expect(await offline.locator('.uplot').count()).toBeGreaterThanOrEqual(9);
    expect(await chartPoints(offline, 'latency')).toBeGreaterThan(before);
    expect(await chartPoints(offline, 'utilisation')).toBeGreaterThan(before);
    expect(await offline.locator('[data-tile="saturation"] strong').textContent()).toBe('identity/credential_check');
    expect(await offline.locator('#status').getAttribute('data-state')).toBe('finished');
    expect(offlineErrors).toEqual([]);
    expect(requests).toEqual([]);
    await context.close();
  }, 120_000);
});
