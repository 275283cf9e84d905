#!/usr/bin/env node
// The published bin. It runs the CLI in this process, so signals (Ctrl-C) reach the CLI itself rather
// than a wrapper, and needs no build step: the CLI's TypeScript is bundled on first use into
// node_modules/.cache/loadlab and rebuilt whenever a source changes (engine/run/bundled-entry.js), so a
// start does not pay for registering tsx (≈0.3 s). Where that cache cannot be written, tsx loads the
// TypeScript in-process instead.
import { bundledEntry } from '../engine/run/bundled-entry.js';

const source = new URL('./index.ts', import.meta.url);
const bundle = await bundledEntry(source.pathname, { packages: 'external', sourceMap: true });
if (bundle) {
  // As tsx does: stack traces name the TypeScript files.
  process.setSourceMapsEnabled(true);
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
}
