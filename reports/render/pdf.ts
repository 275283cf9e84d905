// PDF through headless Chromium (Debian's `chromium`), driven by playwright-core; nothing is downloaded.
import { existsSync } from 'node:fs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** The Chromium executable: LOADLAB_CHROMIUM, else Debian's /usr/bin/chromium; null when neither exists. */
export function findChromium(): string | null {
  const candidates = [process.env.LOADLAB_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string =>
    Boolean(p),
  );
  return candidates.find((path) => existsSync(path)) ?? null;
}

export const CHROMIUM_MISSING =
  'PDF skipped: no Chromium found (install it with `apt-get install -y chromium`, or set LOADLAB_CHROMIUM to its path).';

export async function renderPdf(html: string, file: string, executablePath: string): Promise<void> {
  // Imported here: playwright-core takes over a second to load, and most commands that can render never do.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({
      path: file,
      format: 'A4',
      printBackground: true,
      margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' },
    });
  } finally {
    await browser.close();
  }
}
