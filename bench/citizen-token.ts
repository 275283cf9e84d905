// A citizen's access token from the identity mock, the way the portal gets one: authorization
// code with PKCE through the login form (for benches that need an authenticated caller).
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';

export async function form(url: string, fields: Record<string, string>): Promise<Record<string, string>> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return (await response.body.json()) as Record<string, string>;
}

export async function citizenToken(identity: string, redirect = 'http://127.0.0.1:8080/callback', scope = 'openid'): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const page = await (
    await request(
      `${identity}/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'dvc-portal', redirect_uri: redirect, scope, code_challenge: challenge, code_challenge_method: 'S256' })}`,
    )
  ).body.text();
  const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)![1];
  const posted = await request(`${identity}/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      request_id: hidden('request_id'),
      csrf_token: hidden('csrf_token'),
      username: '001203012345',
      password: 'loadtest',
    }).toString(),
  });
  await posted.body.dump();
  const code = new URL(String(posted.headers.location)).searchParams.get('code')!;
  return (
    await form(`${identity}/token`, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      client_id: 'dvc-portal',
      code_verifier: verifier,
    })
  ).access_token;
}
