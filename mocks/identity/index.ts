import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { jwtVerify } from 'jose';
import { ResourceRejected } from '../capacity/resource.ts';
import { BearerAuth } from '../shared/bearer-auth.ts';
import { BoundedMap } from '../shared/bounded-map.ts';
import { citizenFromCccd } from '../shared/citizens.ts';
import { HttpError } from '../shared/http-error.ts';
import type { ServiceContext } from '../shared/service.ts';
import { findClient, isLoopbackRedirect, type OAuthClient, PORTAL_CLIENT_ID } from './clients.ts';
import { Lockout } from './lockout.ts';
import { renderLoginPage } from './login-page.ts';
import type { SigningKey } from './signing-key.ts';

interface LoginRequest {
  clientId: string;
  redirectUri: string;
  state?: string;
  nonce?: string;
  scope: string;
  codeChallenge: string;
  csrfToken: string;
  expiresAtMs: number;
}

interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  scope: string;
  sub: string;
  authTime: number;
  expiresAtMs: number;
}

interface RefreshGrant {
  clientId: string;
  sub: string;
  scope: string;
  authTime: number;
  expiresAtMs: number;
}

const str = (maxLength = 2048) => ({ type: 'string', maxLength }) as const;
const authorizeQuerySchema = {
  type: 'object',
  properties: {
    response_type: str(64),
    client_id: str(128),
    redirect_uri: str(),
    scope: str(512),
    state: str(1024),
    nonce: str(1024),
    code_challenge: str(256),
    code_challenge_method: str(16),
  },
} as const;
const loginFormSchema = {
  type: 'object',
  properties: { request_id: str(128), csrf_token: str(128), username: str(64), password: str(256) },
} as const;
const tokenFormSchema = {
  type: 'object',
  required: ['grant_type'],
  properties: {
    grant_type: str(128),
    code: str(256),
    redirect_uri: str(),
    code_verifier: str(256),
    refresh_token: str(256),
    scope: str(512),
    client_id: str(128),
    client_secret: str(256),
  },
} as const;
const tokenResponseSchema = {
  type: 'object',
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string' },
    expires_in: { type: 'integer' },
    scope: { type: 'string' },
    id_token: { type: 'string' },
    refresh_token: { type: 'string' },
  },
} as const;
const userinfoResponseSchema = {
  type: 'object',
  properties: {
    sub: { type: 'string' },
    name: { type: 'string' },
    given_name: { type: 'string' },
    family_name: { type: 'string' },
    birthdate: { type: 'string' },
    gender: { type: 'string' },
    cccd: { type: 'string' },
    province_code: { type: 'string' },
    province_name: { type: 'string' },
    address: { type: 'string' },
    phone_number: { type: 'string' },
    assurance_level: { type: 'integer' },
  },
} as const;

const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, error, description, headers);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

/** VNeID-like OpenID Connect provider: authorization code + PKCE, refresh, client credentials, userinfo, logout. */
export async function identityPlugin(app: FastifyInstance, options: { context: ServiceContext; key: SigningKey }): Promise<void> {
  const { context, key } = options;
  const settings = context.config.identity;
  const credentialCheck = context.resource('credential_check');
  const tokenIssuance = context.resource('token_issuance');
  const countLogin = context.metrics.counter('loadlab_logins_total', 'Login attempts at the identity service by result', ['result']);
  const countToken = context.metrics.counter('loadlab_tokens_issued_total', 'Tokens issued by grant type', ['grant_type']);
  const loginRequests = new BoundedMap<string, LoginRequest>(200_000);
  const codes = new BoundedMap<string, AuthorizationCode>(200_000);
  const refreshGrants = new BoundedMap<string, RefreshGrant>(500_000);
  const lockout = new Lockout(settings.maxFailedLogins, settings.lockoutSeconds * 1000);
  const userinfoAuth = new BearerAuth({ identityUrl: () => context.baseUrl, scope: 'openid' });
  context.resetHooks.push(() => lockout.clear());
  const issuer = () => context.baseUrl;

  await app.register(formbody, { bodyLimit: 16 * 1024 });

  app.get('/.well-known/openid-configuration', async () => {
    const base = issuer();
    return {
      issuer: base,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/userinfo`,
      jwks_uri: `${base}/jwks`,
      end_session_endpoint: `${base}/logout`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'profile', 'offline_access', 'ndxp'],
      claims_supported: ['sub', 'name', 'given_name', 'family_name', 'birthdate', 'gender', 'cccd', 'province_code', 'province_name', 'address', 'phone_number', 'assurance_level'],
      ui_locales_supported: ['vi', 'en'],
    };
  });

  app.get('/jwks', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return { keys: [key.publicJwk] };
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/authorize', { schema: { querystring: authorizeQuerySchema } }, async (request, reply) => {
    const query = request.query;
    const client = query.client_id ? findClient(query.client_id) : undefined;
    if (!client) return html(reply, 400, renderLoginPage({ error: { code: 'invalid_request', message: 'Ứng dụng không hợp lệ (unknown client_id).' } }));
    if (client.id !== PORTAL_CLIENT_ID) return html(reply, 400, renderLoginPage({ error: { code: 'unauthorized_client', message: `${client.id} may only use client_credentials.` } }));
    if (!query.redirect_uri || !isLoopbackRedirect(query.redirect_uri)) {
      return html(reply, 400, renderLoginPage({ error: { code: 'invalid_request', message: 'redirect_uri must be an http(s) loopback URL without fragment.' } }));
    }
    const redirectError = (error: string, description: string) => {
      const location = new URL(query.redirect_uri!);
      location.searchParams.set('error', error);
      location.searchParams.set('error_description', description);
      if (query.state !== undefined) location.searchParams.set('state', query.state);
      return reply.redirect(location.href, 302);
    };
    if (query.response_type !== 'code') return redirectError('unsupported_response_type', 'only response_type=code is supported');
    const scopes = (query.scope ?? '').split(' ').filter(Boolean);
    if (!scopes.includes('openid')) return redirectError('invalid_scope', 'scope must include openid');
    const unknownScope = scopes.find((scope) => !client.scopes.includes(scope));
    if (unknownScope) return redirectError('invalid_scope', `scope ${unknownScope} is not allowed for ${client.id}`);
    if (query.code_challenge_method !== 'S256' || !query.code_challenge || !CHALLENGE_PATTERN.test(query.code_challenge)) {
      return redirectError('invalid_request', 'PKCE is required: code_challenge (43 base64url characters) with code_challenge_method=S256');
    }
    const requestId = randomToken(18);
    const csrfToken = randomToken(18);
    loginRequests.set(requestId, {
      clientId: client.id,
      redirectUri: query.redirect_uri,
      state: query.state,
      nonce: query.nonce,
      scope: scopes.join(' '),
      codeChallenge: query.code_challenge,
      csrfToken,
      expiresAtMs: Date.now() + settings.loginRequestTtlSeconds * 1000,
    });
    return html(reply, 200, renderLoginPage({ requestId, csrfToken, clientName: 'Cổng Dịch vụ công Quốc gia' }));
  });

  app.post<{ Body: Record<string, string | undefined> }>(
    '/authorize',
    { schema: { body: loginFormSchema }, config: { resource: 'credential_check' }, bodyLimit: 16 * 1024 },
    async (request, reply) => {
      const { request_id: requestId, csrf_token: csrfToken, password } = request.body ?? {};
      const username = (request.body?.username ?? '').trim();
      const login = requestId ? loginRequests.get(requestId) : undefined;
      if (!login || login.expiresAtMs < Date.now() || !csrfToken || !sameSecret(csrfToken, login.csrfToken)) {
        return html(reply, 400, renderLoginPage({ error: { code: 'invalid_request', message: 'Phiên đăng nhập không hợp lệ hoặc đã hết hạn; hãy bắt đầu lại từ Cổng Dịch vụ công (unknown or expired request_id).' } }));
      }
      const form = (code: string, message: string) => renderLoginPage({ requestId, csrfToken, error: { code, message } });
      if (!/^[0-9]{12}$/.test(username)) {
        countLogin({ result: 'invalid_credentials' });
        return html(reply, 401, form('invalid_credentials', 'Số định danh cá nhân phải gồm 12 chữ số.'));
      }
      const lockedMessage = `Tài khoản tạm khoá ${settings.lockoutSeconds} giây do nhập sai mật khẩu ${settings.maxFailedLogins} lần (account locked).`;
      if (lockout.isLocked(username)) {
        countLogin({ result: 'locked' });
        return html(reply, 423, renderLoginPage({ error: { code: 'account_locked', message: lockedMessage } }));
      }
      try {
        await credentialCheck.run();
      } catch (error) {
        if (!(error instanceof ResourceRejected)) throw error;
        countLogin({ result: 'rejected' });
        reply.header('retry-after', String(error.retryAfterSeconds));
        return html(reply, error.status, form('temporarily_unavailable', 'Hệ thống đang quá tải, vui lòng thử lại sau (credential check saturated).'));
      }
      if (password === undefined || !sameSecret(password, settings.password)) {
        const { locked, remaining } = lockout.fail(username);
        countLogin({ result: locked ? 'locked' : 'invalid_credentials' });
        if (locked) return html(reply, 423, renderLoginPage({ error: { code: 'account_locked', message: lockedMessage } }));
        return html(reply, 401, form('invalid_credentials', `Số định danh hoặc mật khẩu không đúng; còn ${remaining} lần thử (invalid credentials).`));
      }
      lockout.succeed(username);
      loginRequests.delete(requestId!);
      countLogin({ result: 'success' });
      const code = randomToken();
      codes.set(code, {
        clientId: login.clientId,
        redirectUri: login.redirectUri,
        codeChallenge: login.codeChallenge,
        nonce: login.nonce,
        scope: login.scope,
        sub: username,
        authTime: Math.floor(Date.now() / 1000),
        expiresAtMs: Date.now() + settings.authorizationCodeTtlSeconds * 1000,
      });
      const location = new URL(login.redirectUri);
      location.searchParams.set('code', code);
      if (login.state !== undefined) location.searchParams.set('state', login.state);
      return reply.redirect(location.href, 302);
    },
  );

  function authenticateClient(authorization: string | undefined, body: Record<string, string | undefined>): OAuthClient {
    let basic: { id: string; secret: string } | undefined;
    if (authorization !== undefined) {
      if (authorization.slice(0, 6).toLowerCase() !== 'basic ') throw oauthError(401, 'invalid_client', 'Authorization must be Basic client credentials', { 'www-authenticate': 'Basic realm="token"' });
      const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      try {
        if (colon < 0) throw new Error('no colon');
        basic = { id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')) };
      } catch {
        throw oauthError(401, 'invalid_client', 'malformed Basic client credentials', { 'www-authenticate': 'Basic realm="token"' });
      }
      if (body.client_secret !== undefined) throw oauthError(400, 'invalid_request', 'use one client authentication method, not both Basic and client_secret');
      if (body.client_id !== undefined && body.client_id !== basic.id) throw oauthError(400, 'invalid_request', 'client_id differs from the Basic credentials');
    }
    const clientId = basic?.id ?? body.client_id;
    const secret = basic?.secret ?? body.client_secret;
    const challenge: Record<string, string> = basic ? { 'www-authenticate': 'Basic realm="token"' } : {};
    if (!clientId) throw oauthError(401, 'invalid_client', 'client authentication required (client_id)', challenge);
    const client = findClient(clientId);
    if (!client) throw oauthError(401, 'invalid_client', `unknown client ${clientId}`, challenge);
    if (client.confidential && (secret === undefined || !sameSecret(secret, client.secret!))) throw oauthError(401, 'invalid_client', 'client authentication failed', challenge);
    return client;
  }

  async function issueTokens(client: OAuthClient, sub: string, scope: string, grant: { nonce?: string; authTime?: number; withRefresh: boolean }) {
    const accessToken = await key.sign({ iss: issuer(), sub, aud: client.id, client_id: client.id, scope, jti: randomToken(12) }, 'at+jwt', settings.accessTokenTtlSeconds);
    const response: Record<string, string | number> = { access_token: accessToken, token_type: 'Bearer', expires_in: settings.accessTokenTtlSeconds, scope };
    if (scope.split(' ').includes('openid')) {
      const citizen = citizenFromCccd(sub);
      const profile = scope.split(' ').includes('profile') ? { name: citizen.fullName, given_name: citizen.givenName, family_name: citizen.familyName } : {};
      response.id_token = await key.sign(
        { iss: issuer(), sub, aud: client.id, azp: client.id, auth_time: grant.authTime, nonce: grant.nonce, ...profile },
        'JWT',
        settings.idTokenTtlSeconds,
      );
    }
    if (grant.withRefresh) {
      const refreshToken = randomToken();
      refreshGrants.set(refreshToken, { clientId: client.id, sub, scope, authTime: grant.authTime ?? 0, expiresAtMs: Date.now() + settings.refreshTokenTtlSeconds * 1000 });
      response.refresh_token = refreshToken;
    }
    return response;
  }

  app.post<{ Body: Record<string, string | undefined> }>(
    '/token',
    { schema: { body: tokenFormSchema, response: { 200: tokenResponseSchema } }, config: { resource: 'token_issuance' }, bodyLimit: 16 * 1024 },
    async (request, reply) => {
      const body = request.body;
      const client = authenticateClient(request.headers.authorization, body);
      if (!client.grants.includes(body.grant_type!)) {
        const known = ['authorization_code', 'refresh_token', 'client_credentials'].includes(body.grant_type!);
        throw known ? oauthError(400, 'unauthorized_client', `${client.id} may not use ${body.grant_type}`) : oauthError(400, 'unsupported_grant_type', `grant_type ${body.grant_type} is not supported`);
      }
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      let tokens: Record<string, string | number>;
      switch (body.grant_type) {
        case 'authorization_code': {
          if (!body.code || !body.redirect_uri || !body.code_verifier) throw oauthError(400, 'invalid_request', 'code, redirect_uri and code_verifier are required');
          const grant = codes.get(body.code);
          codes.delete(body.code);
          if (!grant || grant.expiresAtMs < Date.now()) throw oauthError(400, 'invalid_grant', 'authorization code unknown, used or expired');
          if (grant.clientId !== client.id) throw oauthError(400, 'invalid_grant', 'authorization code was issued to another client');
          if (grant.redirectUri !== body.redirect_uri) throw oauthError(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
          if (!VERIFIER_PATTERN.test(body.code_verifier)) throw oauthError(400, 'invalid_grant', 'code_verifier must be 43–128 unreserved characters');
          const challenge = createHash('sha256').update(body.code_verifier).digest('base64url');
          if (challenge !== grant.codeChallenge) throw oauthError(400, 'invalid_grant', 'PKCE verification failed: code_verifier does not match code_challenge');
          await tokenIssuance.run();
          tokens = await issueTokens(client, grant.sub, grant.scope, { nonce: grant.nonce, authTime: grant.authTime, withRefresh: true });
          break;
        }
        case 'refresh_token': {
          if (!body.refresh_token) throw oauthError(400, 'invalid_request', 'refresh_token is required');
          const grant = refreshGrants.get(body.refresh_token);
          if (!grant || grant.expiresAtMs < Date.now() || grant.clientId !== client.id) throw oauthError(400, 'invalid_grant', 'refresh token unknown, rotated, expired or issued to another client');
          let scope = grant.scope;
          if (body.scope) {
            const requested = body.scope.split(' ').filter(Boolean);
            if (requested.some((s) => !grant.scope.split(' ').includes(s))) throw oauthError(400, 'invalid_scope', 'a refresh may not widen the scope');
            scope = requested.join(' ');
          }
          refreshGrants.delete(body.refresh_token);
          await tokenIssuance.run();
          tokens = await issueTokens(client, grant.sub, scope, { authTime: grant.authTime, withRefresh: true });
          break;
        }
        default: {
          const requested = (body.scope ?? client.scopes.join(' ')).split(' ').filter(Boolean);
          const notAllowed = requested.find((s) => !client.scopes.includes(s));
          if (notAllowed) throw oauthError(400, 'invalid_scope', `scope ${notAllowed} is not allowed for ${client.id} (allowed: ${client.scopes.join(' ')})`);
          await tokenIssuance.run();
          tokens = await issueTokens(client, client.id, requested.join(' '), { withRefresh: false });
        }
      }
      countToken({ grant_type: body.grant_type! });
      return tokens;
    },
  );

  const userinfo = async (request: Parameters<BearerAuth['verify']>[0]) => {
    const claims = await userinfoAuth.verify(request);
    const citizen = citizenFromCccd(claims.sub);
    return {
      sub: claims.sub,
      name: citizen.fullName,
      given_name: citizen.givenName,
      family_name: citizen.familyName,
      birthdate: citizen.birthDate,
      gender: citizen.gender,
      cccd: citizen.cccd,
      province_code: citizen.provinceCode,
      province_name: citizen.provinceName,
      address: citizen.address,
      phone_number: citizen.phone,
      assurance_level: citizen.assuranceLevel,
    };
  };
  app.get('/userinfo', { schema: { response: { 200: userinfoResponseSchema } } }, userinfo);
  app.post('/userinfo', { schema: { response: { 200: userinfoResponseSchema } } }, userinfo);

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/logout',
    { schema: { querystring: { type: 'object', properties: { id_token_hint: str(8192), post_logout_redirect_uri: str(), state: str(1024), client_id: str(128) } } } },
    async (request, reply) => {
      const { id_token_hint: hint, post_logout_redirect_uri: redirect, state } = request.query;
      if (hint) {
        try {
          await jwtVerify(hint, key.publicKey, { issuer: issuer(), algorithms: ['RS256'], currentDate: new Date(0) });
        } catch (error) {
          return html(reply, 400, renderLoginPage({ error: { code: 'invalid_request', message: `id_token_hint rejected: ${(error as Error).message}` } }));
        }
      }
      if (redirect) {
        if (!isLoopbackRedirect(redirect)) return html(reply, 400, renderLoginPage({ error: { code: 'invalid_request', message: 'post_logout_redirect_uri must be a loopback URL' } }));
        const location = new URL(redirect);
        if (state !== undefined) location.searchParams.set('state', state);
        return reply.redirect(location.href, 302);
      }
      return html(reply, 200, renderLoginPage({ notice: 'Bạn đã đăng xuất (logged out).' }));
    },
  );
}
