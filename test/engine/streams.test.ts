// runTest takes its world as arguments: the summary, handleSummary's stdout/stderr, logs, the progress
// display, `--out json` on stdout and the web dashboard's notice go to the streams it is given, the
// environment it is given configures it, and nothing reaches the process's own streams.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runTest } from '../../engine/index.ts';
import type { TextStream } from '../../engine/metrics/types.ts';
import { startTarget, type Target, writeScript } from './helpers.ts';

class Capture implements TextStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }
}

const resultsRoot = mkdtempSync(path.join(os.tmpdir(), 'loadlab-streams-'));
let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());

// Whatever the engine still wrote to the process's streams during a test (the runner's own output passes through).
let leaked: string[] = [];
const originalOut = process.stdout.write;
const originalErr = process.stderr.write;
beforeEach(() => {
  leaked = [];
  for (const [stream, original] of [
    [process.stdout, originalOut],
    [process.stderr, originalErr],
  ] as const) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      leaked.push(String(chunk));
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  }
});
afterEach(() => {
  process.stdout.write = originalOut;
  process.stderr.write = originalErr;
});

const run = (script: string, options: Partial<Parameters<typeof runTest>[0]> & { stdout: Capture; stderr: Capture }) =>
  runTest({ script, workers: 1, resultsRoot, systemEnv: { TARGET: target.url }, ...options });

describe('runTest with injected streams and environment', () => {
  it('writes the summary and json points to its stdout, logs and progress to its stderr, nothing to the process', async () => {
    const script = writeScript(`
import http from 'k6/http';
export const options = { iterations: 3, thresholds: { http_req_duration: ['p(95)<60000'] } };
export default async function () {
  await http.get(__ENV.TARGET + '/');
  console.log('line from the VU');
}
`);
    const stdout = new Capture();
    const stderr = new Capture();
    const result = await run(script, { stdout, stderr, out: ['json'] });
    expect(result.exitCode).toBe(0);
    // The default end-of-test summary, and `--out json` with no file name: the run's stdout.
    expect(stdout.text).toContain('http_req_duration');
    expect(stdout.text).toContain('THRESHOLDS');
    expect(stdout.text).toMatch(/^\{"type":"Point","data":\{"time":"[^"]+","value":1,"tags":\{[^}]*\}\},"metric":"http_reqs"\}$/m);
    // Logs (the script's console), the execution description and the final progress line: the run's stderr.
    expect(stderr.text).toContain('line from the VU');
    expect(stderr.text).toContain('execution: local (embedded engine, 1 worker)');
    expect(stderr.text).toMatch(/total .* 3 reqs/);
    expect(stdout.text).not.toContain('line from the VU');
    expect(leaked.join('')).not.toMatch(/line from the VU|http_req_duration|execution: local|"type":"Point"/);
  });

  it("hands handleSummary's stdout and stderr to the given streams, and their isTTY to the summary data", async () => {
    const script = writeScript(`
export const options = { iterations: 1 };
export default function () {}
export function handleSummary(data) {
  return { stdout: 'to stdout: ' + JSON.stringify(data.state) + '\\n', stderr: 'to stderr\\n' };
}
`);
    const stdout = new Capture(true);
    const stderr = new Capture(false);
    const result = await run(script, { stdout, stderr, quiet: true, summaryMode: 'compact' });
    expect(result.exitCode).toBe(0);
    expect(stdout.text).toMatch(/^to stdout: \{.*"isStdOutTTY":true,"isStdErrTTY":false/m);
    expect(stderr.text).toBe('to stderr\n');
    expect(leaked.join('')).not.toMatch(/to stdout|to stderr/);
  });

  it('colours the default summary only when its stdout is a terminal', async () => {
    const script = writeScript('export const options = { iterations: 1 };\nexport default function () {}\n');
    const terminal = new Capture(true);
    await run(script, { stdout: terminal, stderr: new Capture(), quiet: true, summaryMode: 'compact' });
    const pipe = new Capture(false);
    await run(script, { stdout: pipe, stderr: new Capture(), quiet: true, summaryMode: 'compact' });
    expect(terminal.text).toContain('\x1b[');
    expect(pipe.text).toContain('iterations');
    expect(pipe.text).not.toContain('\x1b[');
  });

  it('configures its outputs from the given environment, not the process one, and --log-output stdout uses the given stdout', async () => {
    const script = writeScript(`
export const options = { iterations: 1 };
export default function () { console.log('console on stdout'); }
`);
    const stdout = new Capture();
    const stderr = new Capture();
    expect(process.env.K6_WEB_DASHBOARD).toBeUndefined();
    const result = await run(script, {
      stdout,
      stderr,
      quiet: true,
      logOutput: 'stdout',
      summaryMode: 'disabled',
      systemEnv: { K6_WEB_DASHBOARD: 'true', K6_WEB_DASHBOARD_PORT: '-1' },
    });
    expect(result.exitCode).toBe(0);
    // K6_WEB_DASHBOARD from systemEnv made the dashboard output; its notice is printed on the run's stderr.
    expect(stderr.text).toContain('web dashboard: not served (port -1)');
    expect(stdout.text).toContain('console on stdout');
    expect(leaked.join('')).not.toMatch(/web dashboard|console on stdout/);
  });
});
