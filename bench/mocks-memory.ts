// Memory of the mocks under a long mix of abusive and ordinary requests: every store is bounded, so the process's
// resident memory must level off however many requests arrive.
// Usage: npx tsx bench/mocks-memory.ts [total requests, default 1000000]
// Mix (zero-latency profile, all three mocks in one process, three autocannon runs side by side):
//   identity 60 %: abandoned GET /authorize with ~3 KB of state, nonce and redirect URI (each a pending authorization),
//                  and /token with unknown codes;
//   portal   15 %: dossiers submitted by one citizen;
//   ndxp     25 %: documents with a fresh Idempotency-Key each (documents, inbox entries, keys), lookups.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { request } from 'undici';
import { citizenToken, form } from './citizen-token.ts';

type RequestSpec = NonNullable<Parameters<typeof autocannon>[0]['requests']>[number];
const total = Number(process.argv[2] ?? 1_000_000);
const SERVER = join(import.meta.dirname, 'mocks-memory-server.ts');
const REDIRECT = 'http://127.0.0.1:8080/callback';
const MiB = 1024 * 1024;
// Several requests in flight per connection: the load generator shares the machine, so it must be cheap per request.
const PIPELINING = 8;

function procStatus(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function storeLines(urls: Record<string, string>): Promise<string[]> {
  const lines: string[] = [];
  for (const [service, url] of Object.entries(urls)) {
    const text = await (await request(`${url}/metrics`)).body.text();
    for (const line of text.split('\n'))
      if (/^loadlab_store_(entries|bytes|evictions_total)\{/.test(line) && !line.endsWith(' 0')) lines.push(`${service}: ${line}`);
  }
  return lines;
}

const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
const serverLines: string[] = [];
let partial = '';
const lineWaiters: (() => void)[] = [];
child.stdout.on('data', (chunk) => {
  partial += chunk;
  const lines = partial.split('\n');
  partial = lines.pop()!;
  serverLines.push(...lines);
  for (const wake of lineWaiters.splice(0)) wake();
});
child.on('exit', (code) => {
  if (code !== 0 && code !== null) console.error(`mocks server exited with ${code}`);
});
async function nextLine(): Promise<string> {
  while (serverLines.length === 0) await new Promise<void>((resolve) => lineWaiters.push(resolve));
  return serverLines.shift()!;
}
/** The server's live heap after a full garbage collection. */
async function liveHeap(): Promise<number> {
  child.kill('SIGUSR2');
  return (JSON.parse(await nextLine()) as { heapUsed: number }).heapUsed;
}
const urls = JSON.parse(await nextLine()) as Record<'identity' | 'portal' | 'ndxp', string>;

const citizen = await citizenToken(urls.identity);
const agency = (
  await form(`${urls.identity}/token`, {
    grant_type: 'client_credentials',
    client_id: 'agency-H29',
    client_secret: 'secret-H29',
    scope: 'ndxp',
  })
).access_token;
const challenge = createHash('sha256').update('v'.repeat(43)).digest('base64url');
const procedure = ((await (await request(`${urls.portal}/api/procedures?pageSize=1&level=3`)).body.json()) as { items: { code: string }[] })
  .items[0].code;
const baseline = procStatus(child.pid!);
const baselineHeap = await liveHeap();

let counter = 0;
const next = () => (++counter).toString(36);
const identityRequests: RequestSpec[] = [
  ...Array.from({ length: 4 }, () => ({
    method: 'GET',
    setupRequest: (spec: RequestSpec) => {
      const id = next();
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: 'dvc-portal',
        redirect_uri: `${REDIRECT}/${id.padEnd(1000, 'r')}`,
        scope: 'openid',
        state: id.padEnd(1000, 's'),
        nonce: id.padEnd(1000, 'n'),
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      return { ...spec, path: `/authorize?${query}` };
    },
  })),
  {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: (spec) => ({
      ...spec,
      path: '/token',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: next().padEnd(43, 'c'),
        redirect_uri: REDIRECT,
        client_id: 'dvc-portal',
        code_verifier: 'v'.repeat(43),
      }).toString(),
    }),
  },
];
const portalRequests: RequestSpec[] = [
  {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${citizen}` },
    setupRequest: (spec) => ({
      ...spec,
      path: '/api/dossiers',
      body: JSON.stringify({
        procedureCode: procedure,
        applicant: {
          fullName: `Nguyễn Văn ${next()}`,
          cccd: '001203012345',
          birthDate: '2003-01-01',
          phone: '0912345678',
          address: 'Hà Nội',
        },
        form: {},
        attachmentIds: [],
      }),
    }),
  },
];
const ndxpHeaders = { authorization: `Bearer ${agency}`, 'x-consumer-code': 'H29' };
const ndxpRequests: RequestSpec[] = [
  {
    method: 'POST',
    setupRequest: (spec) => {
      const id = next();
      return {
        ...spec,
        path: '/ndxp/v1/documents',
        headers: { ...ndxpHeaders, 'content-type': 'application/json', 'idempotency-key': `key-${id}` },
        body: JSON.stringify({
          to: `U${id.slice(-3)}`,
          subject: `Công văn số ${id} về việc phối hợp`,
          documentNumber: `${id}/UBND-VP`,
          content: 'aGVsbG8=',
        }),
      };
    },
  },
  { method: 'GET', path: '/ndxp/v1/population/citizens/001203012345', headers: ndxpHeaders },
];

let peak = baseline.peak;
let last = baseline;
const samples: { t: number; rss: number }[] = [];
const startedAt = performance.now();
const sampler = setInterval(() => {
  last = procStatus(child.pid!);
  peak = Math.max(peak, last.peak);
  samples.push({ t: (performance.now() - startedAt) / 1000, rss: last.rss });
}, 500);

const share = { identity: 0.6, portal: 0.15, ndxp: 0.25 };
const results = await Promise.all([
  autocannon({
    url: urls.identity,
    connections: 32,
    pipelining: PIPELINING,
    amount: Math.round(total * share.identity),
    requests: identityRequests,
  }),
  autocannon({
    url: urls.portal,
    connections: 8,
    pipelining: PIPELINING,
    amount: Math.round(total * share.portal),
    requests: portalRequests,
  }),
  autocannon({ url: urls.ndxp, connections: 16, pipelining: PIPELINING, amount: Math.round(total * share.ndxp), requests: ndxpRequests }),
]);
clearInterval(sampler);
const seconds = (performance.now() - startedAt) / 1000;
const end = procStatus(child.pid!);
peak = Math.max(peak, end.peak);
const sent = results.reduce((sum, r) => sum + r.requests.total, 0);
const statuses = results.map(
  (r, i) => `${['identity', 'portal', 'ndxp'][i]}: ${r.requests.total} requests, ${r['2xx']} 2xx, ${r.non2xx} non-2xx, ${r.errors} errors`,
);
const third = (from: number, to: number) => {
  const part = samples.filter((s) => s.t >= from * seconds && s.t < to * seconds);
  return part.length ? Math.max(...part.map((s) => s.rss)) : Number.NaN;
};

console.log(`${sent.toLocaleString('en')} requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds).toLocaleString('en')} req/s)`);
for (const line of statuses) console.log(`  ${line}`);
console.log(
  `mocks process RSS: ${(baseline.rss / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB, ${(end.rss / MiB).toFixed(0)} MiB at the end`,
);
console.log(`live heap after GC: ${(baselineHeap / MiB).toFixed(0)} MiB before, ${((await liveHeap()) / MiB).toFixed(0)} MiB at the end`);
console.log(
  `highest RSS by thirds of the run: ${[third(0, 1 / 3), third(1 / 3, 2 / 3), third(2 / 3, 1.01)].map((v) => `${(v / MiB).toFixed(0)} MiB`).join(' / ')}`,
);
for (const line of await storeLines(urls)) console.log(`  ${line}`);
child.kill('SIGTERM');
