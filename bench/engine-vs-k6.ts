// Plain GET loop on one core, the embedded engine side by side with real k6 in the same run: the same
// script (constant-vus), the same static loopback target (pinned to the other core), each engine pinned
// to core 0 with taskset (k6 also with GOMAXPROCS=1; the engine with --workers 1, its VU thread and
// main thread both on core 0). Rounds alternate k6, engine, k6, engine …; reported: requests/s from
// each run's --summary-export, medians, and the ratio. Target: engine ≥ 2× k6.
// Run: npx tsx bench/engine-vs-k6.ts [seconds=8] [vus=20] [rounds=2]   (k6: LOADLAB_K6, else ../shared/tools/k6)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, startStaticTarget } from './engine-target.ts';

const seconds = Number(process.argv[2] ?? 8);
const vus = Number(process.argv[3] ?? 20);
const rounds = Number(process.argv[4] ?? 2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const k6 = process.env.LOADLAB_K6 ?? path.join(root, '..', 'shared', 'tools', 'k6');
if (!existsSync(k6)) throw new Error(`no k6 at ${k6}: set LOADLAB_K6`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-bench-k6-'));
const script = path.join(dir, 'get-loop.js');
writeFileSync(
  script,
  `import http from 'k6/http';
export const options = { scenarios: { get: { executor: 'constant-vus', vus: ${vus}, duration: '${seconds}s' } } };
export default function () { http.get(__ENV.TARGET); }
`,
);

const target = await startStaticTarget();
// The target gets the other core, so that it does not compete with the engine under test.
if (target.process.pid) spawn('taskset', ['-cp', '1', String(target.process.pid)], { stdio: 'ignore' });

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '0', command, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function requestsPerSecond(file: string): number {
  const data = JSON.parse(readFileSync(file, 'utf8')) as { metrics: Record<string, Record<string, number>> };
  return data.metrics.http_reqs.rate;
}

const results: { k6: number[]; engine: number[] } = { k6: [], engine: [] };
for (let round = 0; round < rounds; round++) {
  const k6File = path.join(dir, `k6-${round}.json`);
  await run(k6, ['run', '--no-usage-report', '-q', '--summary-export', k6File, '-e', `TARGET=${target.url}/`, script], { GOMAXPROCS: '1' });
  results.k6.push(requestsPerSecond(k6File));
  const engineFile = path.join(dir, `engine-${round}.json`);
  await run(
    process.execPath,
    [
      path.join(root, 'cli', 'loadlab.js'),
      'run',
      '-q',
      '--workers',
      '1',
      '--results-dir',
      dir,
      '--summary-export',
      engineFile,
      '-e',
      `TARGET=${target.url}/`,
      script,
    ],
    {},
  );
  results.engine.push(requestsPerSecond(engineFile));
  process.stderr.write(`round ${round + 1}: k6 ${results.k6[round].toFixed(0)} req/s, engine ${results.engine[round].toFixed(0)} req/s\n`);
}
target.close();
const k6Median = median(results.k6);
const engineMedian = median(results.engine);
const load = os.loadavg()[0].toFixed(1);
console.log(
  JSON.stringify({
    seconds,
    vus,
    rounds,
    k6: results.k6.map(Math.round),
    engine: results.engine.map(Math.round),
    k6Median: Math.round(k6Median),
    engineMedian: Math.round(engineMedian),
    ratio: Number((engineMedian / k6Median).toFixed(2)),
    loadAverage: load,
  }),
);
