import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticRun } from './fixtures/synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'loadlab-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function loadlab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['cli/loadlab.js', ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('loadlab report and capacity on the command line', () => {
  it('renders a report with a baseline and flags the injected regression', async () => {
    const base = writeSyntheticRun(join(root, 'base'), { p95: 100 });
    const worse = writeSyntheticRun(join(root, 'worse'), { p95: 180 });
    const result = await loadlab('report', worse, '--lang', 'en', '--format', 'html,md', '--baseline', base);
    expect(result.stderr).toContain('regression(s) against the baseline');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/html .*report\.html/);
    const html = readFileSync(join(worse, 'report.html'), 'utf8');
    expect(html).toContain('data-regression="true"');
    expect(readFileSync(join(worse, 'report.md'), 'utf8')).toMatch(/\*\*regression\*\*: http\\_req\\_duration p\(95\)/);
  });

  it('rejects a missing folder, an unknown format and a malformed SLO with the reason', async () => {
    const missing = await loadlab('report', join(root, 'nope'));
    expect(missing.code).toBe(104);
    expect(missing.stderr).toMatch(/does not exist/);
    const format = await loadlab('report', root, '--format', 'html,docx');
    expect(format.code).not.toBe(0);
    expect(format.stderr).toMatch(/unknown report format "docx"/);
    const slo = await loadlab('capacity', 'test/reports/fixtures/token-issuance.ts', '--slo', 'p95<fast');
    expect(slo.code).toBe(104);
    expect(slo.stderr).toMatch(/cannot read SLO "p95<fast"/);
  });
});
