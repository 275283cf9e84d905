// The error catalogue: every error loadlab reports to a user carries the exit code the command ends with,
// and every command maps errors to codes through exitCodeOf / reportCliError, so that the same failure
// exits the same way whichever command met it. The codes are k6's (go.k6.io/k6/errext/exitcodes); the
// table is in docs/CONTRACTS.md (section 5). This module imports nothing, so every folder may use it.

export const EXIT = {
  ok: 0,
  /**
   * The command failed for a reason k6 has no code for: a tool it needs is missing (Prometheus, k6), a port
   * is taken, a bug; also commander's usage errors (unknown flag, missing argument, a flag value its parser
   * refuses), printed with the usage.
   */
  failed: 1,
  thresholdsFailed: 99,
  setupTimeout: 100,
  teardownTimeout: 101,
  /** Invalid options, flags, configuration files, results folders, SLOs: nothing was run. */
  invalidConfig: 104,
  /** Ctrl-C or SIGTERM (an AbortSignal in-process): what was measured is kept. */
  externalAbort: 105,
  scriptException: 107,
  /** exec.test.abort() / fail() in the init context or a lifecycle function. */
  scriptAborted: 108,
  /** k6 v1's code for errors without one of their own: a script that cannot be read or compiled, an output that cannot start. */
  generic: 255,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error with a meaning for the exit code: the base of the catalogue. */
export class LoadlabError extends Error {
  override name = 'LoadlabError';
  constructor(
    readonly exitCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Invalid options or configuration (a flag, a config file, a results folder, an SLO): exit 104. */
export class InvalidConfigError extends LoadlabError {
  override name = 'InvalidConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(EXIT.invalidConfig, message, options);
  }
}

/** The command was interrupted (SIGINT/SIGTERM) before it could finish: exit 105. */
export class InterruptedError extends LoadlabError {
  override name = 'InterruptedError';
  constructor(message: string, options?: ErrorOptions) {
    super(EXIT.externalAbort, message, options);
  }
}

/** Something the script did that the engine cannot run: exit 107 with a clear message. */
export class ScriptError extends LoadlabError {
  override name = 'ScriptError';
  constructor(message: string, options?: ErrorOptions) {
    super(EXIT.scriptException, message, options);
  }
}

/** exec.test.abort(): stop the whole test, exit 108. */
export class TestAbortError extends LoadlabError {
  override name = 'TestAbortError';
  constructor(message: string, options?: ErrorOptions) {
    super(EXIT.scriptAborted, message, options);
  }
}

/** A script that cannot be read or compiled (k6 v1 exits 255 for it, before any VU exists). */
export class ScriptCompileError extends LoadlabError {
  override name = 'ScriptCompileError';
  constructor(message: string, options?: ErrorOptions) {
    super(EXIT.generic, message, options);
  }
}

/** The exit code an error ends a command with: its own for the catalogue's errors, 1 (failed) for anything else. */
export function exitCodeOf(error: unknown): number {
  return error instanceof LoadlabError ? error.exitCode : EXIT.failed;
}

/** Where reportCliError writes: process.stderr, or a capture in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/** JavaScript's own error classes: thrown by a bug (undefined.x, a bad regexp …), never on purpose. */
const BUG_CLASSES: readonly (new (...args: never[]) => Error)[] = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/**
 * Tells the user why `loadlab <command>` failed — the message, never a stack trace: the catalogue's messages
 * name the cause, and a bug's error keeps its class (`TypeError: …`) so that it reads as one — and returns
 * the exit code the command must end with.
 */
export function reportCliError(command: string, error: unknown, stderr: TextSink): number {
  const message = error instanceof Error ? error.message : String(error);
  const bug = BUG_CLASSES.some((type) => error instanceof type) ? `${(error as Error).name}: ` : '';
  stderr.write(`loadlab ${command}: ${bug}${message}\n`);
  return exitCodeOf(error);
}
