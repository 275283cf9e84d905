import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMocks } from '../../mocks/index.ts';
import { agencyToken, http, login, metric, scrape, start } from './helpers.ts';

let mocks: RunningMocks;
let ndxp: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  mocks = await start({
    services: ['identity', 'ndxp'],
    profile: 'zero-latency',
    config: {
      ndxp: {
        providerTimeoutMs: 150,
        consumerQuotas: { Q1: { ratePerSecond: 1, burst: 3 } },
        circuit: { failureThreshold: 3, openMs: 600 },
      },
    },
  });
  ndxp = mocks.urls.ndxp!;
  for (const code of ['H29', 'T48', 'Q1', 'CB']) tokens[code] = await agencyToken(mocks.urls.identity!, code);
});
afterAll(() => mocks.close());

const call = (method: string, path: string, consumer: string, extra: { headers?: Record<string, string>; json?: unknown } = {}) =>
  http(method, `${ndxp}${path}`, {
    headers: { authorization: `Bearer ${tokens[consumer]}`, 'x-consumer-code': consumer, ...extra.headers },
    json: extra.json,
  });

describe('NDXP mock (national data-sharing gateway)', () => {
  it('answers each provider and echoes the transaction id', async () => {
    const citizen = await call('GET', '/ndxp/v1/population/citizens/001203012345', 'H29', { headers: { 'x-transaction-id': 'tx-0001' } });
    expect(citizen.status).toBe(200);
    expect(citizen.headers['x-transaction-id']).toBe('tx-0001');
    expect(citizen.json).toMatchObject({ cccd: '001203012345', provinceName: 'Hà Nội', gender: 'male' });
    expect(citizen.json.birthDate).toMatch(/^2003-/);
    const generated = await call('GET', '/ndxp/v1/business-registry/enterprises/0101234567', 'H29');
    expect(generated.headers['x-transaction-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.json).toMatchObject({ taxCode: '0101234567', status: expect.any(String) });
    expect((await call('GET', '/ndxp/v1/business-registry/enterprises/0101234567', 'H29')).json).toEqual(generated.json);
    expect((await call('GET', '/ndxp/v1/social-insurance/participants/079301234567', 'H29')).json.insuranceNumber).toMatch(/^\d{10}$/);
    expect((await call('GET', '/ndxp/v1/land/parcels/12-345-678', 'H29')).json.areaM2).toBeGreaterThan(0);
    expect((await call('GET', '/ndxp/v1/population/citizens/12345', 'H29')).status).toBe(400);
  });

  it('checks the token, its scope and the consumer code', async () => {
    const mismatch = await call('GET', '/ndxp/v1/population/citizens/001203012345', 'H29', { headers: { 'x-consumer-code': 'T48' } });
    expect(mismatch.status).toBe(403);
    expect(mismatch.json.error).toBe('consumer_mismatch');
    const missing = await http('GET', `${ndxp}/ndxp/v1/population/citizens/001203012345`, {
      headers: { authorization: `Bearer ${tokens.H29}` },
    });
    expect(missing.status).toBe(400);
    const citizenToken = (await login(mocks.urls.identity!, '001203012345')).access_token;
    const noScope = await http('GET', `${ndxp}/ndxp/v1/population/citizens/001203012345`, {
      headers: { authorization: `Bearer ${citizenToken}`, 'x-consumer-code': 'H29' },
    });
    expect(noScope.status).toBe(403);
    expect(noScope.json.error).toBe('insufficient_scope');
    const forged = `${tokens.H29.slice(0, -6)}AAAAAA`;
    const bad = await http('GET', `${ndxp}/ndxp/v1/population/citizens/001203012345`, {
      headers: { authorization: `Bearer ${forged}`, 'x-consumer-code': 'H29' },
    });
    expect(bad.status).toBe(401);
  });

  it('enforces per-consumer quotas with 429 + Retry-After', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 5; i++) {
      const answer = await call('GET', '/ndxp/v1/population/citizens/001203012345', 'Q1');
      statuses.push(answer.status);
      if (answer.status === 429) limited ??= answer;
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(limited!.json.error).toBe('quota_exceeded');
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Other consumers keep their own quota.
    expect((await call('GET', '/ndxp/v1/population/citizens/001203012345', 'T48')).status).toBe(200);
    const series = await scrape(ndxp);
    expect(metric(series, 'loadlab_ndxp_transactions_total', { provider: 'population', consumer: 'Q1', result: 'quota' })).toBe(2);
    expect(metric(series, 'loadlab_resource_rejections_total', { resource: 'population', reason: 'quota' })).toBe(2);
  });

  it('times out slow providers (504), opens the circuit (503 fast-fail), then recovers', async () => {
    await http('PUT', `${ndxp}/admin/resources/land`, { json: { slots: 100, serviceTime: { kind: 'fixed', ms: 400 } } });
    const land = () => call('GET', '/ndxp/v1/land/parcels/48-001-002', 'CB');
    for (let i = 0; i < 3; i++) {
      const timedOut = await land();
      expect(timedOut.status).toBe(504);
      expect(timedOut.json.error).toBe('provider_timeout');
    }
    const startedAt = performance.now();
    const open = await land();
    expect(open.status).toBe(503);
    expect(open.json.error).toBe('circuit_open');
    expect(open.headers['retry-after']).toBe('1');
    expect(performance.now() - startedAt).toBeLessThan(100);
    expect(metric(await scrape(ndxp), 'loadlab_ndxp_circuit_state', { provider: 'land' })).toBe(2);
    // Other providers are unaffected.
    expect((await call('GET', '/ndxp/v1/population/citizens/001203012345', 'CB')).status).toBe(200);

    await http('PUT', `${ndxp}/admin/resources/land`, { json: { serviceTime: { kind: 'fixed', ms: 5 } } });
    await new Promise((resolve) => setTimeout(resolve, 650));
    expect((await land()).status).toBe(200);
    expect((await land()).status).toBe(200);
    const series = await scrape(ndxp);
    expect(metric(series, 'loadlab_ndxp_circuit_state', { provider: 'land' })).toBe(0);
    expect(metric(series, 'loadlab_ndxp_transactions_total', { provider: 'land', consumer: 'CB', result: 'timeout' })).toBe(3);
    expect(metric(series, 'loadlab_ndxp_transactions_total', { provider: 'land', consumer: 'CB', result: 'circuit_open' })).toBe(1);
  });

  it('exchanges documents: idempotent send, inbox, acknowledge', async () => {
    const document = {
      to: 'T48',
      subject: 'Công văn về việc chuyển hồ sơ',
      documentNumber: '123/UBND-VP',
      content: Buffer.from('nội dung công văn').toString('base64'),
    };
    const sent = await call('POST', '/ndxp/v1/documents', 'H29', { headers: { 'idempotency-key': 'send-1' }, json: document });
    expect(sent.status).toBe(201);
    expect(sent.json.status).toBe('delivered');
    const replay = await call('POST', '/ndxp/v1/documents', 'H29', { headers: { 'idempotency-key': 'send-1' }, json: document });
    expect(replay.status).toBe(200);
    expect(replay.json.id).toBe(sent.json.id);
    const reused = await call('POST', '/ndxp/v1/documents', 'H29', {
      headers: { 'idempotency-key': 'send-1' },
      json: { ...document, subject: 'khác' },
    });
    expect(reused.status).toBe(422);

    const inbox = await call('GET', '/ndxp/v1/documents/inbox?limit=10', 'T48');
    expect(inbox.json.items).toHaveLength(1);
    expect(inbox.json.items[0]).toMatchObject({ id: sent.json.id, from: 'H29', subject: document.subject, documentNumber: '123/UBND-VP' });
    const ack = await call('POST', `/ndxp/v1/documents/${sent.json.id}/ack`, 'T48');
    expect(ack.json).toEqual({ id: sent.json.id, status: 'acknowledged' });
    expect((await call('GET', '/ndxp/v1/documents/inbox', 'T48')).json.items).toHaveLength(0);
    expect((await call('POST', '/ndxp/v1/documents/00000000-0000-0000-0000-000000000000/ack', 'T48')).status).toBe(404);
  });
});
