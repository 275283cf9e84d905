// One error catalogue (engine/errors.ts): every command ends the same failure with the same exit code and
// a one-line reason, never a stack trace. The commands are driven in-process (test/cli/helpers.ts):
// what is under test is the mapping, not the process boundary (test/cli/loadlab.test.ts spawns the bin).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../capacity/search.ts';
import { SloSyntaxError } from '../../capacity/slo.ts';
import { BundleError } from '../../cli/bundle.ts';
import {
  EXIT,
  exitCodeOf,
  InterruptedError,
  InvalidConfigError,
  reportCliError,
  ScriptCompileError,
  ScriptError,
  TestAbortError,
} from '../../engine/errors.ts';
import { OutputConfigError } from '../../engine/outputs/index.ts';
import { RunIdError } from '../../engine/outputs/results-dir.ts';
import { WebDashboardConfigError } from '../../engine/outputs/web-dashboard/config.ts';
import { MockConfigError } from '../../mocks/config.ts';
import { WorkloadModelError } from '../../reports/analysis/projection.ts';
import { RunFolderError } from '../../reports/run-folder.ts';
import { loadlabInProcess } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'loadlab-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loadlab = loadlabInProcess;

describe('the error catalogue', () => {
  it("gives each kind of error k6's exit code, wherever in loadlab it is defined", () => {
    const cases: [unknown, number][] = [
      [new InvalidConfigError('x'), 104],
      [new SloSyntaxError('x'), 104],
      [new RunIdError('x'), 104],
      [new RunFolderError('x'), 104],
      [new WorkloadModelError('x'), 104],
      [new MockConfigError(['x']), 104],
      [new BundleError('x'), 104],
      [new OutputConfigError('x'), 104],
      [new WebDashboardConfigError('x'), 104],
      [new InterruptedError('x'), 105],
      [new ScriptError('x'), 107],
      [new TestAbortError('x'), 108],
      [new ScriptCompileError('x'), 255],
      [new ScenarioError(108, 'x'), 108],
      [new Error('x'), 1],
      [new TypeError('x'), 1],
      ['a string', 1],
    ];
    for (const [error, code] of cases) expect(exitCodeOf(error), String(error)).toBe(code);
    expect(EXIT).toMatchObject({ ok: 0, failed: 1, thresholdsFailed: 99, invalidConfig: 104, externalAbort: 105, generic: 255 });
  });

  it('reports the message on one line, naming the class only for a bug', () => {
    let text = '';
    const stderr = { write: (chunk: string) => (text += chunk) };
    expect(reportCliError('report', new RunFolderError('results/x does not exist'), stderr)).toBe(104);
    expect(reportCliError('report', new TypeError("Cannot read properties of undefined (reading 'p95')"), stderr)).toBe(1);
    expect(reportCliError('mocks', new Error('listen EADDRINUSE'), stderr)).toBe(1);
    expect(text).toBe(
      "loadlab report: results/x does not exist\nloadlab report: TypeError: Cannot read properties of undefined (reading 'p95')\nloadlab mocks: listen EADDRINUSE\n",
    );
  });
});

describe('every command maps errors the same way', () => {
  it('invalid input is 104 in every command, with the reason', async () => {
    const badConfig = join(dir, 'mocks.json');
    writeFileSync(badConfig, '{"profiles": 3}');
    const results = {
      report: await loadlab('report', join(dir, 'no-such-run')),
      bundle: await loadlab('bundle', 'no-such-scenario', '--out-dir', join(dir, 'dist')),
      stack: await loadlab('stack', 'up', '--port', '99999', '--results', dir),
      start: await loadlab('start', '--scenarios', 'no-such-scenario', '--results-dir', dir),
      capacity: await loadlab('capacity', 'scenarios/login-surge.ts', '--step-factor', '0.5', '--results-dir', dir),
      mocks: await loadlab('mocks', '--port', '0', '--config', badConfig),
      run: await loadlab('run', join(dir, 'none.ts'), '-q', '--results-dir', dir, '--run-id', '../outside'),
    };
    for (const [command, result] of Object.entries(results)) {
      expect(result.code, `${command}: ${result.stderr}`).toBe(104);
      expect(result.stderr, command).not.toMatch(/\n\s+at /);
    }
    expect(results.report.stderr).toMatch(/^loadlab report: .*no-such-run.* does not exist/);
    expect(results.bundle.stderr).toMatch(/^loadlab bundle: unknown scenario no-such-scenario/);
    expect(results.stack.stderr).toBe("loadlab stack up: --port: '99999' is not a TCP port\n");
    expect(results.start.stderr).toBe('loadlab start: no scenario scenarios/no-such-scenario.ts\n');
    expect(results.capacity.stderr).toBe('loadlab capacity: --step-factor must be greater than 1\n');
    expect(results.mocks.stderr).toMatch(/^loadlab mocks: invalid mock config:\n {2}.*'profiles'/);
    expect(results.run.stderr).toMatch(/run id/);
  });

  it('a script that cannot be compiled is 255 on either engine, as k6', async () => {
    const broken = join(dir, 'broken.ts');
    writeFileSync(broken, 'export default function () { let x = ; }\n');
    const embedded = await loadlab('run', broken, '-q', '--results-dir', dir);
    const onK6 = await loadlab('run', broken, '--engine', 'k6');
    expect(embedded.code).toBe(255);
    expect(onK6.code).toBe(255);
    expect(onK6.stderr).toMatch(/^loadlab run: cannot bundle .*broken\.ts:\n {2}.*broken\.ts:1: Unexpected ";"/);
  });

  it('a failure outside the catalogue is 1 with the message and no stack trace', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const mocks = await loadlab('mocks', '--port', String(port), '--services', 'identity');
      expect(mocks.code).toBe(1);
      expect(mocks.stderr).toMatch(new RegExp(`^loadlab mocks: .*EADDRINUSE.*${port}`));
      expect(mocks.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });
});
