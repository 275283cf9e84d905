// Engine overhead without the network: µs per iteration of an empty default function (iteration
// scheduling, the iteration samples, their aggregation and the results folder), and memory per
// idle VU (VUs sleeping in `await sleep()`), one worker.
// Run: node --expose-gc --import tsx bench/engine-overhead.ts [iterations=500000] [idleVUs=20000]
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTest } from '../engine/index.ts';
import { median } from './engine-target.ts';

const iterations = Number(process.argv[2] ?? 500_000);
const idleVUs = Number(process.argv[3] ?? 20_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-bench-'));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const write = (name: string, source: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
};
const empty = write('empty.ts', 'export default function () {}\n');
const asyncEmpty = write('async-empty.ts', 'export default async function () {}\n');
const idle = write('idle.ts', "import { sleep } from 'k6';\nexport default async function () { await sleep(60); }\n");

async function perIterationMicros(script: string, vus: number): Promise<number> {
  const started = performance.now();
  const result = await runTest({
    script,
    optionOverrides: { vus, iterations },
    workers: 1,
    quiet: true,
    resultsRoot: path.join(dir, 'results'),
  });
  const elapsed = performance.now() - started;
  if (result.summary.metrics.iterations.values.count !== iterations) throw new Error('iteration count mismatch');
  return (elapsed * 1000) / iterations;
}

const sync1: number[] = [];
const async10: number[] = [];
for (let round = 0; round < 3; round++) {
  sync1.push(await perIterationMicros(empty, 1));
  async10.push(await perIterationMicros(asyncEmpty, 10));
}

// Idle VUs: heap and RSS growth while idleVUs sleep, sampled after they all started.
gc();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage.rss();
let heapPeak = 0;
let rssPeak = 0;
const sampler = setInterval(() => {
  gc();
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
}, 250);
const controller = new AbortController();
setTimeout(() => controller.abort(), 4000);
await runTest({
  script: idle,
  optionOverrides: { vus: idleVUs, duration: '30s' },
  workers: 1,
  quiet: true,
  signal: controller.signal,
  resultsRoot: path.join(dir, 'results'),
});
clearInterval(sampler);

console.log(
  JSON.stringify({
    bench: 'engine-overhead',
    iterations,
    usPerIterationSync1VU: Number(median(sync1).toFixed(2)),
    usPerIterationAsync10VUs: Number(median(async10).toFixed(2)),
    idleVUs,
    heapBytesPerIdleVU: Math.round((heapPeak - heapBefore) / idleVUs),
    rssBytesPerIdleVU: Math.round((rssPeak - rssBefore) / idleVUs),
  }),
);
