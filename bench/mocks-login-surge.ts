// A login surge against the identity mock with its default capacity profile: offered logins/s step up, and the
// table shows where it saturates and why (credential check utilisation vs. server CPU).
// Usage: npx tsx bench/mocks-login-surge.ts [seconds per step, default 5]
// Expectation: credential_check (16 slots × mean 54.6 ms ≈ 293 logins/s) saturates first, while the server CPU has
// room left; beyond it logins queue, then are turned away with 503 + Retry-After.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';

const seconds = Number(process.argv[2] ?? 5);
const STEPS = [100, 200, 300, 400, 500];
const MAX_IN_FLIGHT = 4000;
const REDIRECT = 'http://127.0.0.1:8080/callback';
const agent = new Agent({ connections: 1024, keepAliveTimeout: 30_000 });

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function metricValue(identity: string, name: string, resource: string): Promise<number> {
  const text = await (await request(`${identity}/metrics`, { dispatcher: agent })).body.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`resource="${resource}"`));
  return Number(line?.split(' ').pop() ?? 0);
}

type Outcome = 'success' | 'rejected' | 'failed';

async function loginOnce(identity: string, n: number): Promise<Outcome> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: 'dvc-portal',
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const form = await request(`${identity}/authorize?${query}`, { dispatcher: agent });
  const page = await form.body.text();
  const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1] ?? '';
  const cccd = `0012${String(n % 100_000_000).padStart(8, '0')}`;
  const posted = await request(`${identity}/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      request_id: hidden('request_id'),
      csrf_token: hidden('csrf_token'),
      username: cccd,
      password: 'loadtest',
    }).toString(),
    dispatcher: agent,
  });
  await posted.body.dump();
  if (posted.statusCode === 503) return 'rejected';
  if (posted.statusCode !== 302) return 'failed';
  const code = new URL(String(posted.headers.location)).searchParams.get('code')!;
  const token = await request(`${identity}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'dvc-portal',
      code_verifier: verifier,
    }).toString(),
    dispatcher: agent,
  });
  const tokens = (await token.body.json()) as { access_token?: string };
  if (token.statusCode === 503) return 'rejected';
  if (!tokens.access_token) return 'failed';
  const userinfo = await request(`${identity}/userinfo`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
    dispatcher: agent,
  });
  await userinfo.body.dump();
  return userinfo.statusCode === 200 ? 'success' : 'failed';
}

const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'mocks-server.ts'), 'default', 'on'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const urls = JSON.parse(await new Promise<string>((resolve) => child.stdout.on('data', (chunk) => resolve(String(chunk).split('\n')[0]))));
const identity: string = urls.identity;
process.stderr.write(
  `login surge against ${identity} (default profile), ${seconds} s per step, open model (arrivals do not wait for completions)\n`,
);
console.log(
  '\n| offered logins/s | completed/s | rejected (503)/s | failed (in step) | p50 login ms | p95 login ms | credential_check utilisation | token_issuance utilisation | identity CPU |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
);
let n = 0;
try {
  for (const rate of STEPS) {
    const outcomes: Record<Outcome, number> = { success: 0, rejected: 0, failed: 0 };
    const durations: number[] = [];
    const busyBefore = await metricValue(identity, 'loadlab_resource_busy_seconds_total', 'credential_check');
    const tokenBusyBefore = await metricValue(identity, 'loadlab_resource_busy_seconds_total', 'token_issuance');
    const cpuBefore = cpuSeconds(child.pid!);
    const startedAt = performance.now();
    let inFlight = 0;
    const running: Promise<void>[] = [];
    let started = 0;
    while (performance.now() - startedAt < seconds * 1000) {
      const due = Math.floor(((performance.now() - startedAt) / 1000) * rate);
      while (started < due && inFlight < MAX_IN_FLIGHT) {
        started++;
        inFlight++;
        const t0 = performance.now();
        running.push(
          loginOnce(identity, n++)
            .catch((): Outcome => 'failed')
            .then((outcome) => {
              // Only what finished inside the step counts towards its rates; the tail drains before the next step.
              if (performance.now() - startedAt <= seconds * 1000) outcomes[outcome]++;
              if (outcome === 'success') durations.push(performance.now() - t0);
              inFlight--;
            }),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const elapsed = (performance.now() - startedAt) / 1000;
    const busy = (await metricValue(identity, 'loadlab_resource_busy_seconds_total', 'credential_check')) - busyBefore;
    const tokenBusy = (await metricValue(identity, 'loadlab_resource_busy_seconds_total', 'token_issuance')) - tokenBusyBefore;
    const cpu = (cpuSeconds(child.pid!) - cpuBefore) / elapsed;
    await Promise.all(running);
    durations.sort((a, b) => a - b);
    const q = (p: number) => Math.round(durations[Math.floor(p * (durations.length - 1))] ?? 0);
    console.log(
      `| ${rate} | ${Math.round(outcomes.success / elapsed)} | ${Math.round(outcomes.rejected / elapsed)} | ${outcomes.failed} | ${q(0.5)} | ${q(0.95)} | ${Math.round((busy / elapsed / 16) * 100)} % | ${Math.round((tokenBusy / elapsed / 32) * 100)} % | ${Math.round(cpu * 100)} % |`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
} finally {
  child.kill('SIGTERM');
}
