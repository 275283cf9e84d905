// The embedded k6-compatible engine (docs/CONTRACTS.md, section 1).
export { validateOptions } from './options/config.ts';
export { parseDuration } from './options/duration.ts';
export { type RunTestOptions, type RunTestResult, runTest } from './run/run-test.ts';
export { SUPPORTED_MODULES } from './modules/sources.ts';
