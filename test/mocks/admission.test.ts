import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMocks } from '../../mocks/index.ts';
import { agencyToken, hiddenInput, http, metric, pkce, REDIRECT_URI, scrape, start } from './helpers.ts';

/**
 * The mocks fail like the real systems: a request refused for capacity (503/429 + Retry-After) has changed nothing,
 * so a client that honours Retry-After succeeds on its retry; a code or refresh token used twice revokes the grant.
 */

let mocks: RunningMocks;
let identity: string;
let ndxp: string;

beforeAll(async () => {
  mocks = await start({
    services: ['identity', 'ndxp'],
    profile: 'zero-latency',
    config: { ndxp: { consumerQuotas: { ONE: { ratePerSecond: 0.001, burst: 1 } } } },
  });
  identity = mocks.urls.identity!;
  ndxp = mocks.urls.ndxp!;
});
afterAll(() => mocks.close());

const admin = (method: string, url: string, json: unknown = {}) => http(method, url, { json });
const holdSlot = { slots: 1, queueLimit: 0, serviceTime: { kind: 'fixed', ms: 400 } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Form, credentials, redirect: an authorization code and its PKCE verifier. */
async function authorizationCode(cccd: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: 'dvc-portal',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const form = await http('GET', `${identity}/authorize?${query}`);
  const posted = await http('POST', `${identity}/authorize`, {
    form: {
      request_id: hiddenInput(form.text, 'request_id'),
      csrf_token: hiddenInput(form.text, 'csrf_token'),
      username: cccd,
      password: 'loadtest',
    },
  });
  expect(posted.status).toBe(302);
  return { code: new URL(String(posted.headers.location)).searchParams.get('code')!, verifier };
}

const exchange = (code: string, verifier: string) =>
  http('POST', `${identity}/token`, {
    form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: 'dvc-portal', code_verifier: verifier },
  });
const refresh = (token: string) =>
  http('POST', `${identity}/token`, { form: { grant_type: 'refresh_token', refresh_token: token, client_id: 'dvc-portal' } });
const userinfo = (accessToken: string) => http('GET', `${identity}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });

/** Occupies the only slot of a resource with one request, so that the next one is refused. */
async function whileSaturated<T>(occupy: () => Promise<unknown>, refused: () => Promise<T>): Promise<T> {
  const holder = occupy();
  await sleep(50);
  const answer = await refused();
  await holder;
  return answer;
}

describe('admission before state changes', () => {
  it('a /token refused for capacity leaves the authorization code and the refresh token usable for the retry', async () => {
    const { code, verifier } = await authorizationCode('001203000101');
    await admin('PUT', `${identity}/admin/resources/token_issuance`, holdSlot);
    const clientCredentials = () =>
      http('POST', `${identity}/token`, {
        form: { grant_type: 'client_credentials', client_id: 'agency-H29', client_secret: 'secret-H29' },
      });
    const refused = await whileSaturated(clientCredentials, () => exchange(code, verifier));
    expect(refused.status).toBe(503);
    expect(refused.json.error).toBe('temporarily_unavailable');
    expect(refused.headers['retry-after']).toBe('2');
    const retried = await exchange(code, verifier);
    expect(retried.status).toBe(200);
    expect(retried.json.refresh_token).toBeTruthy();

    const refusedRefresh = await whileSaturated(clientCredentials, () => refresh(retried.json.refresh_token));
    expect(refusedRefresh.status).toBe(503);
    const refreshed = await refresh(retried.json.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(metric(await scrape(identity), 'loadlab_resource_rejections_total', { resource: 'token_issuance', reason: 'queue_full' })).toBe(
      2,
    );
    await admin('POST', `${identity}/admin/reset`);
  });

  it('a refused login does not count as a wrong password and keeps the login form usable', async () => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'dvc-portal',
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    const form = await http('GET', `${identity}/authorize?${query}`);
    const fields = {
      request_id: hiddenInput(form.text, 'request_id'),
      csrf_token: hiddenInput(form.text, 'csrf_token'),
      username: '001203000102',
      password: 'loadtest',
    };
    await admin('PUT', `${identity}/admin/resources/credential_check`, holdSlot);
    const other = await http('GET', `${identity}/authorize?${query}`);
    const occupy = () =>
      http('POST', `${identity}/authorize`, {
        form: {
          ...fields,
          request_id: hiddenInput(other.text, 'request_id'),
          csrf_token: hiddenInput(other.text, 'csrf_token'),
          username: '001203000103',
        },
      });
    const refused = await whileSaturated(occupy, () => http('POST', `${identity}/authorize`, { form: fields }));
    expect(refused.status).toBe(503);
    expect(refused.text).toContain('data-error="temporarily_unavailable"');
    expect(hiddenInput(refused.text, 'request_id')).toBe(fields.request_id);
    expect((await http('POST', `${identity}/authorize`, { form: fields })).status).toBe(302);
    await admin('POST', `${identity}/admin/reset`);
  });

  it('an NDXP call refused by a saturated provider keeps its quota and its Idempotency-Key', async () => {
    const token = await agencyToken(identity, 'ONE');
    const headers = { authorization: `Bearer ${token}`, 'x-consumer-code': 'ONE', 'idempotency-key': 'retry-me' };
    const document = { to: 'T48', subject: 'Công văn', documentNumber: '7/UBND', content: Buffer.from('x').toString('base64') };
    await admin('PUT', `${ndxp}/admin/resources/document_exchange`, holdSlot);
    const otherToken = await agencyToken(identity, 'H29');
    const occupy = () =>
      http('GET', `${ndxp}/ndxp/v1/documents/inbox`, { headers: { authorization: `Bearer ${otherToken}`, 'x-consumer-code': 'H29' } });
    const refused = await whileSaturated(occupy, () => http('POST', `${ndxp}/ndxp/v1/documents`, { headers, json: document }));
    expect(refused.status).toBe(503);
    expect(refused.json.error).toBe('provider_unavailable');
    // The quota (burst 1, refilling once in 1000 s) is still there, and the key was not recorded: 201, not a replay.
    const retried = await http('POST', `${ndxp}/ndxp/v1/documents`, { headers, json: document });
    expect(retried.status).toBe(201);
    const overQuota = await http('POST', `${ndxp}/ndxp/v1/documents`, { headers, json: document });
    expect(overQuota.status).toBe(429);
    await admin('POST', `${ndxp}/admin/reset`);
  });
});

describe('revocation (RFC 6749 §4.1.2, OAuth 2.1 refresh rotation)', () => {
  it('a reused authorization code revokes the tokens issued from it', async () => {
    const { code, verifier } = await authorizationCode('001203000201');
    const first = await exchange(code, verifier);
    expect(first.status).toBe(200);
    expect((await userinfo(first.json.access_token)).status).toBe(200);
    const again = await exchange(code, verifier);
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ error: 'invalid_grant' });
    expect(again.json.error_description).toMatch(/already used.*revoked/);
    const revoked = await userinfo(first.json.access_token);
    expect(revoked.status).toBe(401);
    expect(revoked.json.error_description).toMatch(/revoked/);
    expect((await refresh(first.json.refresh_token)).json.error).toBe('invalid_grant');
  });

  it('a rotated refresh token used again revokes its whole grant', async () => {
    const { code, verifier } = await authorizationCode('001203000202');
    const tokens = (await exchange(code, verifier)).json;
    const rotated = await refresh(tokens.refresh_token);
    expect(rotated.status).toBe(200);
    expect((await userinfo(rotated.json.access_token)).status).toBe(200);
    const replayed = await refresh(tokens.refresh_token);
    expect(replayed.json.error).toBe('invalid_grant');
    expect(replayed.json.error_description).toMatch(/rotated.*revoked/);
    // The thief's and the owner's newer tokens are gone alike.
    expect((await refresh(rotated.json.refresh_token)).json.error).toBe('invalid_grant');
    expect((await userinfo(rotated.json.access_token)).status).toBe(401);
    // Another login is its own grant and unaffected.
    const other = await authorizationCode('001203000202');
    expect((await userinfo((await exchange(other.code, other.verifier)).json.access_token)).status).toBe(200);
  });
});

describe('NDXP Idempotency-Key', () => {
  it('never tells a stranger whether another agency used a key', async () => {
    const [own, stranger] = [await agencyToken(identity, 'K1'), await agencyToken(identity, 'K2')];
    const document = { to: 'T48', subject: 'Công văn', documentNumber: '9/UBND', content: Buffer.from('a').toString('base64') };
    const sent = await http('POST', `${ndxp}/ndxp/v1/documents`, {
      headers: { authorization: `Bearer ${own}`, 'x-consumer-code': 'K1', 'idempotency-key': 'used-key' },
      json: document,
    });
    expect(sent.status).toBe(201);
    const probe = (key: string, body: object) =>
      http('POST', `${ndxp}/ndxp/v1/documents`, {
        headers: { authorization: `Bearer ${stranger}`, 'x-consumer-code': 'K1', 'idempotency-key': key },
        json: body,
      });
    const used = await probe('used-key', { ...document, subject: 'khác' });
    const unused = await probe('never-used-key', { ...document, subject: 'khác' });
    expect([used.status, used.json.error]).toEqual([403, 'consumer_mismatch']);
    expect([unused.status, unused.json.error]).toEqual([403, 'consumer_mismatch']);
    expect(used.json.message.replace('used-key', '')).toBe(unused.json.message.replace('never-used-key', ''));
    // Under its own name the stranger's key is its own: a new document, not the other agency's.
    const ownName = await http('POST', `${ndxp}/ndxp/v1/documents`, {
      headers: { authorization: `Bearer ${stranger}`, 'x-consumer-code': 'K2', 'idempotency-key': 'used-key' },
      json: { ...document, subject: 'khác' },
    });
    expect(ownName.status).toBe(201);
    expect(ownName.json.id).not.toBe(sent.json.id);
  });
});
