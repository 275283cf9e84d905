// Writes a report in the requested formats next to the run (or wherever asked).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Lang, messages } from '../i18n.ts';
import type { Report } from '../model.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { CHROMIUM_MISSING, findChromium, renderPdf } from './pdf.ts';

export type Format = 'html' | 'pdf' | 'md' | 'json';
export const FORMATS: readonly Format[] = ['html', 'pdf', 'md', 'json'];

export interface WrittenReport {
  files: Partial<Record<Format, string>>;
  notes: string[];
}

export function parseFormats(text: string): Format[] {
  const formats = text
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const unknown = formats.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0 || formats.length === 0)
    throw new Error(`unknown report format "${unknown.join(',') || text}": choose from ${FORMATS.join(', ')}`);
  return [...new Set(formats)] as Format[];
}

export async function writeReport(
  report: Report,
  options: { dir: string; lang: Lang; formats: readonly Format[]; baseName?: string },
): Promise<WrittenReport> {
  const m = messages(options.lang);
  const base = options.baseName ?? 'report';
  const files: WrittenReport['files'] = {};
  const notes: string[] = [];
  const html = renderHtml(report, m);
  if (options.formats.includes('html')) writeFileSync((files.html = join(options.dir, `${base}.html`)), html);
  if (options.formats.includes('md')) writeFileSync((files.md = join(options.dir, `${base}.md`)), renderMarkdown(report, m));
  if (options.formats.includes('json'))
    writeFileSync((files.json = join(options.dir, `${base}.json`)), JSON.stringify({ lang: options.lang, ...report }, null, 2));
  if (options.formats.includes('pdf')) {
    const chromium = findChromium();
    if (chromium) {
      files.pdf = join(options.dir, `${base}.pdf`);
      await renderPdf(html, files.pdf, chromium);
    } else {
      notes.push(CHROMIUM_MISSING);
    }
  }
  return { files, notes };
}
