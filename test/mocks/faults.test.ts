import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMocks } from '../../mocks/index.ts';
import { agent, http, metric, scrape, start } from './helpers.ts';

let mocks: RunningMocks;
let portal: string;

beforeAll(async () => {
  mocks = await start({ services: ['portal'], profile: 'zero-latency' });
  portal = mocks.urls.portal!;
});
afterAll(() => mocks.close());
afterEach(async () => {
  await http('POST', `${portal}/admin/reset`, { json: {} });
});

const faults = (settings: unknown) => http('PUT', `${portal}/admin/faults`, { json: settings });
const catalogue = () => http('GET', `${portal}/api/procedures?pageSize=1`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('admin API and injected faults', () => {
  it('adds latency', async () => {
    expect((await faults({ latencyMs: 200 })).status).toBe(200);
    const startedAt = performance.now();
    expect((await catalogue()).status).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(195);
  });

  it('answers a ratio of requests with the chosen error codes, counted as fault rejections', async () => {
    await faults({ errorRatio: 1, errorCodes: [502] });
    const failed = await catalogue();
    expect(failed.status).toBe(502);
    expect(failed.json.error).toBe('injected_fault');
    await faults({ errorRatio: 0.5, errorCodes: [500, 503] });
    const statuses = await Promise.all(Array.from({ length: 200 }, async () => (await catalogue()).status));
    const errors = statuses.filter((s) => s !== 200);
    expect(errors.every((s) => s === 500 || s === 503)).toBe(true);
    expect(errors.length).toBeGreaterThan(60);
    expect(errors.length).toBeLessThan(140);
    const series = await scrape(portal);
    expect(metric(series, 'loadlab_resource_rejections_total', { resource: 'catalogue_search', reason: 'fault' })).toBe(1 + errors.length);
  });

  it('schedules an outage window with 503 + Retry-After, leaving /admin reachable', async () => {
    await faults({ outage: { startInMs: 150, durationMs: 300 } });
    expect((await catalogue()).status).toBe(200);
    const state = await http('GET', `${portal}/admin/state`);
    expect(state.json.faults.outageWindow.from).toMatch(/Z$/);
    await sleep(170);
    const down = await catalogue();
    expect(down.status).toBe(503);
    expect(Number(down.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await http('GET', `${portal}/admin/state`)).status).toBe(200);
    await sleep(320);
    expect((await catalogue()).status).toBe(200);
  });

  it('resets connections', async () => {
    await faults({ resetRatio: 1 });
    await expect(request(`${portal}/api/procedures`, { dispatcher: agent }).then((r) => r.body.text())).rejects.toThrow();
    await http('POST', `${portal}/admin/reset`, { json: {} });
    expect((await catalogue()).status).toBe(200);
  });

  it('sends slow responses: headers on time, the body trickling', async () => {
    const redSum = async () =>
      metric(await scrape(portal), 'loadlab_http_request_duration_seconds_sum', { route: '/api/procedures', status: '200' });
    await catalogue();
    const before = await redSum();
    await faults({ slowResponseMs: 300 });
    const startedAt = performance.now();
    const response = await request(`${portal}/api/procedures?pageSize=50`, { dispatcher: agent });
    const headersAt = performance.now() - startedAt;
    const body = JSON.parse(await response.body.text());
    const doneAt = performance.now() - startedAt;
    expect(response.statusCode).toBe(200);
    expect(body.items).toHaveLength(50);
    expect(headersAt).toBeLessThan(150);
    expect(doneAt).toBeGreaterThanOrEqual(250);
    // The RED duration covers the slow body too, as a real server's access log would.
    expect((await redSum()) - before).toBeGreaterThanOrEqual(0.25);
  });

  it('limits faults to chosen routes', async () => {
    await faults({ errorRatio: 1, errorCodes: [500], routes: ['/api/procedures/:code'] });
    expect((await catalogue()).status).toBe(200);
    expect((await http('GET', `${portal}/api/procedures/1.001001`)).status).toBe(500);
  });

  it('changes resources at run time and validates admin input', async () => {
    const changed = await http('PUT', `${portal}/admin/resources/dossier_db`, {
      json: { slots: 4, serviceTime: { kind: 'fixed', ms: 50 } },
    });
    expect(changed.json).toMatchObject({ slots: 4, meanServiceMs: 50, saturationThroughput: 80 });
    expect((await http('PUT', `${portal}/admin/resources/nope`, { json: { slots: 1 } })).status).toBe(404);
    const badSlots = await http('PUT', `${portal}/admin/resources/dossier_db`, { json: { slots: -1 } });
    expect(badSlots.status).toBe(400);
    expect(badSlots.json.message).toMatch(/slots/);
    expect(
      (await http('PUT', `${portal}/admin/resources/dossier_db`, { json: { serviceTime: { kind: 'lognormal', p50Ms: 100, p99Ms: 10 } } }))
        .status,
    ).toBe(400);
    expect((await faults({ errorRatio: 2 })).status).toBe(400);
    const reset = await http('POST', `${portal}/admin/reset`, { json: {} });
    expect(reset.json.resources.dossier_db.slots).toBe(1_000_000_000);
    expect(reset.json.faults).toEqual({});
  });

  it('keeps /admin and /metrics out of the RED metrics', async () => {
    await http('GET', `${portal}/admin/state`);
    await catalogue();
    const series = await scrape(portal);
    const routes = [...series.keys()]
      .filter((key) => key.startsWith('loadlab_http_requests_total'))
      .map((key) => /route="([^"]*)"/.exec(key)![1]);
    await http('GET', `${portal}/no/such/path`);
    const withUnmatched = await scrape(portal);
    expect(metric(withUnmatched, 'loadlab_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(routes).toContain('/api/procedures');
    expect(routes.some((route) => route.startsWith('/admin') || route === '/metrics')).toBe(false);
    expect(metric(series, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect([...series.keys()].some((key) => key.startsWith('nodejs_eventloop_lag_p99_seconds{service="portal"'))).toBe(true);
  });
});
