// 50,000 VUs each holding its own keep-alive connection (k6's model), as the target servers count
// them: every VU makes one request, then `await sleep(5)`, for 20 s. Targets: ≥ 49,000 concurrent
// server-side connections, ≤ 2 GB peak RSS of the engine, ≥ 90 % of the ideal iterations.
//
// One process can hold only as many sockets as its open-file limit; where the hard limit is below
// 50,000 (20,000 on the development machine, without the privilege to raise it) the VUs are split
// over engine processes of equal size ("parts", each a runTest with --local-ips of its own) and the
// figures summed: RSS as the sum of the parts' peaks. Targets are one server process per loopback
// address, so each holds less than its own limit; they answer from the socket (connection-target.ts,
// `minimal`), because on two cores every cycle a target spends is one the engine does not get.
// Run: npx tsx bench/connections-50k-vus.ts [vus=50000] [seconds=20]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOsLimits } from '../engine/modules/http/os-limits.ts';
import { type ConnectionTarget, startConnectionTarget } from './connection-target.ts';

interface PartResult {
  vus: number;
  exitCode: number;
  iterations: number;
  requests: number;
  failed: number;
  peakRssMB: number;
  errors: Record<string, number>;
}

async function runPart(vus: number, seconds: number, targets: string, localIPs: string): Promise<void> {
  const { runTest } = await import('../engine/index.ts');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-bench-'));
  const script = path.join(dir, 'held.js');
  writeFileSync(
    script,
    `import http from 'k6/http';
import { sleep } from 'k6';
const targets = __ENV.TARGETS.split(',');
export default async function () {
  await http.asyncRequest('GET', targets[__VU % targets.length]);
  await sleep(5);
}
`,
  );
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 100);
  const errors: Record<string, number> = {};
  const result = await runTest({
    script,
    env: { TARGETS: targets },
    optionOverrides: { vus, duration: `${seconds}s`, localIPs },
    workers: 1,
    quiet: true,
    resultsRoot: path.join(dir, 'results'),
    outputs: [
      {
        description: 'error counter',
        async start() {},
        addMetricSamples(containers) {
          for (const c of containers) if (c.tags.error_code) errors[c.tags.error_code] = (errors[c.tags.error_code] ?? 0) + 1;
        },
        async stop() {},
      },
    ],
  });
  clearInterval(sampler);
  const m = result.summary.metrics;
  const out: PartResult = {
    vus,
    exitCode: result.exitCode,
    iterations: m.iterations?.values.count ?? 0,
    requests: m.http_reqs?.values.count ?? 0,
    failed: m.http_req_failed?.values.passes ?? 0,
    peakRssMB: Math.round(peakRss / 2 ** 20),
    errors,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function spawnPart(vus: number, seconds: number, targets: string, localIPs: string): Promise<PartResult> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, 'part', String(vus), String(seconds), targets, localIPs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as PartResult);
      } catch {
        reject(new Error(`part exited with ${code}: ${stdout}`));
      }
    });
  });
}

function readSomaxconn(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim()) || 4096;
  } catch {
    return 4096;
  }
}

if (process.argv[2] === 'part') {
  const [, , , vus, seconds, targets, localIPs] = process.argv;
  await runPart(Number(vus), Number(seconds), targets, localIPs);
} else {
  const vus = Number(process.argv[2] ?? 50_000);
  const seconds = Number(process.argv[3] ?? 20);
  const limits = readOsLimits();
  const perProcess = Math.max(1000, Math.min(vus, (limits.openFiles?.hard ?? 1_000_000) - 2_000));
  const partCount = Math.ceil(vus / perProcess);
  // Servers, one per loopback address 127.0.0.1, .2, ...: each holds no more VUs than its accept queue
  // (net.core.somaxconn) can take at once. All VUs connect in the first moment, as k6's do; connections
  // beyond a listener's queue are dropped by the kernel and retried by the client a second or more later,
  // which would measure the target's listen queue, not the engine.
  const acceptQueue = readSomaxconn();
  const serverCount = Math.max(1, Math.ceil(vus / Math.max(1000, acceptQueue - 96)));
  const targets: ConnectionTarget[] = [];
  for (let i = 0; i < serverCount; i++) targets.push(await startConnectionTarget(`127.0.0.${i + 1}`, undefined, 'minimal'));
  let maxOpen = 0;
  const watcher = setInterval(() => {
    maxOpen = Math.max(
      maxOpen,
      targets.reduce((n, t) => n + t.stats.open, 0),
    );
  }, 250);
  const targetList = targets.map((t) => t.url).join(',');
  const started = Date.now();
  const parts = await Promise.all(
    Array.from({ length: partCount }, (_, i) => {
      const share = Math.floor(vus / partCount) + (i < vus % partCount ? 1 : 0);
      // Each part sends from its own source addresses: ports are per source/destination pair.
      const first = 10 + i * 20;
      return spawnPart(share, seconds, targetList, `127.0.${first}.1-127.0.${first + 19}.254`);
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearInterval(watcher);
  for (const t of targets) t.close();
  const iterations = parts.reduce((n, p) => n + p.iterations, 0);
  const ideal = vus * Math.ceil(seconds / 5);
  const peakRssMB = parts.reduce((n, p) => n + p.peakRssMB, 0);
  console.log(
    JSON.stringify({
      bench: 'connections-50k-vus',
      vus,
      seconds,
      wallSeconds: Math.round((Date.now() - started) / 1000),
      openFileLimit: limits.openFiles,
      engineProcesses: partCount,
      targetProcesses: serverCount,
      serverConcurrentConnectionsMax: maxOpen,
      serverAccepted: targets.reduce((n, t) => n + t.stats.accepted, 0),
      iterations,
      ideal,
      iterationRatio: Number((iterations / ideal).toFixed(3)),
      requests: parts.reduce((n, p) => n + p.requests, 0),
      failedRequests: parts.reduce((n, p) => n + p.failed, 0),
      errors: parts.map((p) => p.errors),
      peakRssMBSumOfParts: peakRssMB,
      peakRssMBPerPart: parts.map((p) => p.peakRssMB),
      ok: maxOpen >= 0.98 * vus && peakRssMB <= 2048 && iterations >= 0.9 * ideal,
    }),
  );
}
