import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from 'jose';
import type { BoundedStore } from './bounded-store.ts';
import type { ServiceContext } from './context.ts';
import { HttpError } from './http-error.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token's claims, set by BearerAuth's preHandler. */
    claims: AccessClaims | null;
  }
}

export interface AccessClaims extends JWTPayload {
  sub: string;
  client_id: string;
  scope: string;
}

export interface BearerAuthOptions {
  /** Resolved lazily: the identity mock may only know its port after listening. */
  identityUrl: () => string;
  /** The token must be for this audience (`dvc-portal` for citizens). */
  audience?: string;
  /** The token's scope must include this (`ndxp` for agency systems). */
  scope?: string;
}

type VerifiedToken = { claims: AccessClaims; expiresAtMs: number };

function unauthorized(description: string, error = 'invalid_token', status = 401): HttpError {
  return new HttpError(status, error, description, {
    'www-authenticate': `Bearer error="${error}", error_description="${description.replaceAll('"', "'")}"`,
  });
}

/**
 * Verifies RS256 access tokens against the identity service's JWKS (fetched once and cached by jose). A verified
 * token is remembered until it expires, as API gateways cache introspection: the signature check is the costly
 * part and the token string itself (signature included) is the cache key, so a forged token never hits the cache.
 */
export class BearerAuth {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private jwksFor = '';
  private readonly verified: BoundedStore<string, VerifiedToken>;

  constructor(
    private readonly context: ServiceContext,
    private readonly options: BearerAuthOptions,
  ) {
    this.verified = context.store('verified_tokens', { sizeOf: (token) => 2 * token.length + 400 });
  }

  /** Route preHandler: a request without a valid token goes no further (and uses no modelled capacity). */
  readonly preHandler = async (request: FastifyRequest): Promise<void> => {
    request.claims = await this.verify(request);
  };

  async verify(request: FastifyRequest): Promise<AccessClaims> {
    const header = request.headers.authorization;
    if (!header) throw unauthorized('missing Authorization: Bearer <access token>', 'invalid_request');
    if (header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ')
      throw unauthorized('Authorization must use the Bearer scheme', 'invalid_request');
    const token = header.slice(7).trim();
    const cached = this.verified.get(token);
    if (cached) {
      if (cached.expiresAtMs > Date.now()) return cached.claims;
      this.verified.delete(token);
    }
    const claims = await this.verifySignature(token);
    if (this.options.audience) {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(this.options.audience)) throw unauthorized(`token audience must be ${this.options.audience}`);
    }
    if (
      this.options.scope &&
      !String(claims.scope ?? '')
        .split(' ')
        .includes(this.options.scope)
    ) {
      throw unauthorized(`token scope must include ${this.options.scope}`, 'insufficient_scope', 403);
    }
    if (typeof claims.sub !== 'string' || typeof claims.client_id !== 'string') throw unauthorized('token lacks sub or client_id');
    this.verified.set(token, { claims, expiresAtMs: (claims.exp ?? 0) * 1000 });
    return claims;
  }

  private keySet(): ReturnType<typeof createRemoteJWKSet> {
    const identityUrl = this.options.identityUrl();
    if (!this.jwks || this.jwksFor !== identityUrl) {
      const fetchKeys = this.context.fetch;
      this.jwks = createRemoteJWKSet(new URL('/jwks', identityUrl), {
        timeoutDuration: 5000,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
        ...(fetchKeys ? { [customFetch]: fetchKeys } : {}),
      });
      this.jwksFor = identityUrl;
    }
    return this.jwks;
  }

  // No clock tolerance: the mocks only talk over loopback, so identity and its relying parties share one clock.
  private async verifySignature(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.keySet(), {
        issuer: this.options.identityUrl(),
        algorithms: ['RS256'],
        typ: 'at+jwt',
      });
      return payload as AccessClaims;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthorized('access token expired');
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new HttpError(503, 'identity_unavailable', `cannot fetch the identity service's keys: ${(error as Error).message}`, {
          'retry-after': '5',
        });
      }
      throw unauthorized(`access token rejected: ${error.message}`);
    }
  }
}
