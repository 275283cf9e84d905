// Worker threads start here. They load the engine from a cached plain-JS bundle of worker.ts
// (bundled-entry.js), in a quarter of a second; only where that cannot be had is tsx registered in the
// worker itself (loaders of the parent thread do not carry over), which costs over a second per worker.
// No source map: the script's own stack traces are mapped by the engine (script/stack.ts), which
// drops engine frames anyway.
import { bundledEntry } from './bundled-entry.js';

const source = new URL('./worker.ts', import.meta.url);
const bundle = await bundledEntry(source.pathname, { packages: 'bundle', sourceMap: false });
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
}
