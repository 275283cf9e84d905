// Machine tokens for agency systems (client credentials), cached per VU and renewed before expiry:
// an agency system asks the identity service once, not on every NDXP call.
import { check } from 'k6';
import { b64encode } from 'k6/encoding';
import http from 'k6/http';
import { config } from './config.ts';
import { formEncode } from './html-form.ts';
import { failureReason, jsonBody } from './http-util.ts';
import { discover, expiresSoon, tokenRefreshes } from './oidc-login.ts';
import { vuNumber } from './vu.ts';

export interface Agency {
  code: string;
  clientId: string;
  clientSecret: string;
}

/** The agency a VU acts for: VUs are spread over the configured agency codes. */
export function vuAgency(vu = vuNumber()): Agency {
  const code = config.agencyCodes[(Math.max(1, vu) - 1) % config.agencyCodes.length];
  return {
    code,
    clientId: config.agencyClientId.replace(/\{code\}/g, code),
    clientSecret: config.agencyClientSecret.replace(/\{code\}/g, code),
  };
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
  issuedAt: number;
}

let cached: CachedToken | undefined;

/** A valid NDXP access token for the agency, or undefined when the identity service refuses. */
export async function agencyToken(agency: Agency, flow: string): Promise<string | undefined> {
  if (cached && !expiresSoon(cached)) return cached.accessToken;
  const endpoints = await discover();
  const tokenUrl = endpoints?.token_endpoint ?? `${config.identityUrl}/token`;
  const res = await http.asyncRequest('POST', tokenUrl, formEncode({ grant_type: 'client_credentials', scope: 'ndxp' }), {
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${b64encode(`${encodeURIComponent(agency.clientId)}:${encodeURIComponent(agency.clientSecret)}`)}`,
    },
    tags: { name: '/token', flow, grant: 'client_credentials' },
  });
  const body = jsonBody<{ access_token?: string; expires_in?: number }>(res);
  const ok = check(res, { 'client credentials: 200 with a token': (r) => r.status === 200 && !!body?.access_token }, { flow });
  tokenRefreshes.add(1, { grant: 'client_credentials', result: ok ? 'ok' : failureReason(res) });
  if (!ok || !body?.access_token) {
    cached = undefined;
    return undefined;
  }
  const now = Date.now();
  cached = { accessToken: body.access_token, issuedAt: now, expiresAt: now + (body.expires_in ?? 300) * 1000 };
  return cached.accessToken;
}

/** Forgets the token, e.g. after the gateway answered 401 to it. */
export function dropAgencyToken(): void {
  cached = undefined;
}
