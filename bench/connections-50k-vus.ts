// 50,000 VUs each holding its own keep-alive connection (k6's model), as the target servers count
// them: every VU makes one request, then `await sleep(5)`, for 30 s. Targets: ≥ 49,000 concurrent
// server-side connections, ≤ 2 GB peak RSS of the engine, ≥ 90 % of the ideal iterations.
//
// The engine runs as users run it: `loadlab run` processes (cli/loadlab.js, one worker thread each).
// One process can hold only as many sockets as its open-file limit; where the hard limit is below
// 50,000 (20,000 on the development machine, without the privilege to raise it) the VUs are split
// over processes of equal size ("parts", each with --local-ips of its own) and the figures summed.
// Peak RSS is the kernel's own high-water mark of each process (VmHWM); the sum of those is
// reported, and the peak of the parts' RSS summed at the same instant beside it. Each part also
// reports how many seconds it took until every one of its VUs had had its first response: the first
// wave is what costs iterations, since a VU answered after about 5 s cannot start its sixth in time.
// The target is nginx (Debian's nginx-light) on several loopback addresses when it is installed: on
// two cores every cycle a target spends is one the engine does not get, and nginx spends a few
// microseconds per request. Without nginx, Node servers answering from the socket
// (connection-target.ts, `minimal`) are used, one process per address, and the run says so.
// Run: npx tsx bench/connections-50k-vus.ts [vus=50000] [seconds=30]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOsLimits } from '../engine/modules/http/os-limits.ts';
import { readJsonLines, type TimeseriesLine } from '../reports/run-folder.ts';
import { startConnectionTarget } from './connection-target.ts';
import { findNginx, startNginxTarget } from './nginx-target.ts';

const CLI = fileURLToPath(new URL('../cli/loadlab.js', import.meta.url));

interface PartResult {
  vus: number;
  exitCode: number | null;
  iterations: number;
  requests: number;
  failed: number;
  peakRssMB: number;
  /** Seconds from the part's first request until each of its VUs had its first response (see firstResponsesSeconds). */
  firstResponsesSeconds: number | null;
}

/**
 * From a run's per-second series: the second (counted from the first second with a request) in
 * which the requests made so far reached one per VU. A VU whose first response comes more than
 * about 5 s after the start cannot begin its sixth iteration within the 30 s. Past 5 s the figure is
 * a lower bound: the first VUs' second requests are counted too.
 */
function firstResponsesSeconds(resultsDir: string, vus: number): number | null {
  const run = existsSync(resultsDir) ? readdirSync(resultsDir)[0] : undefined;
  if (!run) return null;
  const perSecond = new Map<number, number>();
  for (const line of readJsonLines<TimeseriesLine>(path.join(resultsDir, run, 'timeseries.jsonl'))) {
    if (line.metric === 'http_reqs') perSecond.set(line.t, (perSecond.get(line.t) ?? 0) + line.values.count);
  }
  const seconds = [...perSecond.keys()].sort((a, b) => a - b);
  let requests = 0;
  for (const second of seconds) {
    requests += perSecond.get(second) ?? 0;
    if (requests >= vus) return second - seconds[0] + 1;
  }
  return null;
}

/** A `loadlab run` of `vus` VUs, its RSS read from /proc every 100 ms. */
function runPart(
  dir: string,
  index: number,
  vus: number,
  seconds: number,
  targets: string,
  localIPs: string,
  onRss: (index: number, bytes: number) => void,
): Promise<PartResult> {
  const summaryFile = path.join(dir, `summary-${index}.json`);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'run',
      '--workers',
      '1',
      '--quiet',
      '--summary-export',
      summaryFile,
      '--results-dir',
      path.join(dir, `results-${index}`),
      '--local-ips',
      localIPs,
      '--vus',
      String(vus),
      '--duration',
      `${seconds}s`,
      '--env',
      `TARGETS=${targets}`,
      path.join(dir, 'held.js'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let peakKB = 0;
  const status = `/proc/${child.pid}/status`;
  const sampler = setInterval(() => {
    try {
      const text = readFileSync(status, 'utf8');
      peakKB = Math.max(peakKB, Number(/VmHWM:\s*(\d+)/.exec(text)?.[1] ?? 0));
      onRss(index, Number(/VmRSS:\s*(\d+)/.exec(text)?.[1] ?? 0) * 1024);
    } catch {
      // The process has just exited.
    }
  }, 100);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => {
      clearInterval(sampler);
      onRss(index, 0);
      try {
        const metrics = JSON.parse(readFileSync(summaryFile, 'utf8')).metrics;
        resolve({
          vus,
          exitCode,
          iterations: metrics.iterations?.count ?? 0,
          requests: metrics.http_reqs?.count ?? 0,
          failed: metrics.http_req_failed?.passes ?? 0,
          peakRssMB: Math.round(peakKB / 1024),
          firstResponsesSeconds: firstResponsesSeconds(path.join(dir, `results-${index}`), vus),
        });
      } catch (error) {
        reject(new Error(`part ${index + 1} exited with ${exitCode} and no summary: ${(error as Error).message}`));
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

interface Target {
  urls: string[];
  description: string;
  processes: number;
  /** Connections the servers hold now and have accepted, by their own count (the most at once is tracked here). */
  connections(): { open: number; accepted: number };
  close(): void;
}

/** nginx where installed, else one minimal Node server per address. */
async function startTargets(hosts: string[], vus: number, fileLimit: number): Promise<Target> {
  const nginx = findNginx();
  if (nginx) {
    const workers = Math.ceil(vus / (fileLimit - 2_000)) + 1;
    // reuseport spreads connections over the workers by a hash, not evenly: room for a third more.
    const perWorker = Math.min(fileLimit - 1_000, Math.ceil((vus / workers) * 1.3));
    const target = await startNginxTarget(nginx, hosts, workers, perWorker);
    return { urls: target.urls, description: nginx, processes: workers, connections: () => target.stats, close: target.close };
  }
  console.error('nginx not found (apt-get install -y nginx-light): the targets are Node servers, which take CPU from the engine');
  const servers = await Promise.all(hosts.map((host) => startConnectionTarget(host, undefined, 'minimal')));
  return {
    urls: servers.map((server) => server.url),
    description: 'node (connection-target.ts, minimal)',
    processes: servers.length,
    connections: () => ({
      open: servers.reduce((n, server) => n + server.stats.open, 0),
      accepted: servers.reduce((n, server) => n + server.stats.accepted, 0),
    }),
    close: () => {
      for (const server of servers) server.close();
    },
  };
}

const vus = Number(process.argv[2] ?? 50_000);
const seconds = Number(process.argv[3] ?? 30);
const limits = readOsLimits();
const fileLimit = limits.openFiles?.hard ?? 1_000_000;
const perProcess = Math.max(1000, Math.min(vus, fileLimit - 2_000));
const partCount = Math.ceil(vus / perProcess);
// Listening addresses 127.0.0.1, .2, ...: enough that the accept queues (net.core.somaxconn each) take
// every VU's connection at once. All VUs connect in the first moment, as k6's do; connections beyond a
// listener's queue are dropped by the kernel and retried by the client a second or more later, which
// would measure the target's listen queue, not the engine.
const hosts = Array.from({ length: Math.max(1, Math.ceil(vus / Math.max(1000, readSomaxconn() - 96))) }, (_, i) => `127.0.0.${i + 1}`);
const target = await startTargets(hosts, vus, fileLimit);
const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-bench-'));
writeFileSync(
  path.join(dir, 'held.js'),
  `import http from 'k6/http';
import { sleep } from 'k6';
const targets = __ENV.TARGETS.split(',');
export default async function () {
  await http.asyncRequest('GET', targets[__VU % targets.length]);
  await sleep(5);
}
`,
);
let maxOpen = 0;
const watcher = setInterval(() => {
  maxOpen = Math.max(maxOpen, target.connections().open);
}, 250);
const rssNow: number[] = Array(partCount).fill(0);
let peakRssSum = 0;
const onRss = (index: number, bytes: number) => {
  rssNow[index] = bytes;
  peakRssSum = Math.max(
    peakRssSum,
    rssNow.reduce((n, b) => n + b, 0),
  );
};
// The CLI bundles itself on first use: once here, not by three parts at the same moment.
await new Promise((resolve) => spawn(process.execPath, [CLI, '--version'], { stdio: 'ignore' }).once('exit', resolve));
const started = Date.now();
const parts = await Promise.all(
  Array.from({ length: partCount }, (_, i) => {
    const share = Math.floor(vus / partCount) + (i < vus % partCount ? 1 : 0);
    // Each part sends from its own source addresses: ports are per source/destination pair.
    const first = 10 + i * 20;
    return runPart(dir, i, share, seconds, target.urls.join(','), `127.0.${first}.1-127.0.${first + 19}.254`, onRss);
  }),
);
await new Promise((resolve) => setTimeout(resolve, 300));
clearInterval(watcher);
const serverAccepted = target.connections().accepted;
target.close();
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
    target: target.description,
    targetProcesses: target.processes,
    listeningAddresses: hosts.length,
    serverConcurrentConnectionsMax: maxOpen,
    serverAccepted,
    iterations,
    ideal,
    iterationRatio: Number((iterations / ideal).toFixed(3)),
    requests: parts.reduce((n, p) => n + p.requests, 0),
    failedRequests: parts.reduce((n, p) => n + p.failed, 0),
    exitCodes: parts.map((p) => p.exitCode),
    peakRssMBSumOfParts: peakRssMB,
    peakRssMBPerPart: parts.map((p) => p.peakRssMB),
    peakRssMBAtOnce: Math.round(peakRssSum / 2 ** 20),
    firstResponsesSecondsPerPart: parts.map((p) => p.firstResponsesSeconds),
    ok: maxOpen >= 0.98 * vus && peakRssMB <= 2048 && iterations >= 0.9 * ideal,
  }),
);
