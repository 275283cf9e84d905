// The loadlab command: every subcommand documents itself and refuses unknown flags with the reason (the
// program in-process: a spawn proves nothing more there), and the published bin, spawned as a user runs
// it, answers --help and maps bad scripts and options to k6's exit codes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SUBCOMMAND_NAMES } from '../../cli/program.ts';
import { loadlabInProcess } from './helpers.ts';

const BIN = join(import.meta.dirname, '../../cli/loadlab.js');
const SUBCOMMANDS = ['run', 'mocks', 'bundle', 'capacity', 'report', 'stack', 'start'];

const dir = mkdtempSync(join(tmpdir(), 'loadlab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadlab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the loadlab command', () => {
  it('lists every subcommand with --help, from the bin', async () => {
    expect(SUBCOMMAND_NAMES).toEqual(SUBCOMMANDS);
    const top = await loadlab('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: loadlab /);
    for (const name of SUBCOMMANDS) expect(top.stdout).toContain(name);
  });

  it('documents every subcommand with --help', async () => {
    for (const name of SUBCOMMANDS) {
      const result = await loadlabInProcess(name, '--help');
      expect(result.code, name).toBe(0);
      expect(result.stdout, name).toMatch(new RegExp(`^Usage: loadlab ${name}`));
    }
  });

  it('refuses an unknown flag on every subcommand, naming it', async () => {
    for (const name of SUBCOMMANDS) {
      const result = await loadlabInProcess(name, '--no-such-flag');
      expect(result.code, name).not.toBe(0);
      expect(result.stderr, name).toContain("unknown option '--no-such-flag'");
    }
  });

  it('exits 107 with the TypeScript line for a script that throws in the init context', async () => {
    const script = join(dir, 'broken.ts');
    writeFileSync(
      script,
      "const limit: number = 3;\nif (limit > 2) throw new Error('bad scenario data');\nexport default function () {}\n",
    );
    const result = await loadlab('run', script, '-q', '--results-dir', join(dir, 'results'));
    expect(result.code).toBe(107);
    expect(result.stderr).toContain('bad scenario data');
    expect(result.stderr).toMatch(/broken\.ts:2/);
  });

  it('exits 104 for invalid options and says which', async () => {
    const script = join(dir, 'ok.ts');
    writeFileSync(
      script,
      "export const options = { scenarios: { s: { executor: 'constant-arrival-rate', rate: 5, duration: '1s' } } };\nexport default function () {}\n",
    );
    const result = await loadlab('run', script, '-q', '--results-dir', join(dir, 'results'));
    expect(result.code).toBe(104);
    expect(result.stderr).toMatch(/preAllocatedVUs/);
  });
});
