// The cache that lets the CLI and the VU worker threads start from plain JS: a bundle is built on first
// use, reused while its sources are unchanged, rebuilt when one changes, and refused (null, so the
// caller uses tsx) where the cache cannot be written.
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../engine/run/bundled-entry.js';

const dir = mkdtempSync(join(tmpdir(), 'loadlab-bundled-entry-'));
const cacheDir = join(dir, 'cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bundledEntry', () => {
  it('builds a bundle once, reuses it while the sources are unchanged and rebuilds when one changes', async () => {
    const entry = join(dir, 'entry.ts');
    const part = join(dir, 'part.ts');
    writeFileSync(part, "export const word: string = 'first';\n");
    writeFileSync(
      entry,
      "import { word } from './part.ts';\nexport const value: string = word;\nexport const here: string = import.meta.url;\nexport const folder: string = import.meta.dirname;\n",
    );
    const first = await bundledEntry(entry, { packages: 'external', sourceMap: false, cacheDir });
    expect(first).not.toBeNull();
    const module = await import(first!);
    expect(module.value).toBe('first');
    // Files next to the sources are still found from the bundle.
    expect(module.here).toBe(pathToFileURL(entry).href);
    expect(module.folder).toBe(dir);

    expect(await bundledEntry(entry, { packages: 'external', sourceMap: false, cacheDir })).toBe(first);

    // A change to an imported file is seen, even one that keeps its size.
    writeFileSync(part, "export const word: string = 'other';\n");
    utimesSync(part, new Date(), new Date(Date.now() + 5000));
    const second = await bundledEntry(entry, { packages: 'external', sourceMap: false, cacheDir });
    expect(second).not.toBe(first);
    expect((await import(second!)).value).toBe('other');
    // The replaced bundle is kept a while for processes still loading its chunks.
    expect(readdirSync(cacheDir).filter((name) => !name.endsWith('.json'))).toHaveLength(2);
  });

  it('builds separately for different options, with a linked source map when asked', async () => {
    const entry = join(dir, 'mapped.ts');
    writeFileSync(entry, 'export const answer: number = 42;\n');
    const plain = await bundledEntry(entry, { packages: 'bundle', sourceMap: false, cacheDir });
    const mapped = await bundledEntry(entry, { packages: 'external', sourceMap: true, cacheDir });
    expect(plain).not.toBe(mapped);
    const folder = new URL('.', mapped!);
    expect(readdirSync(folder)).toContain('mapped.js.map');
    expect((await import(mapped!)).answer).toBe(42);
  });

  it('answers null where the cache cannot be written, and for a source esbuild cannot compile', async () => {
    const entry = join(dir, 'fine.ts');
    writeFileSync(entry, 'export const ok = true;\n');
    expect(await bundledEntry(entry, { packages: 'external', sourceMap: false, cacheDir: '/dev/null/cache' })).toBeNull();
    const broken = join(dir, 'broken.ts');
    writeFileSync(broken, 'export const = ;\n');
    expect(await bundledEntry(broken, { packages: 'external', sourceMap: false, cacheDir })).toBeNull();
  });
});
