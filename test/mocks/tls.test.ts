import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMocks, startMocks, TlsSetupError } from '../../mocks/index.ts';
import { hiddenInput, pkce, REDIRECT_URI } from './helpers.ts';

let dir: string;
let mocks: RunningMocks;
let trusting: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-tls-'));
  mocks = await startMocks({ port: 0, profile: 'zero-latency', tls: { dir } });
  trusting = new Agent({ connect: { ca: await readFile(mocks.caFile!, 'utf8') } });
});
afterAll(async () => {
  await mocks.close();
  await trusting.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, options: { headers?: Record<string, string>; body?: string } = {}) {
  const response = await request(url, { method: method as 'GET', dispatcher: trusting, ...options });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

describe('mocks over HTTPS (--tls)', () => {
  it('serves https URLs with a certificate for 127.0.0.1, ::1 and localhost issued by the reported CA', async () => {
    expect(mocks.urls.identity).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(mocks.caFile).toBe(join(dir, 'ca.pem'));
    const ca = new X509Certificate(await readFile(mocks.caFile!));
    const cert = new X509Certificate(await readFile(join(dir, 'server.pem')));
    expect(ca.ca).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.subjectAltName).toMatch(/IP Address:127\.0\.0\.1.*DNS:localhost/);
    expect((await stat(join(dir, 'server.key'))).mode & 0o077).toBe(0);
    const discovery = JSON.parse((await call('GET', `${mocks.urls.identity}/.well-known/openid-configuration`)).text);
    expect(discovery.issuer).toBe(mocks.urls.identity);
    // Without the CA the certificate is not trusted: the verification is real.
    await expect(request(`${mocks.urls.identity}/jwks`)).rejects.toThrow(/self-signed|unable to (get|verify)|certificate/i);
    let metrics = '';
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
    const failed = 'loadlab_tls_handshakes_total{result="failed",service="identity"}';
    // The client's alert reaches the server a moment after the client gave up.
    for (let attempt = 0; attempt < 50 && !(value(failed) >= 1); attempt++) {
      metrics = (await call('GET', `${mocks.urls.identity}/metrics`)).text;
      if (!(value(failed) >= 1)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(value('loadlab_tls_handshakes_total{result="ok",service="identity"}')).toBeGreaterThanOrEqual(1);
    expect(value(failed)).toBeGreaterThanOrEqual(1);
    expect(value('loadlab_connections_open{service="identity"}')).toBeGreaterThanOrEqual(1);
    expect(value('loadlab_connections_accepted_total{service="identity"}')).toBeGreaterThanOrEqual(2);
  });

  it('runs a login over HTTPS and the portal verifies the token against the identity JWKS over HTTPS', async () => {
    const identity = mocks.urls.identity!;
    const { verifier, challenge } = pkce();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'dvc-portal',
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const form = await call('GET', `${identity}/authorize?${query}`);
    const form1 = new URLSearchParams({
      request_id: hiddenInput(form.text, 'request_id'),
      csrf_token: hiddenInput(form.text, 'csrf_token'),
      username: '001203000401',
      password: 'loadtest',
    });
    const posted = await call('POST', `${identity}/authorize`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form1.toString(),
    });
    expect(posted.status).toBe(302);
    const code = new URL(String(posted.headers.location)).searchParams.get('code')!;
    const token = await call('POST', `${identity}/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: 'dvc-portal',
        code_verifier: verifier,
      }).toString(),
    });
    const accessToken = JSON.parse(token.text).access_token;
    const dossier = await call('GET', `${mocks.urls.portal}/api/dossiers/G22.ZZZZ-000000-000000`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    // 404 (not found for this user) means the token was verified; 503 would mean the JWKS could not be fetched.
    expect(dossier.status).toBe(404);
  });

  it('reuses the kept CA and certificate, and names what is wrong with given files', async () => {
    const before = await readFile(join(dir, 'server.pem'), 'utf8');
    const again = await startMocks({ port: 0, services: ['ndxp'], profile: 'zero-latency', tls: { dir } });
    await again.close();
    expect(await readFile(join(dir, 'server.pem'), 'utf8')).toBe(before);
    const given = await startMocks({
      port: 0,
      services: ['ndxp'],
      profile: 'zero-latency',
      tls: { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key'), caFile: join(dir, 'ca.pem') },
    });
    try {
      expect(given.urls.ndxp).toMatch(/^https:/);
      expect(given.caFile).toBe(join(dir, 'ca.pem'));
      expect((await call('GET', `${given.urls.ndxp}/metrics`)).status).toBe(200);
    } finally {
      await given.close();
    }
    await expect(
      startMocks({ port: 0, services: ['ndxp'], tls: { certFile: join(dir, 'nope.pem'), keyFile: join(dir, 'server.key') } }),
    ).rejects.toThrow(TlsSetupError);
    await expect(
      startMocks({ port: 0, services: ['ndxp'], tls: { certFile: join(dir, 'server.key'), keyFile: join(dir, 'server.key') } }),
    ).rejects.toThrow(/not a PEM certificate/);
  });
});
