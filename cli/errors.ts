// Every subcommand's action runs inside cliAction, so that whatever escapes it ends the command the same
// way (reportCliError: the reason on stderr, no stack trace, the catalogue's exit code) in every command.
import { reportCliError } from '../engine/errors.ts';

export function cliAction<A extends unknown[]>(command: string, action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      process.exitCode = reportCliError(command, error, process.stderr);
    }
  };
}
