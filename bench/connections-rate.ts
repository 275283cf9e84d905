// New connections per second and TLS handshakes per second, the engine and real k6 side by side in
// one run: `noConnectionReuse` makes every request open (and for HTTPS, handshake) a connection of
// its own, against the same target process; the target counts what it accepted. The CA of the
// HTTPS target (made with Debian's openssl) is trusted through SSL_CERT_FILE on both engines.
// Run: npx tsx bench/connections-rate.ts [seconds=8] [vus=20] [k6=../shared/tools/k6]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTest } from '../engine/index.ts';
import { loadTls } from '../mocks/tls.ts';
import { startConnectionTarget } from './connection-target.ts';

const seconds = Number(process.argv[2] ?? 8);
const vus = Number(process.argv[3] ?? 20);
const k6 = process.argv[4] ?? path.resolve(import.meta.dirname, '../../shared/tools/k6');
const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-bench-'));
const file = (name: string) => path.join(dir, name);

const script = file('connect.js');
writeFileSync(
  script,
  `import http from 'k6/http';
export const options = { vus: ${vus}, duration: '${seconds}s', noConnectionReuse: true };
export default async function () { await http.asyncRequest('GET', __ENV.TARGET); }
`,
);

interface Measured {
  engine: string;
  requestsPerSecond: number;
  acceptedPerSecond: number;
  handshakesPerSecond: number;
  failed: number;
}

async function onEngine(target: string, accepted: () => { accepted: number; handshakes: number }): Promise<Measured> {
  const before = accepted();
  const started = performance.now();
  const result = await runTest({ script, env: { TARGET: target }, workers: 1, quiet: true, resultsRoot: file('results') });
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = accepted();
  const m = result.summary.metrics;
  return {
    engine: 'embedded (1 worker)',
    requestsPerSecond: Math.round(m.http_reqs?.values.rate ?? 0),
    acceptedPerSecond: Math.round((after.accepted - before.accepted) / elapsed),
    handshakesPerSecond: Math.round((after.handshakes - before.handshakes) / elapsed),
    failed: m.http_req_failed?.values.passes ?? 0,
  };
}

async function onK6(target: string, accepted: () => { accepted: number; handshakes: number }): Promise<Measured | null> {
  if (!existsSync(k6)) return null;
  const before = accepted();
  const started = performance.now();
  const summary = file('k6-summary.json');
  spawnSync(
    k6,
    ['run', '--no-usage-report', '--address', '127.0.0.1:0', '-q', '-e', `TARGET=${target}`, '--summary-export', summary, script],
    { env: { ...process.env, SSL_CERT_FILE: material.caFile }, stdio: 'ignore' },
  );
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = accepted();
  const m = JSON.parse(readFileSync(summary, 'utf8')).metrics;
  return {
    engine: 'k6',
    requestsPerSecond: Math.round(m.http_reqs?.rate ?? 0),
    acceptedPerSecond: Math.round((after.accepted - before.accepted) / elapsed),
    handshakesPerSecond: Math.round((after.handshakes - before.handshakes) / elapsed),
    failed: m.http_req_failed?.passes ?? 0,
  };
}

// The mocks' own local CA and server certificate (mocks/tls.ts), generated in this run's folder.
const material = await loadTls({ dir: file('tls') });
process.env.SSL_CERT_FILE = material.caFile;
const rows: (Measured & { protocol: string })[] = [];
for (const tls of [false, true]) {
  const target = await startConnectionTarget('127.0.0.1', tls ? { cert: material.certFile, key: material.keyFile } : undefined);
  const counts = () => ({ accepted: target.stats.accepted, handshakes: target.stats.handshakes });
  for (const run of [onK6, onEngine]) {
    const measured = await run(target.url, counts);
    if (measured) rows.push({ protocol: tls ? 'https' : 'http', ...measured });
  }
  target.close();
}
console.log(
  JSON.stringify(
    {
      bench: 'connections-rate',
      seconds,
      vus,
      cores: os.availableParallelism(),
      load: os.loadavg().map((l) => Number(l.toFixed(1))),
      rows,
    },
    null,
    1,
  ),
);
