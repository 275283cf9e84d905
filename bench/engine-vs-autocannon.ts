// Plain GET loop, one worker (the main thread), against a static loopback target in another
// process, side by side with autocannon on the same target in the same run, alternating, 3 rounds.
// Target: the engine reaches ≥ 0.6× autocannon's requests/s. Also reported: the process's CPU time
// per engine request (user + system, all of this process's threads, during the engine's rounds),
// which is steadier than req/s on a shared machine: the goal is ≤ ~35 µs.
// Run: npx tsx bench/engine-vs-autocannon.ts [seconds=8] [connections=50]
// TARGET_URL=http://127.0.0.1:PORT/ uses a target you started (e.g. nginx) instead of the Node one.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { runTest } from '../engine/index.ts';
import { isLoopbackHost } from '../engine/loopback.ts';
import { median, startStaticTarget } from './engine-target.ts';

const seconds = Number(process.argv[2] ?? 8);
const connections = Number(process.argv[3] ?? 50);
const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-bench-'));
const script = path.join(dir, 'get-loop.ts');
writeFileSync(
  script,
  `import http from 'k6/http';
export default async function () { await http.get(__ENV.TARGET); }
`,
);

const target = process.env.TARGET_URL ? loopbackTarget(process.env.TARGET_URL) : await startStaticTarget();

function loopbackTarget(url: string): { url: string; close(): void } {
  if (!isLoopbackHost(new URL(url).hostname)) throw new Error(`TARGET_URL must be a loopback address, not ${url}`);
  return { url, close() {} };
}

async function autocannonRate(): Promise<number> {
  const result = await autocannon({ url: target.url, connections, pipelining: 1, duration: seconds });
  return result.requests.total / seconds;
}

const engineCpuMicros: number[] = [];

async function engineRate(): Promise<number> {
  const cpuBefore = process.cpuUsage();
  const result = await runTest({
    script,
    env: { TARGET: target.url },
    optionOverrides: { vus: connections, duration: `${seconds}s` },
    workers: 1,
    quiet: true,
    resultsRoot: path.join(dir, 'results'),
  });
  const cpu = process.cpuUsage(cpuBefore);
  const values = result.summary.metrics.http_reqs.values;
  if (result.summary.metrics.http_req_failed.values.rate > 0) throw new Error('requests failed during the benchmark');
  engineCpuMicros.push((cpu.user + cpu.system) / values.count);
  return values.rate;
}

const ac: number[] = [];
const engine: number[] = [];
for (let round = 1; round <= 3; round++) {
  ac.push(await autocannonRate());
  engine.push(await engineRate());
  console.log(
    `round ${round}: autocannon ${ac.at(-1)!.toFixed(0)} req/s, engine ${engine.at(-1)!.toFixed(0)} req/s (${engineCpuMicros.at(-1)!.toFixed(1)} µs CPU per request)`,
  );
}
target.close();
const ratio = median(engine) / median(ac);
console.log(
  JSON.stringify({
    bench: 'engine-vs-autocannon',
    seconds,
    connections,
    autocannonMedian: Math.round(median(ac)),
    engineMedian: Math.round(median(engine)),
    ratio: Number(ratio.toFixed(3)),
    target: 0.6,
    ok: ratio >= 0.6,
    engineCpuMicrosPerRequestMedian: Number(median(engineCpuMicros).toFixed(1)),
  }),
);
