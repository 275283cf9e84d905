import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resource, ResourceRejected } from '../../mocks/capacity/resource.ts';
import { createServiceTime } from '../../mocks/capacity/service-time.ts';
import type { RunningMocks } from '../../mocks/index.ts';
import { agencyToken, agent, http, metric, scrape, start } from './helpers.ts';

describe('service-time distributions', () => {
  it('log-normal from p50/p99 has those quantiles and the analytic mean', () => {
    const distribution = createServiceTime({ kind: 'lognormal', p50Ms: 40, p99Ms: 250 });
    const samples = Array.from({ length: 40_000 }, () => distribution.sample()).sort((a, b) => a - b);
    expect(samples[20_000]).toBeGreaterThan(40 * 0.95);
    expect(samples[20_000]).toBeLessThan(40 * 1.05);
    expect(samples[39_600]).toBeGreaterThan(250 * 0.85);
    expect(samples[39_600]).toBeLessThan(250 * 1.15);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(Math.abs(mean - distribution.meanMs) / distribution.meanMs).toBeLessThan(0.05);
  });
});

describe('Resource', () => {
  const settings = {
    slots: 2,
    queueLimit: 2,
    queueTimeoutMs: 10_000,
    whenFull: 503 as const,
    retryAfterSeconds: 3,
    serviceTime: { kind: 'fixed' as const, ms: 40 },
  };

  it('serves FIFO beyond its slots and rejects when the queue is full', async () => {
    const resource = new Resource('db', settings);
    const order: number[] = [];
    const runs = [0, 1, 2, 3].map((i) => resource.run().then(() => order.push(i)));
    expect(resource.inUse).toBe(2);
    expect(resource.queued).toBe(2);
    const rejected = await resource.run().catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(ResourceRejected);
    expect((rejected as ResourceRejected).reason).toBe('queue_full');
    expect((rejected as ResourceRejected).retryAfterSeconds).toBe(3);
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(resource.completed).toBe(4);
    expect(resource.rejections.get('queue_full')).toBe(1);
    // Four units of 40 ms each: 160 ms of slot time, give or take timer slack.
    expect(resource.busySeconds).toBeGreaterThan(0.155);
    expect(resource.busySeconds).toBeLessThan(0.3);
  });

  it('times out waiters and drains the queue when slots grow', async () => {
    const resource = new Resource('db', { ...settings, slots: 1, queueTimeoutMs: 20, serviceTime: { kind: 'fixed', ms: 200 } });
    const first = resource.run();
    const timedOut = await resource.run().catch((error: unknown) => error);
    expect((timedOut as ResourceRejected).reason).toBe('queue_timeout');
    expect(resource.queued).toBe(0);
    resource.update({ queueTimeoutMs: 10_000 });
    const waiting = resource.run();
    expect(resource.queued).toBe(1);
    resource.update({ slots: 2 });
    expect(resource.queued).toBe(0);
    expect(resource.inUse).toBe(2);
    await Promise.all([first, waiting]);
  });
});

describe('saturation throughput over real HTTP', () => {
  let mocks: RunningMocks;
  let token: string;
  const slots = 20;

  beforeAll(async () => {
    mocks = await start({
      services: ['identity', 'ndxp'],
      config: {
        resources: {
          ndxp: { population: { slots, queueLimit: 100_000, queueTimeoutMs: 60_000, serviceTime: { kind: 'fixed', ms: 100 } } },
        },
        ndxp: { quota: { ratePerSecond: 1_000_000, burst: 1_000_000 }, providerTimeoutMs: 60_000 },
      },
    });
    token = await agencyToken(mocks.urls.identity!, 'H29');
  });
  afterAll(() => mocks.close());

  /** Keeps `concurrency` requests in flight for `durationMs`; returns completion times of 200s. */
  async function closedLoop(concurrency: number, durationMs: number): Promise<number[]> {
    const done: number[] = [];
    const until = performance.now() + durationMs;
    const headers = { authorization: `Bearer ${token}`, 'x-consumer-code': 'H29' };
    let n = 0;
    const worker = async () => {
      while (performance.now() < until) {
        const cccd = `0012030${String(n++ % 100_000).padStart(5, '0')}`;
        const response = await request(`${mocks.urls.ndxp}/ndxp/v1/population/citizens/${cccd}`, { headers, dispatcher: agent });
        await response.body.dump();
        if (response.statusCode === 200) done.push(performance.now());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return done;
  }

  async function measure(expectedPerSecond: number): Promise<void> {
    const before = await scrape(mocks.urls.ndxp!);
    const startedAt = performance.now();
    const completions = await closedLoop(3 * slots, 4000);
    const after = await scrape(mocks.urls.ndxp!);
    // Skip the first second (queue filling) and the tail (workers stop one by one).
    const from = startedAt + 1000;
    const to = startedAt + 4000;
    const measured = completions.filter((t) => t >= from && t < to).length / ((to - from) / 1000);
    expect(Math.abs(measured - expectedPerSecond) / expectedPerSecond).toBeLessThan(0.1);
    // Utilisation = rate(busy) / capacity should be ~1 while saturated.
    const busy =
      metric(after, 'loadlab_resource_busy_seconds_total', { resource: 'population' }) -
      metric(before, 'loadlab_resource_busy_seconds_total', { resource: 'population' });
    const elapsed = (performance.now() - startedAt) / 1000;
    expect(busy / elapsed / slots).toBeGreaterThan(0.85);
    expect(busy / elapsed / slots).toBeLessThanOrEqual(1.02);
    expect(metric(after, 'loadlab_resource_capacity', { resource: 'population' })).toBe(slots);
  }

  it('fixed 100 ms × 20 slots saturates at 200 requests/s (within 10 %)', async () => {
    await measure(200);
  });

  it('log-normal (p50 80 ms, p99 300 ms) × 20 slots saturates at slots / mean service time (within 10 %)', async () => {
    const put = await http('PUT', `${mocks.urls.ndxp}/admin/resources/population`, {
      json: { serviceTime: { kind: 'lognormal', p50Ms: 80, p99Ms: 300 } },
    });
    expect(put.status).toBe(200);
    expect(put.json.meanServiceMs).toBeGreaterThan(90);
    expect(put.json.meanServiceMs).toBeLessThan(98);
    await measure(put.json.saturationThroughput);
  });

  it('turns requests away with 429 + Retry-After when slots and queue are full', async () => {
    await http('PUT', `${mocks.urls.ndxp}/admin/resources/population`, {
      json: { slots: 1, queueLimit: 0, whenFull: 429, retryAfterSeconds: 7, serviceTime: { kind: 'fixed', ms: 300 } },
    });
    const headers = { authorization: `Bearer ${token}`, 'x-consumer-code': 'H29' };
    const url = `${mocks.urls.ndxp}/ndxp/v1/population/citizens/001203012345`;
    const [a, b] = await Promise.all([http('GET', url, { headers }), http('GET', url, { headers })]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 429]);
    const rejected = a.status === 429 ? a : b;
    expect(rejected.headers['retry-after']).toBe('7');
    expect(rejected.json.error).toBe('provider_unavailable');
    const series = await scrape(mocks.urls.ndxp!);
    expect(metric(series, 'loadlab_resource_rejections_total', { resource: 'population', reason: 'queue_full' })).toBe(1);
    const reset = await http('POST', `${mocks.urls.ndxp}/admin/reset`, { json: {} });
    // Back to the configured profile (this suite's config), not to the built-in default.
    expect(reset.json.resources.population).toMatchObject({
      slots,
      queueLimit: 100_000,
      whenFull: 503,
      serviceTime: { kind: 'fixed', ms: 100 },
    });
  });
});
