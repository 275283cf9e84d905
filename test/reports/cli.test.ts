import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadlabInProcess } from '../cli/helpers.ts';
import { writeSyntheticRun } from './fixtures/synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'loadlab-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// `loadlab report` and `capacity` in-process (test/cli/helpers.ts): what is under test is what they write
// and their exit codes, which a spawn would not change; test/cli/loadlab.test.ts spawns the bin.
const loadlab = loadlabInProcess;

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
