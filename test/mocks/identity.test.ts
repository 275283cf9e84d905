import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMocks } from '../../mocks/index.ts';
import { hiddenInput, http, login, metric, pkce, REDIRECT_URI, scrape, start } from './helpers.ts';

let mocks: RunningMocks;
let identity: string;

beforeAll(async () => {
  mocks = await start({ services: ['identity'], config: { identity: { lockoutSeconds: 60 } } });
  identity = mocks.urls.identity!;
});
afterAll(() => mocks.close());

async function openForm(challenge = pkce().challenge): Promise<{ requestId: string; csrfToken: string; html: string }> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: 'dvc-portal',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const form = await http('GET', `${identity}/authorize?${query}`);
  expect(form.status).toBe(200);
  expect(form.headers['content-type']).toMatch(/^text\/html/);
  expect(form.text).toContain('<form method="post" action="/authorize">');
  return { requestId: hiddenInput(form.text, 'request_id'), csrfToken: hiddenInput(form.text, 'csrf_token'), html: form.text };
}

describe('identity mock (VNeID-like OIDC provider)', () => {
  it('publishes discovery metadata and RS256 keys', async () => {
    const discovery = await http('GET', `${identity}/.well-known/openid-configuration`);
    expect(discovery.json).toMatchObject({
      issuer: identity,
      authorization_endpoint: `${identity}/authorize`,
      token_endpoint: `${identity}/token`,
      userinfo_endpoint: `${identity}/userinfo`,
      jwks_uri: `${identity}/jwks`,
      end_session_endpoint: `${identity}/logout`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    });
    const jwks = await http('GET', `${identity}/jwks`);
    expect(jwks.json.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.json.keys[0].d).toBeUndefined();
    expect(discovery.headers['x-request-id']).toBeTruthy();
  });

  it('runs the full login: form, credentials, code + PKCE, signed tokens, userinfo', async () => {
    const tokens = await login(identity, '079301234567');
    const keys = createRemoteJWKSet(new URL(`${identity}/jwks`));
    const { payload: idToken } = await jwtVerify(tokens.id_token, keys, { issuer: identity, audience: 'dvc-portal' });
    expect(idToken).toMatchObject({ sub: '079301234567', nonce: 'n1' });
    expect(idToken.exp! - idToken.iat!).toBe(900);
    const { payload: access, protectedHeader } = await jwtVerify(tokens.access_token, keys, {
      issuer: identity,
      audience: 'dvc-portal',
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(access).toMatchObject({ sub: '079301234567', client_id: 'dvc-portal', scope: 'openid profile' });
    expect(access.jti).toBeTruthy();

    const userinfo = await http('GET', `${identity}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(200);
    // 079 = Hồ Chí Minh; century digit 3 = female born in the 2000s; year digits 01.
    expect(userinfo.json).toMatchObject({
      sub: '079301234567',
      cccd: '079301234567',
      province_code: '079',
      province_name: 'Hồ Chí Minh',
      gender: 'female',
    });
    expect(userinfo.json.birthdate).toMatch(/^2001-\d\d-\d\d$/);
    expect(userinfo.json.name).toMatch(/[À-ỹ]/u);
    expect(userinfo.json.name).toBe(`${userinfo.json.family_name} ${userinfo.json.given_name}`);
    // Deterministic: the same CCCD is the same citizen on every call.
    const again = await http('GET', `${identity}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(again.json).toEqual(userinfo.json);
  });

  it('works with the certified openid-client library, unmodified', async () => {
    const options = { execute: [oidc.allowInsecureRequests] };
    const config = await oidc.discovery(new URL(identity), 'dvc-portal', undefined, oidc.None(), options);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const form = await http('GET', authorizationUrl.href);
    const posted = await http('POST', `${identity}/authorize`, {
      form: {
        request_id: hiddenInput(form.text, 'request_id'),
        csrf_token: hiddenInput(form.text, 'csrf_token'),
        username: '001099012345',
        password: 'loadtest',
      },
    });
    expect(posted.status).toBe(302);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(String(posted.headers.location)), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe('001099012345');
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo.province_name).toBe('Hà Nội');
    expect(userinfo.birthdate).toMatch(/^1999-/);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const logoutUrl = oidc.buildEndSessionUrl(config, {
      id_token_hint: refreshed.id_token!,
      post_logout_redirect_uri: 'http://127.0.0.1:8080/bye',
      state: 'out',
    });
    const logout = await http('GET', logoutUrl.href);
    expect(logout.status).toBe(302);
    expect(logout.headers.location).toBe('http://127.0.0.1:8080/bye?state=out');

    for (const auth of [oidc.ClientSecretBasic('secret-000.00.00.H29'), oidc.ClientSecretPost('secret-000.00.00.H29')]) {
      const agency = await oidc.discovery(new URL(identity), 'agency-000.00.00.H29', undefined, auth, options);
      const machine = await oidc.clientCredentialsGrant(agency, { scope: 'ndxp' });
      expect(decodeJwt(machine.access_token)).toMatchObject({ sub: 'agency-000.00.00.H29', aud: 'agency-000.00.00.H29', scope: 'ndxp' });
      expect(machine.id_token).toBeUndefined();
    }
  });

  it('answers OAuth errors for bad codes, verifiers, clients and grants', async () => {
    const { verifier, challenge } = pkce();
    const { requestId, csrfToken } = await openForm(challenge);
    const posted = await http('POST', `${identity}/authorize`, {
      form: { request_id: requestId, csrf_token: csrfToken, username: '001203000001', password: 'loadtest' },
    });
    const location = new URL(String(posted.headers.location));
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code')!;
    const exchange = (codeVerifier: string) =>
      http('POST', `${identity}/token`, {
        form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: 'dvc-portal', code_verifier: codeVerifier },
      });
    const wrong = await exchange(pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.json).toMatchObject({ error: 'invalid_grant' });
    expect(wrong.json.error_description).toMatch(/PKCE/);
    // The code is single-use even after a failed attempt.
    expect((await exchange(verifier)).json.error).toBe('invalid_grant');

    const noPkce = await http(
      'GET',
      `${identity}/authorize?response_type=code&client_id=dvc-portal&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&state=s`,
    );
    expect(noPkce.status).toBe(302);
    expect(new URL(String(noPkce.headers.location)).searchParams.get('error')).toBe('invalid_request');
    const foreignRedirect = await http(
      'GET',
      `${identity}/authorize?response_type=code&client_id=dvc-portal&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&scope=openid`,
    );
    expect(foreignRedirect.status).toBe(400);
    expect(foreignRedirect.text).toContain('data-error="invalid_request"');

    const badSecret = await http('POST', `${identity}/token`, {
      form: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${Buffer.from('agency-H29:nope').toString('base64')}` },
    });
    expect(badSecret.status).toBe(401);
    expect(badSecret.json.error).toBe('invalid_client');
    expect(badSecret.headers['www-authenticate']).toMatch(/^Basic/);
    const unsupported = await http('POST', `${identity}/token`, { form: { grant_type: 'password', client_id: 'dvc-portal' } });
    expect(unsupported.json).toMatchObject({ error: 'unsupported_grant_type' });
    const badScope = await http('POST', `${identity}/token`, {
      form: { grant_type: 'client_credentials', client_id: 'agency-H29', client_secret: 'secret-H29', scope: 'openid' },
    });
    expect(badScope.json.error).toBe('invalid_scope');
    const noToken = await http('GET', `${identity}/userinfo`);
    expect(noToken.status).toBe(401);
    expect(noToken.headers['www-authenticate']).toMatch(/^Bearer/);
    const stale = await http('POST', `${identity}/authorize`, {
      form: { request_id: 'nope', csrf_token: 'nope', username: '001203000001', password: 'loadtest' },
    });
    expect(stale.status).toBe(400);
    expect(stale.text).toContain('data-error="invalid_request"');
  });

  it('locks an account after five wrong passwords', async () => {
    const before = await scrape(identity);
    const { requestId, csrfToken } = await openForm();
    const attempt = (password: string) =>
      http('POST', `${identity}/authorize`, { form: { request_id: requestId, csrf_token: csrfToken, username: '036190000042', password } });
    for (let i = 1; i <= 4; i++) {
      const wrong = await attempt(`wrong-${i}`);
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('data-error="invalid_credentials"');
      expect(wrong.text).toContain(`còn ${5 - i} lần thử`);
      expect(hiddenInput(wrong.text, 'request_id')).toBe(requestId);
    }
    const fifth = await attempt('wrong-5');
    expect(fifth.status).toBe(423);
    expect(fifth.text).toContain('data-error="account_locked"');
    const right = await attempt('loadtest');
    expect(right.status).toBe(423);
    // Other accounts are unaffected.
    await expect(login(identity, '036190000043')).resolves.toHaveProperty('access_token');
    const after = await scrape(identity);
    const delta = (result: string) =>
      metric(after, 'loadlab_logins_total', { result }) -
      (before.has(`loadlab_logins_total{result="${result}",service="identity"}`) ? metric(before, 'loadlab_logins_total', { result }) : 0);
    expect(delta('invalid_credentials')).toBe(4);
    expect(delta('locked')).toBe(2);
    expect(delta('success')).toBe(1);
    // Reset clears lockouts.
    await http('POST', `${identity}/admin/reset`, { json: {} });
    expect((await attempt('loadtest')).status).toBe(302);
  });

  it('turns logins away with 503 + Retry-After when the credential check is saturated', async () => {
    await http('PUT', `${identity}/admin/resources/credential_check`, {
      json: { slots: 1, queueLimit: 0, serviceTime: { kind: 'fixed', ms: 300 } },
    });
    const forms = await Promise.all([openForm(), openForm()]);
    const answers = await Promise.all(
      forms.map(({ requestId, csrfToken }, i) =>
        http('POST', `${identity}/authorize`, {
          form: { request_id: requestId, csrf_token: csrfToken, username: `00120300010${i}`, password: 'loadtest' },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([302, 503]);
    const rejected = answers.find((a) => a.status === 503)!;
    expect(rejected.text).toContain('data-error="temporarily_unavailable"');
    expect(rejected.headers['retry-after']).toBe('2');
    const series = await scrape(identity);
    expect(metric(series, 'loadlab_logins_total', { result: 'rejected' })).toBe(1);
    expect(metric(series, 'loadlab_resource_rejections_total', { resource: 'credential_check', reason: 'queue_full' })).toBe(1);
    await http('POST', `${identity}/admin/reset`, { json: {} });
  });
});
