// `loadlab run` as a child process, as a user starts it: the dashboard's URL is read from what the run
// prints, and the run's exit code and output are collected when it ends.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  /** The dashboard's URL, once the run prints it; rejects if the run ends first. */
  readonly url: Promise<string>;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['cli/loadlab.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let resolveUrl: (url: string) => void;
  let rejectUrl: (error: Error) => void;
  const url = new Promise<string>((resolve, reject) => {
    resolveUrl = resolve;
    rejectUrl = reject;
  });
  url.catch(() => {});
  // `loadlab run` and `capacity` print the URL on stderr, `start` on stdout.
  const findUrl = () => {
    const match = /web dashboard: (http:\/\/\S+)/.exec(stderr) ?? /web dashboard: (http:\/\/\S+)/.exec(stdout);
    if (match) resolveUrl(match[1]);
  };
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    findUrl();
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    findUrl();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => {
      rejectUrl(new Error(`the run ended (exit ${code}) without a dashboard URL:\n${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
  return { url, done };
}
