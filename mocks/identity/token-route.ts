import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { citizenFromCccd } from '../shared/citizens.ts';
import { HttpError } from '../shared/http-error.ts';
import { sameSecret } from '../shared/same-secret.ts';
import { findClient, type OAuthClient } from './clients.ts';
import { randomToken } from './grants.ts';
import type { IdentityRouteOptions } from './index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The OAuth client that authenticated at /token, set by its preHandler. */
    oauthClient: OAuthClient | null;
  }
}

const str = (maxLength = 2048) => ({ type: 'string', maxLength }) as const;
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

const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;
const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];
type TokenForm = Record<string, string | undefined>;
const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="token"' };

function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, error, description, headers);
}

function authenticateClient(authorization: string | undefined, body: TokenForm): OAuthClient {
  let basic: { id: string; secret: string } | undefined;
  if (authorization !== undefined) {
    if (authorization.slice(0, 6).toLowerCase() !== 'basic ')
      throw oauthError(401, 'invalid_client', 'Authorization must be Basic client credentials', BASIC_CHALLENGE);
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    try {
      if (colon < 0) throw new Error('no colon');
      basic = {
        id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
        secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
      };
    } catch {
      throw oauthError(401, 'invalid_client', 'malformed Basic client credentials', BASIC_CHALLENGE);
    }
    if (body.client_secret !== undefined)
      throw oauthError(400, 'invalid_request', 'use one client authentication method, not both Basic and client_secret');
    if (body.client_id !== undefined && body.client_id !== basic.id)
      throw oauthError(400, 'invalid_request', 'client_id differs from the Basic credentials');
  }
  const clientId = basic?.id ?? body.client_id;
  const secret = basic?.secret ?? body.client_secret;
  const challenge = basic ? BASIC_CHALLENGE : {};
  if (!clientId) throw oauthError(401, 'invalid_client', 'client authentication required (client_id)', challenge);
  const client = findClient(clientId);
  if (!client) throw oauthError(401, 'invalid_client', `unknown client ${clientId}`, challenge);
  if (client.confidential && (secret === undefined || !sameSecret(secret, client.secret!)))
    throw oauthError(401, 'invalid_client', 'client authentication failed', challenge);
  return client;
}

/**
 * preHandler: the client authenticates and the request is complete before it may queue for token issuance, so
 * malformed requests cost no modelled capacity and a refused one (503) has not touched the code or refresh token.
 */
async function clientAndGrant(request: FastifyRequest<{ Body: TokenForm }>): Promise<void> {
  const body = request.body;
  const client = authenticateClient(request.headers.authorization, body);
  if (!client.grants.includes(body.grant_type!)) {
    throw GRANT_TYPES.includes(body.grant_type!)
      ? oauthError(400, 'unauthorized_client', `${client.id} may not use ${body.grant_type}`)
      : oauthError(400, 'unsupported_grant_type', `grant_type ${body.grant_type} is not supported`);
  }
  if (body.grant_type === 'authorization_code' && (!body.code || !body.redirect_uri || !body.code_verifier))
    throw oauthError(400, 'invalid_request', 'code, redirect_uri and code_verifier are required');
  if (body.grant_type === 'refresh_token' && !body.refresh_token) throw oauthError(400, 'invalid_request', 'refresh_token is required');
  request.oauthClient = client;
}

/** The token endpoint: authorization code + PKCE, refresh (rotated), client credentials. */
export async function tokenRoute(app: FastifyInstance, { context, key, grants, countToken }: IdentityRouteOptions): Promise<void> {
  const settings = context.config.identity;
  const issuer = () => context.baseUrl;
  app.decorateRequest('oauthClient', null);

  async function issueTokens(
    client: OAuthClient,
    sub: string,
    scope: string,
    grant: { nonce?: string; authTime?: number; grantId?: string },
  ) {
    const sid = grant.grantId;
    const accessToken = await key.sign(
      { iss: issuer(), sub, aud: client.id, client_id: client.id, scope, jti: randomToken(12), sid },
      'at+jwt',
      settings.accessTokenTtlSeconds,
    );
    const response: Record<string, string | number> = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: settings.accessTokenTtlSeconds,
      scope,
    };
    if (scope.split(' ').includes('openid')) {
      const citizen = citizenFromCccd(sub);
      const profile = scope.split(' ').includes('profile')
        ? { name: citizen.fullName, given_name: citizen.givenName, family_name: citizen.familyName }
        : {};
      response.id_token = await key.sign(
        { iss: issuer(), sub, aud: client.id, azp: client.id, auth_time: grant.authTime, nonce: grant.nonce, sid, ...profile },
        'JWT',
        settings.idTokenTtlSeconds,
      );
    }
    if (sid !== undefined)
      response.refresh_token = grants.issueRefreshToken({ clientId: client.id, sub, scope, authTime: grant.authTime ?? 0, grantId: sid });
    return response;
  }

  function exchangeCode(client: OAuthClient, body: TokenForm) {
    const redemption = grants.redeem(body.code!);
    if (redemption.kind === 'reused')
      throw oauthError(
        400,
        'invalid_grant',
        'authorization code was already used; the tokens issued from it are revoked (RFC 6749 §4.1.2)',
      );
    if (redemption.kind === 'unknown') throw oauthError(400, 'invalid_grant', 'authorization code unknown, used or expired');
    const { code: grant, grantId } = redemption;
    const refuse = (description: string) => {
      grants.burn(body.code!);
      return oauthError(400, 'invalid_grant', description);
    };
    if (grant.clientId !== client.id) throw refuse('authorization code was issued to another client');
    if (grant.redirectUri !== body.redirect_uri) throw refuse('redirect_uri differs from the authorization request');
    if (!VERIFIER_PATTERN.test(body.code_verifier!)) throw refuse('code_verifier must be 43–128 unreserved characters');
    const challenge = createHash('sha256').update(body.code_verifier!).digest('base64url');
    if (challenge !== grant.codeChallenge) throw refuse('PKCE verification failed: code_verifier does not match code_challenge');
    return issueTokens(client, grant.sub, grant.scope, { nonce: grant.nonce, authTime: grant.authTime, grantId });
  }

  function refresh(client: OAuthClient, body: TokenForm) {
    const found = grants.findRefresh(body.refresh_token!);
    if (found.kind === 'reused')
      throw oauthError(
        400,
        'invalid_grant',
        'refresh token was already rotated; every token of its grant is revoked (OAuth 2.1 refresh token rotation)',
      );
    if (found.kind !== 'ok' || found.grant.clientId !== client.id)
      throw oauthError(400, 'invalid_grant', 'refresh token unknown, revoked, expired or issued to another client');
    const grant = found.grant;
    let scope = grant.scope;
    if (body.scope) {
      const requested = body.scope.split(' ').filter(Boolean);
      if (requested.some((s) => !grant.scope.split(' ').includes(s)))
        throw oauthError(400, 'invalid_scope', 'a refresh may not widen the scope');
      scope = requested.join(' ');
    }
    grants.rotate(grant);
    return issueTokens(client, grant.sub, scope, { authTime: grant.authTime, grantId: grant.grantId });
  }

  function clientCredentials(client: OAuthClient, body: TokenForm) {
    const requested = (body.scope ?? client.scopes.join(' ')).split(' ').filter(Boolean);
    const notAllowed = requested.find((s) => !client.scopes.includes(s));
    if (notAllowed)
      throw oauthError(400, 'invalid_scope', `scope ${notAllowed} is not allowed for ${client.id} (allowed: ${client.scopes.join(' ')})`);
    return issueTokens(client, client.id, requested.join(' '), {});
  }

  app.post<{ Body: TokenForm }>(
    '/token',
    {
      schema: { body: tokenFormSchema, response: { 200: tokenResponseSchema } },
      config: { resource: 'token_issuance' },
      bodyLimit: 16 * 1024,
      preHandler: [clientAndGrant, context.admit('token_issuance')],
    },
    async (request, reply) => {
      const body = request.body;
      const client = request.oauthClient!;
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const tokens = await (body.grant_type === 'authorization_code'
        ? exchangeCode(client, body)
        : body.grant_type === 'refresh_token'
          ? refresh(client, body)
          : clientCredentials(client, body));
      countToken({ grant_type: body.grant_type! });
      return tokens;
    },
  );
}
