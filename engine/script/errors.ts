// Errors with a meaning for the run's exit code (k6's errext codes).

/** exec.test.abort(): stop the whole test, exit 108. */
export class TestAbortError extends Error {
  override name = 'TestAbortError';
}

/** Something the script did that the engine cannot run: exit 107 with a clear message. */
export class ScriptError extends Error {
  override name = 'ScriptError';
}

/** Invalid options or configuration: exit 104. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const EXIT = {
  ok: 0,
  thresholdsFailed: 99,
  invalidConfig: 104,
  externalAbort: 105,
  scriptException: 107,
  scriptAborted: 108,
} as const;
