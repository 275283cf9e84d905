import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockConfigError, type RunningMocks, startMocks } from '../../mocks/index.ts';
import { http, start } from './helpers.ts';

/** The admin API can reset or fault the mocks mid-test, so a web page in the engineer's browser must not reach it. */

let mocks: RunningMocks;
let portal: string;

beforeAll(async () => {
  mocks = await start({ services: ['portal'], profile: 'zero-latency' });
  portal = mocks.urls.portal!;
});
afterAll(() => mocks.close());

const faulted = async () => (await http('GET', `${portal}/admin/state`)).json.faults.latencyMs;

describe('admin API against cross-site requests', () => {
  it('refuses a cross-site text/plain POST, a foreign Host and cross-site fetch metadata, with a reason', async () => {
    expect((await http('PUT', `${portal}/admin/faults`, { json: { latencyMs: 1 } })).status).toBe(200);
    const port = new URL(portal).port;
    // What <form enctype="text/plain"> or fetch(…, { mode: 'no-cors' }) on a foreign page sends.
    const crossSite = await http('POST', `${portal}/admin/reset`, {
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json).toMatchObject({ error: 'cross_origin' });
    expect(crossSite.json.message).toMatch(/evil\.example/);
    const nullOrigin = await http('POST', `${portal}/admin/reset`, { headers: { origin: 'null' }, json: {} });
    expect(nullOrigin.status).toBe(403);
    const fetchMetadata = await http('POST', `${portal}/admin/reset`, { headers: { 'sec-fetch-site': 'cross-site' }, json: {} });
    expect(fetchMetadata.status).toBe(403);
    // DNS rebinding: the page's own domain resolved to 127.0.0.1.
    const rebound = await http('POST', `${portal}/admin/reset`, { headers: { host: `evil.example:${port}` }, json: {} });
    expect([rebound.status, rebound.json.error]).toEqual([403, 'forbidden_host']);
    expect((await http('GET', `${portal}/admin/state`, { headers: { host: `evil.example:${port}` } })).status).toBe(403);
    // Without a browser's headers, a state change still needs JSON.
    const plain = await http('POST', `${portal}/admin/reset`, { headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect([plain.status, plain.json.error]).toEqual([415, 'unsupported_media_type']);
    expect((await http('POST', `${portal}/admin/reset`)).status).toBe(415);
    expect(await faulted()).toBe(1);

    // Same origin, loopback names, and tools without an Origin (curl, the capacity search) work.
    const sameOrigin = await http('PUT', `${portal}/admin/faults`, { headers: { origin: portal }, json: { latencyMs: 2 } });
    expect(sameOrigin.status).toBe(200);
    expect((await http('GET', `${portal}/admin/state`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect((await http('POST', `${portal}/admin/reset`, { json: {} })).status).toBe(200);
    expect(await faulted()).toBeUndefined();
  });

  it('requires the admin token when one is set', async () => {
    const guarded = await start({ services: ['ndxp'], profile: 'zero-latency', adminToken: 's3cret-token' });
    const url = guarded.urls.ndxp!;
    try {
      const missing = await http('GET', `${url}/admin/state`);
      expect([missing.status, missing.json.error]).toEqual([401, 'unauthorized']);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
      expect((await http('POST', `${url}/admin/reset`, { headers: { authorization: 'Bearer wrong' }, json: {} })).status).toBe(401);
      expect((await http('POST', `${url}/admin/reset`, { headers: { authorization: 'Bearer s3cret-token' }, json: {} })).status).toBe(200);
      // The service routes themselves are not behind the admin token.
      expect((await http('GET', `${url}/metrics`)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('listens beyond loopback only on purpose, and then only with an admin token', async () => {
    const refused = await startMocks({ host: '0.0.0.0', port: 0, services: ['portal'] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MockConfigError);
    expect((refused as Error).message).toMatch(/--allow-remote/);
    await expect(startMocks({ host: '0.0.0.0', port: 0, services: ['portal'], allowRemote: true })).rejects.toThrow(
      /admin token is mandatory/,
    );
    const open = await startMocks({
      host: '0.0.0.0',
      port: 0,
      services: ['portal'],
      profile: 'zero-latency',
      allowRemote: true,
      adminToken: 't',
    });
    try {
      expect(open.urls.portal).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await http('GET', `${open.urls.portal}/admin/state`)).status).toBe(401);
      expect((await http('GET', `${open.urls.portal}/admin/state`, { headers: { authorization: 'Bearer t' } })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
