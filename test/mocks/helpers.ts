import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { type RunningMocks, startMocks, type StartMocksOptions } from '../../mocks/index.ts';

export const agent = new Agent({ connections: 128, keepAliveTimeout: 10_000 });

export async function start(options: StartMocksOptions = {}): Promise<RunningMocks> {
  return startMocks({ port: 0, ...options });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export async function http(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; form?: Record<string, string>; json?: unknown } = {},
): Promise<Answer> {
  const headers = { ...options.headers };
  let body = options.body;
  if (options.form) {
    body = new URLSearchParams(options.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  const response = await request(url, { method: method as 'GET', headers, body, dispatcher: agent });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

export async function agencyToken(identityUrl: string, code: string): Promise<string> {
  const answer = await http('POST', `${identityUrl}/token`, {
    form: { grant_type: 'client_credentials', client_id: `agency-${code}`, client_secret: `secret-${code}`, scope: 'ndxp' },
  });
  if (answer.status !== 200) throw new Error(`client_credentials failed: ${answer.status} ${answer.text}`);
  return answer.json.access_token;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function hiddenInput(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden input ${name} in ${html.slice(0, 200)}`);
  return match[1];
}

export const REDIRECT_URI = 'http://127.0.0.1:8080/callback';

/** The browser part of the authorization code flow with PKCE, then the token exchange: what a citizen's login does. */
export async function login(
  identityUrl: string,
  cccd: string,
  password = 'loadtest',
): Promise<{ access_token: string; id_token: string; refresh_token: string }> {
  const { verifier, challenge } = pkce();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: 'dvc-portal',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    state: 's1',
    nonce: 'n1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const form = await http('GET', `${identityUrl}/authorize?${query}`);
  if (form.status !== 200) throw new Error(`authorize form: ${form.status}`);
  const posted = await http('POST', `${identityUrl}/authorize`, {
    form: { request_id: hiddenInput(form.text, 'request_id'), csrf_token: hiddenInput(form.text, 'csrf_token'), username: cccd, password },
  });
  if (posted.status !== 302) throw new Error(`login: ${posted.status} ${posted.text.slice(0, 300)}`);
  const code = new URL(String(posted.headers.location)).searchParams.get('code')!;
  const token = await http('POST', `${identityUrl}/token`, {
    form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: 'dvc-portal', code_verifier: verifier },
  });
  if (token.status !== 200) throw new Error(`token: ${token.status} ${token.text}`);
  return token.json;
}

/** Parses Prometheus text exposition into `name{labels}` → value. */
export async function scrape(baseUrl: string): Promise<Map<string, number>> {
  const answer = await http('GET', `${baseUrl}/metrics`);
  const series = new Map<string, number>();
  for (const line of answer.text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

/** The value of the one series of `name` whose labels include all of `labels`. */
export function metric(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const [key, value] of series) {
    const brace = key.indexOf('{');
    if ((brace < 0 ? key : key.slice(0, brace)) !== name) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) {
      total += value;
      found = true;
    }
  }
  if (!found) throw new Error(`no series ${name} with ${JSON.stringify(labels)}`);
  return total;
}
