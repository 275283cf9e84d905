// `loadlab capacity` spawned as a user runs it, against real mocks, interrupted mid-step by SIGTERM (a CI
// job cancelled, a container stopped) or SIGINT (Ctrl-C): what was measured is kept, capacity.json and
// the report are written, and the verdict says the search was interrupted instead of judging a lower bound.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapacityResult } from '../../results-format/index.ts';

const BIN = join(import.meta.dirname, '../../cli/loadlab.js');
const SCRIPT = join(import.meta.dirname, 'fixtures', 'token-issuance.ts');
const root = mkdtempSync(join(tmpdir(), 'loadlab-signals-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function capacity(args: string[], onStderr?: (text: string, child: ChildProcess) => void, script = SCRIPT): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'capacity', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      onStderr?.(stderr, child);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Sends `signal` once step 2 is measuring: its run folder's time series has a first second in it (on a
 * loaded machine bundling and starting VUs can take seconds, and a step interrupted before its first
 * sample has nothing to keep).
 */
function interruptDuringStep2(signal: NodeJS.Signals, dir: string) {
  let watching = false;
  return (stderr: string, child: ChildProcess) => {
    if (watching || !/step 2 \(ramp\) · offering/.test(stderr)) return;
    watching = true;
    const poll = setInterval(() => {
      const steps = join(dir, 'steps');
      const step2 = existsSync(steps) ? readdirSync(steps).find((name) => name.startsWith('step-02')) : undefined;
      const series = step2 ? join(steps, step2, 'timeseries.jsonl') : '';
      if (series && existsSync(series) && statSync(series).size > 0) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 100);
    child.once('close', () => clearInterval(poll));
  };
}

// A lenient SLO and pace: step 1 must count as sustained even when other jobs load the machine.
const STEPS = [
  '--mocks',
  '--slo',
  'p95<1m,errors<5%',
  '--keep-pace',
  '0.5',
  '--start-rate',
  '20',
  '--step-factor',
  '1.5',
  '--step-duration',
  '8s',
  '--warmup',
  '1s',
  '--max-duration',
  '2m',
  '--workers',
  '1',
  '--workload',
  'none',
];

describe('loadlab capacity under signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`keeps capacity.json and an interrupted report on ${signal} mid-step`, { timeout: 150_000 }, async () => {
      const runId = `interrupted-${signal.toLowerCase()}`;
      const dir = join(root, runId);
      const result = await capacity(
        [...STEPS, '--results-dir', root, '--run-id', runId, '--lang', 'en'],
        interruptDuringStep2(signal, dir),
      );
      expect(result.code, result.stderr).toBe(105);
      const saved = JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8')) as CapacityResult;
      expect(saved.stoppedBecause).toBe('interrupted');
      expect(saved.steps.length).toBe(2);
      expect(saved.steps[0].partial).toBeUndefined();
      expect(saved.steps[1]).toMatchObject({ index: 2, partial: true });
      expect(saved.steps[1].requests).toBeGreaterThan(0);
      expect(existsSync(join(dir, saved.steps[1].runDir!, 'summary.json'))).toBe(true);

      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
      expect(report.verdict).toMatchObject({ key: 'capacityInterrupted', light: 'amber', stepIndex: 2 });
      expect(report.verdict.atLeast).toBeGreaterThan(0);
      const markdown = readFileSync(join(dir, 'report.md'), 'utf8');
      expect(markdown).toMatch(/interrupted at step 2, capacity ≥ \d/);
      expect(markdown).not.toContain('🔴');
      expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('partial (interrupted)');
      expect(result.stdout).toMatch(/interrupted at step 2, capacity ≥/);
    });
  }

  it('names a target that never answered instead of an SLO breach at the starting rate', { timeout: 120_000 }, async () => {
    // A port nothing listens on: bind one, note it, close it.
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const result = await capacity([
      '-e',
      `IDENTITY_URL=http://127.0.0.1:${port}`,
      '--start-rate',
      '10',
      '--step-duration',
      '3s',
      '--warmup',
      '1s',
      '--max-duration',
      '1m',
      '--workers',
      '1',
      '--workload',
      'none',
      '--results-dir',
      root,
      '--run-id',
      'down',
      '--lang',
      'vi',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(root, 'down', 'report.json'), 'utf8'));
    expect(report.verdict).toMatchObject({ key: 'targetDown', light: 'red', reason: 'refused', origins: [`http://127.0.0.1:${port}`] });
    expect(result.stdout).toContain(`Không có phản hồi: http://127.0.0.1:${port} từ chối mọi kết nối`);
    expect(result.stdout).not.toMatch(/vi phạm SLO/);
  });

  it('keeps the measured steps when the scenario itself fails later, with its exit code', { timeout: 120_000 }, async () => {
    const result = await capacity(
      // Step 1 (4/s) is measured; step 2 (8/s) aborts the test.
      [
        ...[
          '--mocks',
          '-e',
          'ABORT_ABOVE=6',
          '--slo',
          'p95<5s,errors<5%',
          '--keep-pace',
          '0.5',
          '--start-rate',
          '4',
          '--step-factor',
          '2',
          '--step-duration',
          '5s',
        ],
        ...[
          '--warmup',
          '1s',
          '--max-duration',
          '1m',
          '--workers',
          '1',
          '--workload',
          'none',
          '--results-dir',
          root,
          '--run-id',
          'aborts',
          '--lang',
          'en',
        ],
      ],
      undefined,
      join(import.meta.dirname, 'fixtures', 'aborts-at-rate.ts'),
    );
    expect(result.code, result.stderr).toBe(108);
    const saved = JSON.parse(readFileSync(join(root, 'aborts', 'capacity.json'), 'utf8')) as CapacityResult;
    expect(saved.stoppedBecause).toBe('scenario-failed');
    expect(saved.steps.map((step) => step.offeredRate)).toEqual([4]);
    expect(saved.scenarioFailure).toMatchObject({ stepIndex: 2, exitCode: 108 });
    expect(readFileSync(join(root, 'aborts', 'report.md'), 'utf8')).toContain('the scenario itself failed at step 2 (exit code 108)');
  });

  it('refuses a run id that leaves the results folder, as invalid config (104), in capacity and run alike', {
    timeout: 120_000,
  }, async () => {
    const result = await capacity(['--run-id', '../escaped', '--results-dir', root]);
    expect(result.code).toBe(104);
    expect(result.stderr).toMatch(/invalid run id "\.\.\/escaped"/);
    const script = join(root, 'noop.ts');
    writeFileSync(script, 'export default function () {}\n');
    const run = await new Promise<Finished>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'run', script, '-q', '--results-dir', join(root, 'results'), '--run-id', '../../escaped'],
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(run.code).toBe(104);
    expect(run.stderr).toMatch(/invalid run id "\.\.\/\.\.\/escaped"/);
    expect(existsSync(join(root, '..', 'escaped'))).toBe(false);
  });
});
