// `loadlab …` in the test's own process: the same program the bin runs (cli/program.ts), with what it
// writes captured and its exit code read instead of ending the process. For what a spawn would prove
// nothing more about (help, flag parsing, refusals with their reasons); exit codes of the bin itself,
// signals and whole runs are still tested on spawned processes.
import { CommanderError } from 'commander';
import { k6StyleArgs, loadlabProgram } from '../../cli/program.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function loadlabInProcess(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const originalOut = process.stdout.write;
  const originalErr = process.stderr.write;
  const savedExitCode = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const program = await loadlabProgram(args, (command) =>
      command.exitOverride().configureOutput({ writeOut: (text) => void (stdout += text), writeErr: (text) => void (stderr += text) }),
    );
    try {
      await program.parseAsync(k6StyleArgs(args), { from: 'user' });
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      return { code: error.exitCode, stdout, stderr };
    }
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
    process.exitCode = savedExitCode;
  }
}
