// Types of bundled-entry.js, which is plain JavaScript because it runs before any TypeScript loader.
export interface BundleOptions {
  /** Bundle npm packages too (a worker thread starts in a quarter of the time) or leave them to Node. */
  packages: 'bundle' | 'external';
  /** Write a linked source map. */
  sourceMap: boolean;
  /** Where bundles live; LOADLAB_CACHE_DIR, else node_modules/.cache/loadlab. */
  cacheDir?: string;
}

/** The file URL of an up-to-date bundle of `entry`, built if needed; null where the cache cannot be written or the build fails. */
export function bundledEntry(entry: string, options: BundleOptions): Promise<string | null>;
