// The web dashboard without a browser: k6's settings and their refusals, what one period aggregates
// to, the services' saturation from Prometheus text, the event stream over HTTP, and the run's exit
// codes with the dashboard on.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_METRICS } from '../../engine/metrics/builtin.ts';
import type { SampleContainer } from '../../engine/metrics/types.ts';
import { RunAggregate } from '../../engine/outputs/web-dashboard/aggregate.ts';
import { readWebDashboardConfig, webDashboardEnabled } from '../../engine/outputs/web-dashboard/config.ts';
import { LiveDashboard } from '../../engine/outputs/web-dashboard/dashboard.ts';
import { ServiceScraper } from '../../engine/outputs/web-dashboard/services.ts';
import { runCli } from './run-cli.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loadlab-dash-unit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function request(time: number, name: string, durationMs: number, failed: boolean): SampleContainer {
  return {
    time,
    tags: { name, scenario: 'browse', expected_response: String(!failed) },
    samples: [
      { metric: BUILTIN_METRICS.http_reqs, value: 1 },
      { metric: BUILTIN_METRICS.http_req_duration, value: durationMs },
      { metric: BUILTIN_METRICS.http_req_failed, value: failed ? 1 : 0 },
    ],
  };
}

describe('web dashboard settings (k6 names and defaults)', () => {
  it("defaults to k6's 127.0.0.1:5665, 10s period, no browser, no export", () => {
    expect(readWebDashboardConfig({}, '')).toEqual({
      host: '127.0.0.1',
      port: 5665,
      periodMs: 10_000,
      open: false,
      exportPath: '',
      serviceMetrics: [],
    });
  });

  it('reads K6_WEB_DASHBOARD_* and lets the --out argument win', () => {
    const env = {
      K6_WEB_DASHBOARD_PORT: '0',
      K6_WEB_DASHBOARD_PERIOD: '2s',
      K6_WEB_DASHBOARD_OPEN: 'false',
      K6_WEB_DASHBOARD_EXPORT: 'r.html',
    };
    expect(readWebDashboardConfig(env, '')).toMatchObject({ port: 0, periodMs: 2000, open: false, exportPath: 'r.html' });
    expect(readWebDashboardConfig(env, 'port=-1&period=500ms&export=other.html')).toMatchObject({
      port: -1,
      periodMs: 500,
      exportPath: 'other.html',
    });
  });

  it('K6_WEB_DASHBOARD takes true or false only, as k6 does', () => {
    expect(webDashboardEnabled({ K6_WEB_DASHBOARD: 'true' })).toBe(true);
    expect(webDashboardEnabled({ K6_WEB_DASHBOARD: 'false' })).toBe(false);
    expect(webDashboardEnabled({})).toBe(false);
    expect(() => webDashboardEnabled({ K6_WEB_DASHBOARD: '1' })).toThrow("K6_WEB_DASHBOARD: '1' is not a boolean (use true or false)");
  });

  it('refuses bad values with the setting they came from', () => {
    expect(() => readWebDashboardConfig({ K6_WEB_DASHBOARD_PORT: 'abc' }, '')).toThrow("K6_WEB_DASHBOARD_PORT: 'abc' is not a port number");
    expect(() => readWebDashboardConfig({}, 'port=70000')).toThrow('--out web-dashboard port: 70000 is outside -1…65535');
    expect(() => readWebDashboardConfig({ K6_WEB_DASHBOARD_PERIOD: 'soon' }, '')).toThrow(
      "K6_WEB_DASHBOARD_PERIOD: 'soon' is not a duration",
    );
    expect(() => readWebDashboardConfig({}, 'colour=red')).toThrow("--out web-dashboard: unknown option 'colour'");
    expect(() => readWebDashboardConfig({ K6_WEB_DASHBOARD_OPEN: 'maybe' }, '')).toThrow(/K6_WEB_DASHBOARD_OPEN: 'maybe' is not a boolean/);
  });

  it('serves off loopback only when asked by name', () => {
    expect(() => readWebDashboardConfig({ K6_WEB_DASHBOARD_HOST: '0.0.0.0' }, '')).toThrow(
      /'0.0.0.0' is not a loopback address.*LOADLAB_WEB_DASHBOARD_EXPOSE=true/,
    );
    expect(readWebDashboardConfig({ K6_WEB_DASHBOARD_HOST: '0.0.0.0', LOADLAB_WEB_DASHBOARD_EXPOSE: 'true' }, '').host).toBe('0.0.0.0');
    expect(readWebDashboardConfig({}, 'host=0.0.0.0&expose=true').host).toBe('0.0.0.0');
    // Nothing is served with port -1, so there is nothing to expose.
    expect(readWebDashboardConfig({ K6_WEB_DASHBOARD_HOST: '0.0.0.0', K6_WEB_DASHBOARD_PORT: '-1' }, '').port).toBe(-1);
  });

  it('takes service endpoints as [name=]URL, loopback unless --allow-remote', () => {
    const { serviceMetrics } = readWebDashboardConfig({}, '', ['identity=http://127.0.0.1:7101', 'http://127.0.0.1:9100/metrics']);
    expect(serviceMetrics).toEqual([
      { service: 'identity', url: 'http://127.0.0.1:7101/metrics' },
      { service: '127.0.0.1:9100', url: 'http://127.0.0.1:9100/metrics' },
    ]);
    expect(() => readWebDashboardConfig({}, '', ['http://10.0.0.5:9100/metrics'])).toThrow(
      /10\.0\.0\.5:9100 is not a loopback address.*--allow-remote/,
    );
    expect(readWebDashboardConfig({}, '', ['http://10.0.0.5:9100/metrics'], true).serviceMetrics).toHaveLength(1);
    expect(() => readWebDashboardConfig({}, '', ['not a url'])).toThrow(/'not a url' is not a URL/);
  });
});

describe('what one period aggregates to', () => {
  it('rates, failure share, percentiles, per name and scenario; thresholds evaluated on the run so far', () => {
    const run = new RunAggregate('r', { http_req_duration: ['p(95)<100'], http_req_failed: ['rate<0.5'] }, 0);
    const containers: SampleContainer[] = [];
    for (let i = 0; i < 10; i++) containers.push(request(i * 100, i % 2 ? 'search' : 'login', 10 * (i + 1), i === 9));
    containers.push({
      time: 900,
      tags: {},
      samples: [
        { metric: BUILTIN_METRICS.vus, value: 7 },
        { metric: BUILTIN_METRICS.vus_max, value: 9 },
      ],
    });
    containers.push({ time: 900, tags: { scenario: 'browse' }, samples: [{ metric: BUILTIN_METRICS.dropped_iterations, value: 3 }] });
    run.add(containers);
    const snapshot = run.snapshot(2000, 2000);
    expect(snapshot).toMatchObject({ vus: 7, vusMax: 9, requestRate: 5, failureRate: 0.1, droppedIterations: 3 });
    expect(snapshot.p95).toBeCloseTo(95.5, 5);
    expect(Object.keys(snapshot.byName).sort()).toEqual(['login', 'search']);
    expect(snapshot.byName.login.count).toBe(5);
    expect(snapshot.byScenario.browse.count).toBe(10);
    const totals = run.totals(2000);
    expect(totals.thresholds).toEqual([
      { metric: 'http_req_duration', source: 'p(95)<100', ok: true },
      { metric: 'http_req_failed', source: 'rate<0.5', ok: true },
    ]);
    // The next period starts empty but keeps the VUs; the totals keep counting.
    run.add([request(2100, 'login', 500, true), request(2200, 'login', 600, true)]);
    const next = run.snapshot(4000, 2000);
    expect(next).toMatchObject({ vus: 7, requestRate: 1, failureRate: 1 });
    expect(run.totals(4000)).toMatchObject({ requests: 12, failedRequests: 3 });
    expect(run.totals(4000).thresholds[0].ok).toBe(false);
    // A sliver of a last period gives no rate rather than a spike.
    run.add([request(4005, 'login', 5, false)]);
    expect(run.snapshot(4010, 10, 500)).toMatchObject({ requestRate: null, iterationRate: null, failureRate: 0 });
  });

  it('a threshold on a metric without samples has no state yet', () => {
    const run = new RunAggregate('r', { checks: ['rate>0.9'] }, 0);
    expect(run.totals(1000).thresholds).toEqual([{ metric: 'checks', source: 'rate>0.9', ok: null }]);
  });
});

describe("the services' saturation", () => {
  const exposition = (busy: number, queue: number, rejected: number) =>
    [
      '# TYPE loadlab_resource_busy_seconds_total counter',
      `loadlab_resource_busy_seconds_total{service="identity",resource="credential_check"} ${busy}`,
      `loadlab_resource_capacity{service="identity",resource="credential_check"} 4`,
      `loadlab_resource_queue_length{service="identity",resource="credential_check"} ${queue}`,
      `loadlab_resource_rejections_total{service="identity",resource="credential_check",reason="queue_full"} ${rejected}`,
      `loadlab_resource_busy_seconds_total{service="identity",resource="token_issuance"} 0`,
      `loadlab_resource_capacity{service="identity",resource="token_issuance"} 8`,
    ].join('\n');

  it('utilisation from busy slot-seconds over a period, the first to saturate kept', async () => {
    const readings = [exposition(0, 0, 0), exposition(2, 1, 0), exposition(7.9, 12, 4)];
    const scraper = new ServiceScraper([{ service: 'identity', url: 'http://127.0.0.1:1/metrics' }], async () => readings.shift()!);
    await scraper.scrape(0, 500);
    const calm = await scraper.scrape(1000, 500);
    expect(calm.resources.find((r) => r.key === 'identity/credential_check')).toMatchObject({ utilisation: 0.5, saturated: false });
    expect(scraper.first).toBeNull();
    const busy = await scraper.scrape(3000, 500);
    const slot = busy.resources[0];
    expect(slot).toMatchObject({ key: 'identity/credential_check', queue: 12, rejections: 4, saturated: true });
    expect(slot.utilisation).toBeCloseTo(5.9 / 2 / 4, 5);
    expect(scraper.first).toMatchObject({ key: 'identity/credential_check', t: 3000 });
  });

  it('an endpoint that does not answer is reported, not fatal', async () => {
    const scraper = new ServiceScraper([{ service: 'ndxp', url: 'http://127.0.0.1:1/metrics' }], async () => {
      throw new Error('connection refused');
    });
    expect(await scraper.scrape(0, 100)).toEqual({ t: 0, resources: [], unreachable: [{ service: 'ndxp', error: 'connection refused' }] });
  });
});

describe('the event stream', () => {
  it('replays every event to a new client, then streams new ones as they happen', async () => {
    let now = 1_000_000;
    const dashboard = new LiveDashboard({ config: readWebDashboardConfig({}, 'port=0&period=1h'), now: () => now });
    const url = await dashboard.listen();
    try {
      dashboard.beginRun({ name: 'smoke', thresholds: { http_req_duration: ['p(95)<50'] } });
      dashboard.runOutput({ name: 'ignored', thresholds: null }).addMetricSamples([request(now, 'login', 80, false)]);
      now += 1000;
      await dashboard.tick();
      const response = await fetch(`${url}/events`);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.getReader();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      };
      await readUntil(/event: cumulative\n/);
      expect([...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])).toEqual(['config', 'start', 'snapshot', 'cumulative']);
      expect(text).toContain('"source":"p(95)<50","ok":false');
      now += 1000;
      await dashboard.endRun();
      await readUntil(/event: stop\n/);
      expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4, 5, 6]);
      await reader.cancel();
      const page = await (await fetch(`${url}/`)).text();
      expect(page).toContain('<body data-mode="live">');
      const report = await fetch(`${url}/report`);
      expect(report.headers.get('content-disposition')).toBe('attachment; filename="report.html"');
      expect(await report.text()).toContain('<script id="events" type="application/json">');
    } finally {
      await dashboard.close();
    }
  });

  it('says so when the port is taken', async () => {
    const first = new LiveDashboard({ config: readWebDashboardConfig({}, 'port=0') });
    const url = await first.listen();
    try {
      const port = new URL(url!).port;
      const second = new LiveDashboard({ config: readWebDashboardConfig({}, `port=${port}`) });
      await expect(second.listen()).rejects.toThrow(`web dashboard: 127.0.0.1:${port} is already in use`);
    } finally {
      await first.close();
    }
  });
});

describe('loadlab run with the dashboard', () => {
  const script = () => {
    const file = join(dir, 'short.js');
    writeFileSync(
      file,
      "import { check, sleep } from 'k6';\nexport const options = { vus: 1, iterations: 3, thresholds: { checks: ['rate>0.9'] } };\nexport default async function () { check(1, { fails: () => false }); await sleep(0.1); }\n",
    );
    return file;
  };

  it('refuses bad settings with exit 104 and one clear line, as a config error', async () => {
    const { code, stderr } = await runCli(['run', '-q', '--results-dir', dir, script()], {
      K6_WEB_DASHBOARD: 'true',
      K6_WEB_DASHBOARD_PORT: 'abc',
    }).done;
    expect(code).toBe(104);
    expect(stderr).toContain("K6_WEB_DASHBOARD_PORT: 'abc' is not a port number");
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('with port -1 serves nothing, writes the report, and keeps the exit code (99: a threshold crossed)', async () => {
    const report = join(dir, 'export.html');
    const { code, stderr } = await runCli(['run', '-q', '--workers', '1', '--results-dir', dir, script()], {
      K6_WEB_DASHBOARD: 'true',
      K6_WEB_DASHBOARD_PORT: '-1',
      K6_WEB_DASHBOARD_PERIOD: '200ms',
      K6_WEB_DASHBOARD_EXPORT: report,
    }).done;
    expect(code).toBe(99);
    expect(stderr).toContain(`web dashboard: not served (port -1); report to ${report}`);
    expect(existsSync(report)).toBe(true);
    const html = readFileSync(report, 'utf8');
    const events = JSON.parse(/<script id="events" type="application\/json">(.*?)<\/script>/s.exec(html)![1]) as {
      event: string;
      data: any;
    }[];
    expect(events.map((e) => e.event)).toContain('snapshot');
    const last = events.filter((e) => e.event === 'cumulative').pop()!;
    expect(last.data.totals.checksFailed).toBe(3);
    expect(last.data.totals.thresholds).toEqual([{ metric: 'checks', source: 'rate>0.9', ok: false }]);
  }, 60_000);
});
