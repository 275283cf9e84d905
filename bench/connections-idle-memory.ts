// Memory per idle VU, its socket included: N VUs each make one request and then sleep, holding their
// keep-alive connection (the target counts them); once all N are connected and a GC has run, the
// engine process's RSS and heap are read. Two sizes in separate processes give the cost per VU as
// the slope, without the engine's fixed cost.
// Run: npx tsx bench/connections-idle-memory.ts [small=1000] [large=8000]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConnectionTarget } from './connection-target.ts';

interface Measured {
  vus: number;
  rssMB: number;
  heapMB: number;
  serverOpen: number;
}

async function measure(vus: number, target: string): Promise<void> {
  const { runTest } = await import('../engine/index.ts');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-bench-'));
  const script = path.join(dir, 'idle.js');
  writeFileSync(
    script,
    `import http from 'k6/http';
import { sleep } from 'k6';
export default async function () {
  await http.asyncRequest('GET', __ENV.TARGET);
  await sleep(600);
}
`,
  );
  const abort = new AbortController();
  let requests = 0;
  const run = runTest({
    script,
    env: { TARGET: target },
    optionOverrides: { vus, duration: '10m' },
    workers: 1,
    quiet: true,
    signal: abort.signal,
    resultsRoot: path.join(dir, 'results'),
    outputs: [
      {
        description: 'first-wave counter',
        async start() {},
        addMetricSamples(containers) {
          for (const c of containers) if (c.samples[0]?.metric.name === 'http_reqs') requests++;
        },
        async stop() {},
      },
    ],
  });
  while (requests < vus) await new Promise((resolve) => setTimeout(resolve, 200));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  const measured: Measured = { vus, rssMB: usage.rss / 2 ** 20, heapMB: usage.heapUsed / 2 ** 20, serverOpen: 0 };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
  // The VUs sleep on; the measurement is taken, the process ends without waiting for the run.
  abort.abort();
  void run;
  process.exit(0);
}

function inChild(vus: number, target: string): Promise<Measured> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), 'measure', String(vus), target],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve, reject) =>
    child.on('exit', () => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Measured);
      } catch {
        reject(new Error(`measurement failed: ${stdout}`));
      }
    }),
  );
}

if (process.argv[2] === 'measure') {
  await measure(Number(process.argv[3]), process.argv[4]);
} else {
  const small = Number(process.argv[2] ?? 1000);
  const large = Number(process.argv[3] ?? 8000);
  const results: Measured[] = [];
  for (const vus of [small, large]) {
    const target = await startConnectionTarget();
    const m = await inChild(vus, target.url);
    m.serverOpen = target.stats.maxOpen;
    target.close();
    results.push(m);
  }
  const [a, b] = results;
  console.log(
    JSON.stringify({
      bench: 'connections-idle-memory',
      runs: results.map((r) => ({ vus: r.vus, serverConnections: r.serverOpen, rssMB: Math.round(r.rssMB), heapMB: Math.round(r.heapMB) })),
      rssKBPerIdleVU: Math.round(((b.rssMB - a.rssMB) * 1024) / (b.vus - a.vus)),
      heapKBPerIdleVU: Number((((b.heapMB - a.heapMB) * 1024) / (b.vus - a.vus)).toFixed(1)),
    }),
  );
}
