// The run's lifecycle and the script surface: exit codes, setup → teardown, handleSummary, VU
// state isolation, SharedArray, clear errors for unsupported use, a target dying mid-run.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, whenRequests, startTarget, type Target, writeFile, writeScript } from './helpers.ts';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());

describe('exit codes', () => {
  it('exits 99 when a threshold is crossed, and marks it in the summary', async () => {
    const script = writeScript(`
import http from 'k6/http';
export const options = { iterations: 5, thresholds: { http_req_failed: ['rate<0.1'], 'http_reqs{status:500}': ['count<1'] } };
export default async function () { await http.get(__ENV.TARGET + '/status/500'); }
`);
    const result = await run(script, { env: { TARGET: target.url } });
    expect(result.exitCode).toBe(99);
    expect(result.summary.metrics.http_req_failed.thresholds).toEqual({ 'rate<0.1': { ok: false } });
    expect(result.stderr).toContain('http_req_failed');
    const noThresholds = await run(script, { env: { TARGET: target.url }, noThresholds: true });
    expect(noThresholds.exitCode).toBe(0);
  });

  it('exits 107 on an exception in the init context, with the TypeScript line', async () => {
    const script = writeScript(`interface Config { base: string }
const config: Config = { base: 'x' };
function load(): never {
  throw new Error('cannot load ' + config.base);
}
load();
export default function () {}
`);
    const result = await run(script);
    expect(result.exitCode).toBe(107);
    expect(result.stderr).toContain('cannot load x');
    expect(result.stderr).toContain(`${path.basename(script)}:4:9`);
  });

  it('logs exceptions in iterations with the TypeScript line and goes on (as k6)', async () => {
    const script = writeScript(`type N = number;
export const options = { iterations: 3 };
export default function () {
  const n: N = 1;
  if (n === 1) throw new Error('boom in iteration');
}
`);
    const result = await run(script);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('boom in iteration');
    expect(result.stderr).toContain(`${path.basename(script)}:5:`);
    expect(result.summary.metrics.iterations.values.count).toBe(3);
  });

  it('exits 108 when the script calls exec.test.abort(), after teardown', async () => {
    const script = writeScript(`
import exec from 'k6/execution';
import { sleep } from 'k6';
export const options = { vus: 2, duration: '10s' };
export default async function () {
  if (exec.scenario.iterationInTest === 3) exec.test.abort('enough');
  await sleep(0.05);
}
export function teardown() { console.log('teardown ran'); }
`);
    const started = Date.now();
    const result = await run(script);
    expect(result.exitCode).toBe(108);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.stderr).toContain('test aborted: enough');
    expect(result.stderr).toContain('teardown ran');
  });

  it('exits 104 on invalid options, naming the problem', async () => {
    const script = writeScript(`
export const options = { scenarios: { bad: { executor: 'constant-arrival-rate', rate: 10, duration: 'soon' }, worse: { executor: 'teleport' } } };
export default function () {}
`);
    const result = await run(script);
    expect(result.exitCode).toBe(104);
    expect(result.stderr).toContain('scenario "bad": executor constant-arrival-rate requires "preAllocatedVUs"');
    expect(result.stderr).toContain('scenario "bad": duration: invalid duration "soon"');
    expect(result.stderr).toContain('unknown executor "teleport"');
    const badThreshold = writeScript(
      `export const options = { thresholds: { http_req_duration: ['p(95) < fast'] } };\nexport default function () {}`,
    );
    expect((await run(badThreshold)).exitCode).toBe(104);
  });

  it('exits 105 on abort (Ctrl-C) and still writes partial results, teardown and summary', async () => {
    const script = writeScript(`
import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 5, duration: '30s' };
export default async function () { await http.get(__ENV.TARGET + '/'); await sleep(0.02); }
export function teardown() { console.log('teardown after interrupt'); }
`);
    const controller = new AbortController();
    const before = target.requests;
    // Interrupt once the VUs are sending, however long the worker threads take to start.
    void whenRequests(target, before + 30).then(() => controller.abort());
    const result = await run(script, { env: { TARGET: target.url }, signal: controller.signal, runId: 'interrupted-run' });
    expect(result.exitCode).toBe(105);
    expect(result.summary.state.testRunDurationMs).toBeLessThan(15_000);
    expect(result.stderr).toContain('teardown after interrupt');
    // quiet: the run was interrupted on purpose, so no lifecycle warning (the script's output stays).
    expect(result.stderr).not.toContain('stopping the test');
    expect(result.summary.metrics.http_reqs.values.count).toBeGreaterThan(20);
    const summary = JSON.parse(readFileSync(path.join(result.runDir, 'summary.json'), 'utf8'));
    expect(summary.metrics.http_reqs.values.count).toBe(result.summary.metrics.http_reqs.values.count);
    const meta = JSON.parse(readFileSync(path.join(result.runDir, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ exitCode: 105, interrupted: true, engine: 'embedded', runId: 'interrupted-run' });
    expect(existsSync(path.join(result.runDir, 'timeseries.jsonl'))).toBe(true);
  });
});

describe('lifecycle and data', () => {
  it('passes setup data to VUs and teardown, and handleSummary gets k6 data shape', async () => {
    const out = writeFile('summary-out.json', '');
    const script = writeScript(`
import http from 'k6/http';
import { check, group } from 'k6';
export const options = { iterations: 4, thresholds: { checks: ['rate==1'] } };
export async function setup() {
  const res = await http.get(__ENV.TARGET + '/json');
  return { name: res.json('user.name'), roles: res.json('user.roles') };
}
export default async function (data: { name: string; roles: string[] }) {
  await group('portal', async () => {
    const res = await http.get(__ENV.TARGET + '/json');
    check(res, { 'same user': (r) => r.json('user.name') === data.name, 'two roles': () => data.roles.length === 2 });
  });
}
export function teardown(data: { name: string }) { console.log('teardown got ' + data.name); }
export function handleSummary(data: any) {
  return { stdout: 'custom summary\\n', ${JSON.stringify(out)}: JSON.stringify(data) };
}
`);
    // quiet runs skip the end-of-test summary (and so handleSummary) unless a summary mode is asked for.
    const result = await run(script, { env: { TARGET: target.url }, summaryMode: 'auto' });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('teardown got An');
    expect(result.stdout).toBe('custom summary\n');
    const data = JSON.parse(readFileSync(out, 'utf8'));
    // k6 v1 hands handleSummary setup()'s data as well.
    expect(Object.keys(data).sort()).toEqual(['metrics', 'options', 'root_group', 'setup_data', 'state']);
    expect(data.metrics.checks).toMatchObject({
      type: 'rate',
      contains: 'default',
      values: { rate: 1, passes: 8, fails: 0 },
      thresholds: { 'rate==1': { ok: true } },
    });
    expect(data.metrics.http_req_duration.type).toBe('trend');
    expect(Object.keys(data.metrics.http_req_duration.values)).toEqual(
      expect.arrayContaining(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']),
    );
    expect(data.metrics.iterations.values.count).toBe(4);
    // 4 iterations + setup's request
    expect(data.metrics.http_reqs.values.count).toBe(5);
    const portal = data.root_group.groups.find((g: { name: string }) => g.name === 'portal');
    expect(portal).toMatchObject({ name: 'portal', path: '::portal' });
    expect(portal.checks.map((c: { name: string; passes: number }) => [c.name, c.passes])).toEqual([
      ['same user', 4],
      ['two roles', 4],
    ]);
    expect(data.state.testRunDurationMs).toBeGreaterThan(0);
  });

  it('gives each VU its own module state, and shares SharedArray data', async () => {
    const csv = writeFile('users.csv', 'cccd\n001\n002\n003\n');
    const script = writeScript(`
import { SharedArray } from 'k6/data';
import { Counter } from 'k6/metrics';
import { sleep } from 'k6';
const users = new SharedArray('users', () => open(${JSON.stringify(csv)}).trim().split('\\n').slice(1));
let myIterations = 0;
const counted = new Counter('vu_local_count');
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 4 } } };
export default async function () {
  myIterations++;
  if (myIterations !== __ITER + 1) throw new Error('state leaked between VUs');
  counted.add(myIterations === 4 ? 1 : 0, { user: users[(__VU - 1) % users.length] });
  await sleep(0.01);
}
`);
    const result = await run(script);
    expect(result.stderr).not.toContain('leaked');
    expect(result.recorder.sum('vu_local_count')).toBe(3);
    const users = result.recorder
      .samples('vu_local_count')
      .filter((s) => s.value === 1)
      .map((s) => s.tags.user)
      .sort();
    expect(users).toEqual(['001', '002', '003']);
  });
});

describe('clear errors for what the engine does not support', () => {
  it('lists the supported modules when a script imports an unknown one', async () => {
    const script = writeScript(`import ws from 'k6/ws';\nexport default function () { ws.connect('x', () => {}); }\n`);
    const result = await run(script);
    expect(result.exitCode).toBe(107);
    expect(result.stderr).toContain('unsupported module "k6/ws"');
    expect(result.stderr).toContain('k6/http');
    expect(result.stderr).toContain(`${path.basename(script)}:1:`);
  });

  it('names the line where a response is used without await (a call the sync-style transform cannot see)', async () => {
    const script = writeScript(`import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 1 };
export default function () {
  const table: Record<string, any> = {};
  const key = 'fetch';
  table[key] = http.get;
  const res = table[key](__ENV.TARGET + '/');
  check(res, { ok: (r: any) => r.status === 200 });
}
`);
    const result = await run(script, { env: { TARGET: target.url } });
    expect(result.stderr).toContain('response.status was read on a Promise');
    expect(result.stderr).toContain(`${path.basename(script)}:9:`);
    expect(result.stderr).toContain('await http.get');
  });

  it('refuses requests to hosts outside loopback unless allowed', async () => {
    const script = writeScript(`import http from 'k6/http';
export const options = { iterations: 1 };
export default async function () {
  const res = await http.get('http://example.com/');
  if (res.error_code !== 1111 || res.status !== 0) throw new Error('not blocked: ' + res.error_code);
}
`);
    const result = await run(script);
    expect(result.stderr).toContain('request to example.com refused');
    expect(result.stderr).not.toContain('not blocked');
    expect(result.recorder.samples('http_req_failed')[0].tags.error_code).toBe('1111');
  });
});

describe('a target that dies mid-run', () => {
  it('records failed requests with k6 error codes and finishes the run', async () => {
    const doomed = await startTarget();
    const script = writeScript(`
import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 3, duration: '3s' };
export default async function () { await http.get(__ENV.TARGET + '/'); await sleep(0.02); }
`);
    void whenRequests(doomed, 20).then(() => doomed.close());
    const result = await run(script, { env: { TARGET: doomed.url } });
    expect(result.exitCode).toBe(0);
    const failed = result.recorder.samples('http_req_failed');
    const ok = failed.filter((s) => s.value === 0).length;
    const errors = failed.filter((s) => s.value === 1);
    expect(ok).toBeGreaterThan(10);
    expect(errors.length).toBeGreaterThan(10);
    const codes = new Set(errors.map((s) => s.tags.error_code));
    expect([...codes].every((c) => ['1212', '1220', '1000'].includes(c))).toBe(true);
    expect(codes.has('1212')).toBe(true);
    expect(result.summary.metrics.http_req_failed.values.passes).toBe(errors.length);
  });
});
