import { randomBytes } from 'node:crypto';
import type { IdentitySettings } from '../config.ts';
import { stringBytes } from '../shared/bounded-store.ts';
import type { ServiceContext } from '../shared/context.ts';

export interface LoginRequest {
  clientId: string;
  redirectUri: string;
  state?: string;
  nonce?: string;
  scope: string;
  codeChallenge: string;
  csrfToken: string;
}

export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  scope: string;
  sub: string;
  authTime: number;
  /** Set when the code has been exchanged: the grant whose tokens a second exchange revokes. */
  redeemedAs?: string;
}

export interface RefreshGrant {
  clientId: string;
  sub: string;
  scope: string;
  authTime: number;
  /** Every token issued from one authorization code shares it (the access and ID tokens' `sid`). */
  grantId: string;
  /** Set once used: a rotated token presented again means it was stolen, and revokes the whole grant. */
  rotated: boolean;
}

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

export type Redemption = { kind: 'ok'; code: AuthorizationCode; grantId: string } | { kind: 'unknown' } | { kind: 'reused' };
export type Refresh = { kind: 'ok'; grant: RefreshGrant } | { kind: 'unknown' } | { kind: 'reused' } | { kind: 'revoked' };

/**
 * What the identity service remembers between requests — pending logins, codes, refresh tokens, revoked grants —
 * each a bounded store that forgets its oldest entries and those past their lifetime. One login is one grant:
 * RFC 6749 §4.1.2 (a code used twice revokes the tokens issued from it) and OAuth 2.1's refresh-token rotation
 * (a rotated refresh token used again revokes the grant's tokens) act on it.
 */
export class Grants {
  readonly loginRequests;
  private readonly codes;
  private readonly refreshTokens;
  private readonly revoked;

  constructor(context: ServiceContext, settings: IdentitySettings) {
    this.loginRequests = context.store<string, LoginRequest>('pending_authorizations', {
      ttlMs: settings.loginRequestTtlSeconds * 1000,
      sizeOf: (id, login) =>
        stringBytes(id, login.clientId, login.redirectUri, login.state, login.nonce, login.scope, login.codeChallenge, login.csrfToken),
    });
    this.codes = context.store<string, AuthorizationCode>('authorization_codes', {
      ttlMs: settings.authorizationCodeTtlSeconds * 1000,
      sizeOf: (code, grant) =>
        stringBytes(code, grant.clientId, grant.redirectUri, grant.codeChallenge, grant.nonce, grant.scope, grant.sub) + 40,
    });
    this.refreshTokens = context.store<string, RefreshGrant>('refresh_tokens', {
      ttlMs: settings.refreshTokenTtlSeconds * 1000,
      sizeOf: (token, grant) => stringBytes(token, grant.clientId, grant.sub, grant.scope, grant.grantId) + 16,
    });
    // A revoked grant matters as long as any token issued from it could still be presented.
    this.revoked = context.store<string, true>('revoked_grants', {
      ttlMs: Math.max(settings.accessTokenTtlSeconds, settings.idTokenTtlSeconds, settings.refreshTokenTtlSeconds) * 1000,
      sizeOf: (grantId) => stringBytes(grantId),
    });
  }

  issueCode(grant: AuthorizationCode): string {
    const code = randomToken();
    this.codes.set(code, grant);
    return code;
  }

  /** Exchanges a code once; a second exchange revokes what the first one issued. */
  redeem(code: string): Redemption {
    const grant = this.codes.get(code);
    if (!grant) return { kind: 'unknown' };
    if (grant.redeemedAs !== undefined) {
      this.revoked.set(grant.redeemedAs, true);
      return { kind: 'reused' };
    }
    grant.redeemedAs = randomToken(12);
    return { kind: 'ok', code: grant, grantId: grant.redeemedAs };
  }

  /** A code that failed its checks (PKCE, redirect URI, client) is spent all the same. */
  burn(code: string): void {
    this.codes.delete(code);
  }

  issueRefreshToken(grant: Omit<RefreshGrant, 'rotated'>): string {
    const token = randomToken();
    this.refreshTokens.set(token, { ...grant, rotated: false });
    return token;
  }

  /** Looks a refresh token up without using it (the caller checks client and scope first). */
  findRefresh(token: string): Refresh {
    const grant = this.refreshTokens.get(token);
    if (!grant) return { kind: 'unknown' };
    if (this.revoked.has(grant.grantId)) return { kind: 'revoked' };
    if (grant.rotated) {
      this.revoked.set(grant.grantId, true);
      return { kind: 'reused' };
    }
    return { kind: 'ok', grant };
  }

  rotate(grant: RefreshGrant): void {
    grant.rotated = true;
  }

  isRevoked(grantId: string | undefined): boolean {
    return grantId !== undefined && this.revoked.has(grantId);
  }
}
