// The citizen login: OpenID Connect authorization code flow with PKCE against the identity service,
// played the way the portal and a browser play it, with every redirect followed by hand.
import { check } from 'k6';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import { config } from './config.ts';
import { dataError, formEncode, parseLoginForm, parseQuery, resolveUrl } from './html-form.ts';
import { bearer, bodyText, failureReason, header, jsonBody, type Response, think } from './http-util.ts';
import { codeChallenge, newCodeVerifier, randomToken } from './pkce.ts';
import type { Random } from './random.ts';
import type { Citizen } from './synthetic.ts';

/** End to end: authorization request to profile loaded, without the time the citizen spends typing. */
export const loginDuration = new Trend('login_duration', true);
export const loginSuccess = new Rate('login_success');
/** Failed logins by `reason` (invalid_credentials, account_locked, http_503, timeout, ...) and `step`. */
export const loginFailures = new Counter('login_failures');
export const tokenRefreshes = new Counter('token_refreshes');

const FLOW = 'login';

export interface Endpoints {
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms when it was issued, to refresh at a fraction of its lifetime. */
  issuedAt: number;
}

export interface UserInfo {
  sub: string;
  name?: string;
  cccd?: string;
  birthdate?: string;
  address?: string;
  [claim: string]: unknown;
}

export type LoginOutcome = { ok: true; tokens: TokenSet; userinfo: UserInfo } | { ok: false; step: string; reason: string };

// Discovery is fetched once per VU, as a relying party does at start-up, so a staging system with
// other endpoint paths works with only -e IDENTITY_URL.
let endpoints: Endpoints | undefined;

export async function discover(): Promise<Endpoints | undefined> {
  if (endpoints) return endpoints;
  const res = await http.asyncRequest('GET', `${config.identityUrl}/.well-known/openid-configuration`, null, {
    tags: { name: '/.well-known/openid-configuration', flow: FLOW },
  });
  const document = jsonBody<Endpoints>(res);
  const ok = check(
    res,
    {
      'discovery: 200': (r) => r.status === 200,
      'discovery: has endpoints': () => !!document?.authorization_endpoint && !!document.token_endpoint && !!document.userinfo_endpoint,
    },
    { flow: FLOW },
  );
  if (ok && document) endpoints = document;
  return endpoints;
}

function tokenSetFrom(res: Response, previous?: TokenSet): TokenSet | undefined {
  const body = jsonBody<{ access_token?: string; refresh_token?: string; id_token?: string; expires_in?: number }>(res);
  if (res.status !== 200 || !body?.access_token) return undefined;
  const now = Date.now();
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? previous?.refreshToken,
    idToken: body.id_token ?? previous?.idToken,
    expiresAt: now + (body.expires_in ?? 300) * 1000,
    issuedAt: now,
  };
}

function failed(step: string, reason: string): LoginOutcome {
  loginFailures.add(1, { reason, step });
  loginSuccess.add(false);
  return { ok: false, step, reason };
}

function clientAuthentication(): Record<string, string> {
  return config.portalClientSecret === '' ? {} : { client_secret: config.portalClientSecret };
}

/** Logs a citizen in with CCCD and password; records login_duration, login_success and login_failures. */
export async function login(citizen: Citizen, random: Random, password = config.citizenPassword): Promise<LoginOutcome> {
  const started = Date.now();
  const discovered = await discover();
  if (!discovered) return failed('discovery', 'discovery_failed');

  const verifier = newCodeVerifier();
  const state = randomToken();
  const authorizeUrl = `${discovered.authorization_endpoint}?${formEncode({
    response_type: 'code',
    client_id: config.portalClientId,
    redirect_uri: config.redirectUri,
    scope: config.scope,
    state,
    nonce: randomToken(),
    code_challenge: codeChallenge(verifier),
    code_challenge_method: 'S256',
  })}`;
  const formPage = await http.asyncRequest('GET', authorizeUrl, null, {
    redirects: 0,
    tags: { name: '/authorize', flow: FLOW, step: 'form' },
  });
  const form = formPage.status === 200 ? parseLoginForm(bodyText(formPage)) : undefined;
  const formOk = check(
    formPage,
    {
      'login form: 200': (r) => r.status === 200,
      'login form: has hidden request fields': () => !!form && Object.keys(form.hidden).length > 0,
    },
    { flow: FLOW },
  );
  if (!formOk || !form) return failed('form', dataError(bodyText(formPage)) ?? failureReason(formPage));

  const typingMs = await think(random, 1, 3);

  const action = resolveUrl(form.action ?? authorizeUrl, authorizeUrl);
  const credentials = await http.asyncRequest('POST', action, formEncode({ ...form.hidden, username: citizen.cccd, password }), {
    redirects: 0,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    tags: { name: '/authorize', flow: FLOW, step: 'credentials' },
  });
  const location = header(credentials, 'Location') ?? '';
  const callback = parseQuery(location);
  const credentialsOk = check(
    credentials,
    {
      'credentials: redirected back (302)': (r) => r.status === 302,
      'credentials: code and matching state': () => !!callback.code && callback.state === state,
    },
    { flow: FLOW },
  );
  if (!credentialsOk) {
    if (credentials.status === 302) return failed('credentials', callback.error ?? (callback.code ? 'state_mismatch' : 'no_code'));
    return failed('credentials', dataError(bodyText(credentials)) ?? failureReason(credentials));
  }

  // The portal's back end exchanges the code; the browser's visit to the callback page is not modelled.
  const exchange = await http.asyncRequest(
    'POST',
    discovered.token_endpoint,
    formEncode({
      grant_type: 'authorization_code',
      code: callback.code,
      redirect_uri: config.redirectUri,
      client_id: config.portalClientId,
      code_verifier: verifier,
      ...clientAuthentication(),
    }),
    {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      tags: { name: '/token', flow: FLOW, grant: 'authorization_code' },
    },
  );
  const tokens = tokenSetFrom(exchange);
  const exchangeOk = check(
    exchange,
    {
      'token: 200': (r) => r.status === 200,
      'token: access and id token': () => !!tokens?.accessToken && !!tokens.idToken,
    },
    { flow: FLOW },
  );
  if (!exchangeOk || !tokens) return failed('token', jsonBody<{ error?: string }>(exchange)?.error ?? failureReason(exchange));

  const profile = await http.asyncRequest('GET', discovered.userinfo_endpoint, null, {
    headers: bearer(tokens.accessToken),
    tags: { name: '/userinfo', flow: FLOW },
  });
  const userinfo = jsonBody<UserInfo>(profile);
  const profileOk = check(
    profile,
    {
      'userinfo: 200': (r) => r.status === 200,
      'userinfo: same citizen': () => !!userinfo?.sub && (userinfo.cccd === undefined || userinfo.cccd === citizen.cccd),
    },
    { flow: FLOW },
  );
  if (!profileOk || !userinfo) return failed('userinfo', failureReason(profile));

  loginDuration.add(Date.now() - started - typingMs);
  loginSuccess.add(true);
  return { ok: true, tokens, userinfo };
}

/** Exchanges a refresh token; undefined when the identity service refuses it (then log in again). */
export async function refresh(tokens: TokenSet): Promise<TokenSet | undefined> {
  const discovered = await discover();
  if (!discovered || !tokens.refreshToken) return undefined;
  const res = await http.asyncRequest(
    'POST',
    discovered.token_endpoint,
    formEncode({
      grant_type: 'refresh_token',
      refresh_token: tokens.refreshToken,
      client_id: config.portalClientId,
      ...clientAuthentication(),
    }),
    {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      tags: { name: '/token', flow: FLOW, grant: 'refresh_token' },
    },
  );
  const refreshed = tokenSetFrom(res, tokens);
  check(res, { 'refresh: 200 with a new access token': () => !!refreshed }, { flow: FLOW });
  tokenRefreshes.add(1, { grant: 'refresh_token', result: refreshed ? 'ok' : failureReason(res) });
  return refreshed;
}

/** True when a token is within its last fifth of life (at most 60 s) and should be renewed before use. */
export function expiresSoon(tokens: { expiresAt: number; issuedAt: number }, now = Date.now()): boolean {
  const margin = Math.min(60_000, (tokens.expiresAt - tokens.issuedAt) / 5);
  return now >= tokens.expiresAt - margin;
}
