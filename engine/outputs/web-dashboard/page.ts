// The page, as one self-contained HTML document: uPlot (from the installed package), the page's own
// script and style inlined, so it needs no network — the live page and the exported report are the
// same document, the report with its events embedded instead of a /events stream.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface DashboardEvent {
  readonly id: number;
  readonly event: string;
  readonly data: unknown;
}

const require = createRequire(import.meta.url);
const here = new URL('./page/', import.meta.url);
let assets: { uplotJs: string; uplotCss: string; appJs: string; appCss: string } | null = null;

function loadAssets() {
  assets ??= {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    appJs: readFileSync(new URL('app.js', here), 'utf8'),
    appCss: readFileSync(new URL('style.css', here), 'utf8'),
  };
  return assets;
}

/** Inside <script>, '</script>' or '<!--' in the data would end or confuse the element. */
function scriptSafe(text: string): string {
  return text.replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `events` null: the live page, which subscribes to /events; otherwise the exported report. */
export function renderPage(title: string, events: readonly DashboardEvent[] | null): string {
  const { uplotJs, uplotCss, appJs, appCss } = loadAssets();
  const data = events === null ? '' : `<script id="events" type="application/json">${scriptSafe(JSON.stringify(events))}</script>\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${uplotCss}</style>
<style>${appCss}</style>
</head>
<body data-mode="${events === null ? 'live' : 'report'}">
<main id="app"><p class="waiting">Waiting for the run's first data…</p></main>
${data}<script>${uplotJs}</script>
<script>${appJs}</script>
</body>
</html>
`;
}
