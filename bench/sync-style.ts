// k6's synchronous style on the embedded engine, side by side with real k6 in the same run: a plain
// GET loop (`http.get(url)` without await) on one core each (taskset), the target on the other core;
// the same loop in the async style for reference, and what the bundle-time transform costs (once per
// run, and per iteration: the rate difference between the two styles).
// Each is run `rounds` times, interleaved; reported: medians, and the median of the rounds' own
// sync/k6 ratios (the machine is shared and its speed drifts).
// Run: npx tsx bench/sync-style.ts [seconds=6] [vus=64] [rounds=2] [k6=../shared/tools/k6]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleScript } from '../engine/script/bundle.ts';
import { median, startStaticTarget } from './engine-target.ts';

const seconds = Number(process.argv[2] ?? 6);
const vus = Number(process.argv[3] ?? 64);
const rounds = Number(process.argv[4] ?? 2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const k6 = path.resolve(process.argv[5] ?? path.join(root, '..', 'shared', 'tools', 'k6'));
if (!existsSync(k6)) throw new Error(`no k6 at ${k6}: pass its path as the fourth argument`);
const cores = os.availableParallelism();
const engineCore = cores > 1 ? '1' : '0';

const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-bench-sync-'));
const write = (name: string, source: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
};
const syncScript = write('sync-get.js', "import http from 'k6/http';\nexport default function () {\n  http.get(__ENV.TARGET);\n}\n");
const asyncScript = write(
  'async-get.js',
  "import http from 'k6/http';\nexport default async function () {\n  await http.get(__ENV.TARGET);\n}\n",
);

function run(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', engineCore, command, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}\n${stderr.slice(-2000)}`))));
  });
}

/** requests/s from the --summary-export of a run. */
async function rate(engine: 'k6' | 'loadlab', script: string, target: string): Promise<number> {
  const exportFile = path.join(dir, `${engine}-${path.basename(script)}-${Date.now()}.json`);
  const common = [
    '--vus',
    String(vus),
    '--duration',
    `${seconds}s`,
    '-q',
    '--summary-export',
    exportFile,
    '-e',
    `TARGET=${target}`,
    script,
  ];
  if (engine === 'k6') await run(k6, ['run', '--no-usage-report', ...common], { GOMAXPROCS: '1' });
  else
    await run(
      process.execPath,
      ['--import', 'tsx', 'cli/index.ts', 'run', '--workers', '1', '--results-dir', path.join(dir, 'results'), ...common],
      {},
    );
  const summary = JSON.parse(readFileSync(exportFile, 'utf8')) as { metrics: { http_reqs: { rate: number; count: number } } };
  return summary.metrics.http_reqs.rate;
}

const target = await startStaticTarget();
if (cores > 1) spawn('taskset', ['-p', '-c', '0', String(target.process.pid)], { stdio: 'ignore' });
try {
  const load = os.loadavg()[0];
  const k6Rates: number[] = [];
  const syncRates: number[] = [];
  const asyncRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // The order reverses every round (k6, sync, async / async, sync, k6): the sync run always sits
    // between the two it is compared with, so a machine drifting during the bench favours neither.
    const order = round % 2 === 0 ? (['k6', 'sync', 'async'] as const) : (['async', 'sync', 'k6'] as const);
    for (const kind of order) {
      if (kind === 'k6') k6Rates.push(await rate('k6', syncScript, target.url));
      else if (kind === 'sync') syncRates.push(await rate('loadlab', syncScript, target.url));
      else asyncRates.push(await rate('loadlab', asyncScript, target.url));
    }
    process.stderr.write(
      `round ${round + 1}: k6 ${k6Rates[round].toFixed(0)}, engine sync ${syncRates[round].toFixed(0)}, async ${asyncRates[round].toFixed(0)} req/s\n`,
    );
  }
  const bundleMs: number[] = [];
  for (let i = 0; i < 5; i++) bundleMs.push((await bundleScript(syncScript)).transform.ms);
  const scenario = await bundleScript(path.join(root, 'scenarios', 'portal-day.ts'));
  console.log(
    JSON.stringify(
      {
        bench: 'sync-style',
        seconds,
        vus,
        rounds,
        loadAverageBefore: Number(load.toFixed(2)),
        k6: { version: k6, requestsPerSecond: Math.round(median(k6Rates)) },
        engine: { syncRequestsPerSecond: Math.round(median(syncRates)), asyncRequestsPerSecond: Math.round(median(asyncRates)) },
        // The median of the rounds' own ratios: each round's runs are back to back.
        syncVsK6: Number(median(syncRates.map((r, i) => r / k6Rates[i])).toFixed(2)),
        transform: {
          usPerIteration: Number(median(syncRates.map((r, i) => 1e6 / r - 1e6 / asyncRates[i])).toFixed(2)),
          bundleMsPlainGet: Number(Math.min(...bundleMs).toFixed(1)),
          bundleMsPortalDay: Number(scenario.transform.ms.toFixed(1)),
        },
      },
      null,
      2,
    ),
  );
} finally {
  target.close();
}
