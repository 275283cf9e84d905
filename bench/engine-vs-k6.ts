// Plain GET loop on one core, the embedded engine side by side with real k6 in the same run: the same
// script (constant-vus), the same static loopback target (pinned to the other core), each engine pinned
// to core 0 with taskset (k6 also with GOMAXPROCS=1; the engine with --workers 1, its VU thread and
// main thread both on core 0). Each round runs both, back to back, in alternating order; reported:
// requests/s from each run's --summary-export, medians, their ratio, and the median of the rounds'
// own ratios (pairedRatio, the figure least moved by a shared machine's drift). Target: engine ≥ 2× k6.
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

async function runK6(round: number): Promise<number> {
  const file = path.join(dir, `k6-${round}.json`);
  await run(k6, ['run', '--no-usage-report', '-q', '--summary-export', file, '-e', `TARGET=${target.url}/`, script], { GOMAXPROCS: '1' });
  return requestsPerSecond(file);
}

async function runEngine(round: number): Promise<number> {
  const file = path.join(dir, `engine-${round}.json`);
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
      file,
      '-e',
      `TARGET=${target.url}/`,
      script,
    ],
    {},
  );
  return requestsPerSecond(file);
}

const results: { k6: number[]; engine: number[] } = { k6: [], engine: [] };
for (let round = 0; round < rounds; round++) {
  // The order alternates (k6 first, then the engine first), so a machine that drifts faster or
  // slower during the bench does not favour either side of every pair.
  if (round % 2 === 0) {
    results.k6.push(await runK6(round));
    results.engine.push(await runEngine(round));
  } else {
    results.engine.push(await runEngine(round));
    results.k6.push(await runK6(round));
  }
  const pair = results.engine[round] / results.k6[round];
  process.stderr.write(
    `round ${round + 1}: k6 ${results.k6[round].toFixed(0)} req/s, engine ${results.engine[round].toFixed(0)} req/s, ${pair.toFixed(2)}×\n`,
  );
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
    // Each round's two runs are back to back, so their ratio cancels most of the machine's drift.
    pairedRatio: Number(median(results.engine.map((e, i) => e / results.k6[i])).toFixed(2)),
    loadAverage: load,
  }),
);
