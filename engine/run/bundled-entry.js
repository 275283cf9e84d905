// Plain JavaScript on purpose: this runs before any TypeScript loader. It turns a TypeScript entry
// (the CLI, a VU worker thread) into one esbuild bundle kept in node_modules/.cache/loadlab, so a
// process or thread starts from plain JS instead of registering tsx and transforming every engine
// module again (tsx costs ≈0.3 s per process and ≈1.2 s per worker thread here). The bundle is reused
// while every file it was built from keeps its size and mtime; any change rebuilds it on next start.
// Nothing to build for the user: a fresh clone builds on first use, and where the cache cannot be
// written the caller falls back to tsx.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_CACHE = path.join(ROOT, 'node_modules', '.cache', 'loadlab');
// Besides the bundle's sources, what decides its content: this file (the build's settings), the
// TypeScript settings and esbuild's version.
const BUILD_INPUTS = [
  fileURLToPath(import.meta.url),
  path.join(ROOT, 'tsconfig.json'),
  path.join(path.dirname(fileURLToPath(import.meta.resolve('esbuild'))), '..', 'package.json'),
];
// A replaced bundle stays this long for processes that still load chunks from it (a subcommand's).
const KEEP_REPLACED_MS = 60 * 60 * 1000;

/**
 * The URL of an up-to-date bundle of `entry` (a file path), building it if needed; null when the
 * cache cannot be written or the build fails — the caller then loads the TypeScript through tsx,
 * which reports a source error as usual.
 * Options and types: bundled-entry.d.ts. Packages are bundled for a worker thread (fewer files to load:
 * it starts in a quarter of the time) and left to Node for the CLI, whose dependencies such as
 * playwright-core look for files next to themselves. A linked source map is parsed by Node as the
 * bundle loads, which for a bundle with its packages (2.5 MB of map) costs more than the whole start.
 * @param {string} entry
 * @param {import('./bundled-entry.d.ts').BundleOptions} options
 * @returns {Promise<string | null>}
 */
export async function bundledEntry(entry, options) {
  const cacheDir = options.cacheDir ?? process.env.LOADLAB_CACHE_DIR ?? DEFAULT_CACHE;
  const name = path.relative(ROOT, entry).replace(/[^A-Za-z0-9]+/g, '-');
  const manifestFile = path.join(cacheDir, `${name}.json`);
  const key = { entry, packages: options.packages, sourceMap: options.sourceMap, node: process.versions.node };
  const manifest = await readManifest(manifestFile);
  if (manifest && JSON.stringify(manifest.key) === JSON.stringify(key) && (await unchanged(manifest.inputs))) {
    return pathToFileURL(path.join(cacheDir, manifest.output, manifest.main)).href;
  }
  try {
    return await build(entry, options, cacheDir, name, manifestFile, key);
  } catch {
    return null;
  }
}

/** @returns {Promise<{ key: unknown; inputs: [string, number, number][]; output: string; main: string } | null>} */
async function readManifest(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

/** @param {[string, number, number][]} inputs file, size, mtime in ms */
async function unchanged(inputs) {
  try {
    const stats = await Promise.all(inputs.map(([file]) => stat(file)));
    return stats.every((s, i) => s.size === inputs[i][1] && s.mtimeMs === inputs[i][2]);
  } catch {
    return false;
  }
}

/** @param {string} entry @param {import('./bundled-entry.d.ts').BundleOptions} options */
async function build(entry, { packages, sourceMap }, cacheDir, name, manifestFile, key) {
  // An unwritable cache fails here, before the build's cost.
  await mkdir(cacheDir, { recursive: true });
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: packages === 'external' ? 'external' : undefined,
    outdir: path.join(cacheDir, 'pending'),
    entryNames: '[name]',
    sourcemap: sourceMap ? 'linked' : false,
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    // CommonJS packages bundled into ESM still call require() for Node's own modules.
    banner:
      packages === 'bundle'
        ? { js: "import { createRequire as __loadlabRequire } from 'node:module'; const require = __loadlabRequire(import.meta.url);" }
        : undefined,
    plugins: [sourceLocationPlugin, compileTimeOnlyPlugin],
  });
  const pending = path.join(cacheDir, `${name}-${randomBytes(6).toString('hex')}.pending`);
  await mkdir(pending, { recursive: true });
  for (const file of result.outputFiles) {
    const target = path.join(pending, path.relative(path.join(cacheDir, 'pending'), file.path));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.contents);
  }
  const digest = createHash('sha256');
  for (const file of result.outputFiles) digest.update(file.path).update(file.contents);
  const output = `${name}-${digest.digest('hex').slice(0, 16)}`;
  await rename(pending, path.join(cacheDir, output)).catch(async () => {
    // Another process built the same bundle at the same time: theirs is identical.
    await rm(pending, { recursive: true, force: true });
  });
  const files = [...Object.keys(result.metafile.inputs).map((file) => path.resolve(ROOT, file)), ...BUILD_INPUTS];
  const stats = await Promise.all(files.map((file) => stat(file)));
  const inputs = files.map((file, i) => [file, stats[i].size, stats[i].mtimeMs]);
  const main = `${path.basename(entry).replace(/\.[cm]?[jt]s$/, '')}.js`;
  const temporary = `${manifestFile}.${randomBytes(6).toString('hex')}`;
  await writeFile(temporary, JSON.stringify({ key, inputs, output, main }));
  await rename(temporary, manifestFile);
  await removeReplaced(cacheDir, name, output);
  return pathToFileURL(path.join(cacheDir, output, main)).href;
}

async function removeReplaced(cacheDir, name, current) {
  const now = Date.now();
  for (const entry of await readdir(cacheDir)) {
    if (!entry.startsWith(`${name}-`) || entry === current || entry.endsWith('.json')) continue;
    const folder = path.join(cacheDir, entry);
    const info = await stat(folder).catch(() => null);
    if (info && now - info.mtimeMs > KEEP_REPLACED_MS) await rm(folder, { recursive: true, force: true });
  }
}

// The bundle lives elsewhere than its sources, so each module's import.meta.url and .dirname are
// replaced by those of its source file: files found next to the sources (package.json, the
// dashboard's page, worker-entry.js) are still found.
const sourceLocationPlugin = {
  name: 'source-location',
  /** @param {import('esbuild').PluginBuild} build */
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const contents = source
        .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href))
        .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(path.dirname(args.path)))
        .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
      return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
};

// esbuild (native, cannot be bundled) compiles scripts on the main thread; the worker imports the
// module that does so for its other exports only. Marked free of side effects, the import is dropped
// wherever none of its bindings is used, and kept wherever one is.
const compileTimeOnlyPlugin = {
  name: 'compile-time-only',
  /** @param {import('esbuild').PluginBuild} build */
  setup(build) {
    build.onResolve({ filter: /^esbuild$/ }, (args) => ({ path: args.path, external: true, sideEffects: false }));
  },
};
