// The Markdown report quotes names from the run (scenario, request, resource, folder): they are shown
// as written and never become markup in whatever renders the Markdown (a ticket, a chat, a wiki).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { messages } from '../../reports/i18n.ts';
import { buildReport } from '../../reports/model.ts';
import { escapeMarkdown } from '../../reports/render/escape.ts';
import { renderMarkdown } from '../../reports/render/markdown.ts';
import { loadFolder } from '../../reports/run-folder.ts';
import { writeSyntheticRun } from './fixtures/synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'loadlab-markdown-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Markdown report', () => {
  it('neutralises raw HTML and Markdown syntax in names taken from the run', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const dir = writeSyntheticRun(join(root, '<b>run</b>'), { scenario: `${hostile}[click](javascript:alert(2))`, thresholdOk: false });
    const base = writeSyntheticRun(join(root, 'base'), { scenario: `${hostile}[click](javascript:alert(2))` });
    const report = buildReport(loadFolder(dir), { workload: 'none', baseline: base });
    for (const lang of ['vi', 'en'] as const) {
      const markdown = renderMarkdown(report, messages(lang));
      expect(markdown).not.toMatch(/<img|<b>|(?<!\\)\]\(javascript:/);
      expect(markdown).toContain('&lt;img src=x onerror=alert(1)&gt;\\[click\\](javascript:alert(2))');
      expect(markdown).toContain('&lt;b&gt;run&lt;/b&gt;');
    }
  });

  it('escapes every Markdown control character and keeps plain text readable', () => {
    expect(escapeMarkdown('a|b *c* _d_ `e` # [f](g) \\ <h> & ~i~ !j')).toBe(
      'a\\|b \\*c\\* \\_d\\_ \\`e\\` \\# \\[f\\](g) \\\\ &lt;h&gt; &amp; \\~i\\~ \\!j',
    );
    expect(escapeMarkdown('p95 < 800 ms\nnext')).toBe('p95 &lt; 800 ms next');
  });
});
