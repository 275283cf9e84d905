// The embedded k6-compatible engine (docs/CONTRACTS.md, section 1).
export { validateOptions } from './options/config.ts';
export { parseDuration } from './options/duration.ts';
export { type RunTestOptions, type RunTestResult, runTest } from './run/run-test.ts';
export { SUPPORTED_MODULES } from './modules/sources.ts';
export type { TextStream } from './metrics/types.ts';
// The error catalogue; a leaf module, so mocks/ and reports/ import engine/errors.ts itself and not the engine.
export {
  EXIT,
  type ExitCode,
  exitCodeOf,
  InterruptedError,
  InvalidConfigError,
  LoadlabError,
  reportCliError,
  ScriptCompileError,
  ScriptError,
  TestAbortError,
} from './errors.ts';
