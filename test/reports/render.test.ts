import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../reports/i18n.ts';
import { buildReport } from '../../reports/model.ts';
import { renderHtml } from '../../reports/render/html.ts';
import { writeReport } from '../../reports/render/index.ts';
import { CHROMIUM_ARGS, findChromium } from '../../reports/render/pdf.ts';
import { loadFolder } from '../../reports/run-folder.ts';
import { writeSyntheticCapacity, writeSyntheticRun } from './fixtures/synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'loadlab-render-'));
const executablePath = findChromium();
let browser: Browser;

beforeAll(async () => {
  if (!executablePath) throw new Error('these tests need Chromium at /usr/bin/chromium (apt-get install -y chromium)');
  browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

const NOW = new Date(Date.UTC(2025, 10, 22, 14, 30, 0));

async function openInChromium(html: string) {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.setContent(html, { waitUntil: 'load' });
  return { page, problems, requests };
}

describe('HTML report in headless Chromium', () => {
  const capacityDir = join(root, 'capacity-run');
  writeSyntheticCapacity(capacityDir, 200);

  for (const lang of ['vi', 'en'] as const) {
    it(`renders the capacity report in ${lang} with charts and no console errors`, async () => {
      const report = buildReport(loadFolder(capacityDir), { now: NOW });
      const html = renderHtml(report, messages(lang));
      expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      const { page, problems, requests } = await openInChromium(html);
      expect(problems).toEqual([]);
      expect(requests.filter((url) => !url.startsWith('about:') && !url.startsWith('data:'))).toEqual([]);
      const charts = await page.$$eval('svg[data-chart]', (svgs) =>
        svgs.map((svg) => ({
          id: svg.getAttribute('data-chart'),
          points: [...svg.querySelectorAll('.series')].reduce((sum, el) => sum + Number(el.getAttribute('data-points')), 0),
          width: svg.getBoundingClientRect().width,
        })),
      );
      expect(charts.map((c) => c.id)).toEqual(
        expect.arrayContaining(['capacity-throughput', 'capacity-latency', 'capacity-errors', 'capacity-saturation', 'projection']),
      );
      for (const chart of charts) {
        expect(chart.points, chart.id ?? '').toBeGreaterThan(0);
        expect(chart.width).toBeGreaterThan(100);
      }
      // The verdict comes first, methodology and metadata last.
      const headings = await page.$$eval('h2', (hs) => hs.map((h) => h.id));
      expect(headings[0]).toBe('flows');
      expect(headings.slice(-2)).toEqual(['methodology', 'metadata']);
      expect(headings.indexOf('capacity')).toBeLessThan(headings.indexOf('recommendations'));
      const verdict = await page.textContent('#verdict');
      const lightCount = await page.$$eval('table .lamp', (lamps) => lamps.length);
      expect(lightCount).toBe(report.flows.length);
      if (lang === 'vi') {
        expect(await page.getAttribute('html', 'lang')).toBe('vi');
        expect(verdict).toMatch(/chịu được tối đa [\d.,]+ lượt\/giây trong giới hạn SLO/);
        const text = (await page.textContent('body')) ?? '';
        for (const word of [
          'Kết luận',
          'Năng lực hệ thống',
          'Điểm nghẽn',
          'Dự báo nhu cầu',
          'Khuyến nghị',
          'Phương pháp',
          'giao dịch/giây',
          'Trao đổi dữ liệu quốc gia',
        ])
          expect(text).toContain(word);
        // Vietnamese formats: dd/mm/yyyy dates and comma decimals ("2,57 triệu").
        expect(text).toMatch(/22\/11\/2025/);
        expect(text).toContain('2,57 triệu');
        expect(text.normalize('NFC')).toBe(text);
      } else {
        expect(verdict).toMatch(/sustains at most [\d,.]+ iterations\/s within its SLO \(p95<100ms, errors<1%\)/);
        expect(verdict).toContain('ndxp/population');
      }
      await page.close();
    });
  }

  it('renders a plain run (no capacity.json) with a verdict from thresholds and time charts', async () => {
    const runDir = writeSyntheticRun(join(root, 'plain-run'), { rps: 1234, durationS: 20 });
    const report = buildReport(loadFolder(runDir), { now: NOW });
    const { page, problems } = await openInChromium(renderHtml(report, messages('vi')));
    expect(problems).toEqual([]);
    expect(await page.textContent('#verdict')).toContain('Tất cả 2 ngưỡng đều đạt');
    expect(await page.getAttribute('#verdict', 'data-light')).toBe('green');
    const ids = await page.$$eval('svg[data-chart]', (svgs) => svgs.map((svg) => svg.getAttribute('data-chart')));
    expect(ids).toEqual(expect.arrayContaining(['timeline-load', 'timeline-latency', 'timeline-errors', 'utilisation']));
    // 24 680 requests in Vietnamese grouping.
    expect(await page.textContent('table')).toContain('24.680');
    await page.close();
  });

  it('writes PDF, Markdown and JSON, and the PDF has pages', async () => {
    const report = buildReport(loadFolder(capacityDir), { now: NOW, baseline: capacityDir });
    const written = await writeReport(report, { dir: capacityDir, lang: 'vi', formats: ['html', 'pdf', 'md', 'json'] });
    expect(written.notes).toEqual([]);
    const pdf = readFileSync(written.files.pdf!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const markdown = readFileSync(written.files.md!, 'utf8');
    expect(markdown).toContain('**Kết luận:**');
    expect(markdown).toContain('Không có suy giảm');
    const json = JSON.parse(readFileSync(written.files.json!, 'utf8'));
    expect(json.capacity.analysis.bottleneck.name).toBe('ndxp/population');
    expect(json.projection.model.id).toBe('ndxp-national');
  });
});
