// 50,000 concurrent VUs, each doing one request then `await sleep(5)`, for a bounded duration on
// loopback, one worker. Targets: peak RSS ≤ 2 GB and ≥ 90 % of the ideal iteration count. Also
// reports how long it takes until every VU has made its first request.
// Run: npx tsx bench/engine-50k-vus.ts [vus=50000] [seconds=20] [async|sync]
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTest } from '../engine/index.ts';
import type { Output, SampleContainer } from '../engine/metrics/types.ts';
import { startStaticTarget } from './engine-target.ts';

const vus = Number(process.argv[2] ?? 50_000);
const seconds = Number(process.argv[3] ?? 20);
const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-bench-'));
const script = path.join(dir, 'sleepy.ts');
// `sync`: the same in k6's synchronous style (`http.get(url); sleep(5)`), made async by the bundle-time transform.
const style = process.argv[4] === 'sync' ? 'sync' : 'async';
writeFileSync(
  script,
  style === 'sync'
    ? `import http from 'k6/http';
import { sleep } from 'k6';
export default function () {
  http.get(__ENV.TARGET);
  sleep(5);
}
`
    : `import http from 'k6/http';
import { sleep } from 'k6';
export default async function () {
  await http.get(__ENV.TARGET);
  await sleep(5);
}
`,
);

const target = await startStaticTarget();
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);

// Time until all VUs made their first request: the vus-th http_reqs sample of the run.
const started = Date.now();
let requests = 0;
let firstRequestAfterMs = 0;
let allStartedAfterMs = 0;
const firstWave: Output = {
  description: 'first-wave timer',
  async start() {},
  addMetricSamples(containers: readonly SampleContainer[]) {
    for (const c of containers) {
      if (c.samples[0]?.metric.name !== 'http_reqs') continue;
      requests++;
      if (requests === 1) firstRequestAfterMs = c.time - started;
      if (requests === vus) allStartedAfterMs = c.time - started;
    }
  },
  async stop() {},
};

const result = await runTest({
  script,
  env: { TARGET: target.url },
  optionOverrides: { vus, duration: `${seconds}s` },
  workers: 1,
  quiet: true,
  outputs: [firstWave],
  resultsRoot: path.join(dir, 'results'),
});
clearInterval(sampler);
target.close();

const m = result.summary.metrics;
const iterations = m.iterations?.values.count ?? 0;
// Each VU starts an iteration every ~5 s: at 0, 5, 10, ... < duration; iterations started before
// the end finish within gracefulStop and count. This is fair, not lenient: a VU whose first
// request comes late, or whose requests queue, drifts, and once its first start plus its
// accumulated request times exceed the slack after its last start (duration − 15 s at 20 s), it
// loses its last iteration. So the ratio measures the cost of a slow first wave (VU start-up,
// connection set-up, 50,000 requests queued on the origin's connections) and of slow waves after
// it; an engine that serves each wave of 50,000 requests well within 5 s reaches 1.0.
const ideal = vus * Math.ceil(seconds / 5);
console.log(
  JSON.stringify({
    bench: 'engine-50k-vus',
    style,
    vus,
    seconds,
    exitCode: result.exitCode,
    iterations,
    ideal,
    iterationRatio: Number((iterations / ideal).toFixed(3)),
    failedRate: m.http_req_failed?.values.rate,
    p95Ms: m.http_req_duration?.values['p(95)'],
    firstRequestAfterMs,
    allVUsStartedAfterMs: allStartedAfterMs,
    peakRssMB: Math.round(peakRss / 2 ** 20),
    ok: peakRss <= 2 * 2 ** 30 && iterations >= 0.9 * ideal,
  }),
);
