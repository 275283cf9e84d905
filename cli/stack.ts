// `loadlab stack up|down|status`: a local Prometheus with the project's config (deploy/prometheus.yml),
// scraping the mocks and receiving remote write, data under results/prometheus/. It runs the
// Prometheus found on PATH (the Debian package); Grafana comes with deploy/docker-compose.yml.

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT, InvalidConfigError } from '../engine/errors.ts';
import { cliAction } from './errors.ts';

const DEFAULT_PORT = 9090;
const READY_TIMEOUT_MS = 30_000;

export interface PrometheusLaunch {
  /** Path of the Prometheus config file. */
  configFile: string;
  /** TSDB folder; created when missing. */
  dataDir: string;
  host?: string;
  port: number;
  /** Detached: survives this process (the stack); attached: dies with it (tests). */
  detached?: boolean;
  /** File receiving Prometheus' own log; default: discarded. */
  logFile?: string;
  /** Extra retention etc.; the remote-write receiver and native histograms are always on. */
  extraArgs?: string[];
}

/** The Prometheus binary on PATH, or null. */
export function findPrometheus(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'prometheus');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export const PROMETHEUS_MISSING =
  'Prometheus is not installed (no `prometheus` on PATH). Install it with `sudo apt-get install prometheus` ' +
  '(Debian/Ubuntu; loadlab starts it itself, no system service needed), or run Prometheus and Grafana ' +
  'in Docker: `docker compose -f deploy/docker-compose.yml up -d`.';

/** Starts Prometheus with the remote-write receiver; resolves once /-/ready answers. */
export async function launchPrometheus(options: PrometheusLaunch): Promise<{ url: string; child: ChildProcess }> {
  const binary = findPrometheus();
  if (!binary) throw new Error(PROMETHEUS_MISSING);
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.dataDir, { recursive: true });
  const logFd = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(
    binary,
    [
      `--config.file=${options.configFile}`,
      `--storage.tsdb.path=${options.dataDir}`,
      `--web.listen-address=${host}:${options.port}`,
      '--web.enable-remote-write-receiver',
      '--enable-feature=native-histograms',
      ...(options.extraArgs ?? []),
    ],
    { detached: options.detached ?? false, stdio: ['ignore', logFd, logFd] },
  );
  const url = `http://${host}:${options.port}`;
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `Prometheus exited (${signal ?? `code ${code}`}) before it was ready`;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(options.logFile ? `${exited}; see ${options.logFile}` : exited);
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) {
        if (options.detached) child.unref();
        return { url, child };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`Prometheus did not become ready at ${url}/-/ready within ${READY_TIMEOUT_MS / 1000} s`);
}

interface StackState {
  pid: number;
  url: string;
  startedAt: string;
}

function stateFile(dataRoot: string): string {
  return join(dataRoot, 'stack.json');
}

function readState(dataRoot: string): StackState | null {
  const file = stateFile(dataRoot);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackState;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function up(options: { port: string; results: string }): Promise<void> {
  const dataRoot = resolve(options.results, 'prometheus');
  const existing = readState(dataRoot);
  if (existing && isRunning(existing.pid)) {
    console.log(`Prometheus already running: ${existing.url} (pid ${existing.pid})`);
    return;
  }
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidConfigError(`--port: '${options.port}' is not a TCP port`);
  // Before any folder is made or anything printed: the missing tool is the one thing to say.
  if (!findPrometheus()) throw new Error(PROMETHEUS_MISSING);
  const configFile = resolve(import.meta.dirname, '..', 'deploy', 'prometheus.yml');
  const logFile = join(dataRoot, 'prometheus.log');
  mkdirSync(dataRoot, { recursive: true });
  console.log(`Starting Prometheus on 127.0.0.1:${port} (config ${configFile}, data ${join(dataRoot, 'data')}) ...`);
  const { url, child } = await launchPrometheus({ configFile, dataDir: join(dataRoot, 'data'), port, detached: true, logFile });
  const state: StackState = { pid: child.pid!, url, startedAt: new Date().toISOString() };
  writeFileSync(stateFile(dataRoot), JSON.stringify(state, null, 2) + '\n');
  console.log(`Prometheus ready: ${url}`);
  console.log(`  remote write: ${url}/api/v1/write  (K6_PROMETHEUS_RW_SERVER_URL; the default when the port is 9090)`);
  console.log('  scrapes the mocks on 127.0.0.1:7101-7103 every second; log: ' + logFile);
  console.log('  Grafana with the dashboards: docker compose -f deploy/docker-compose.yml up -d grafana');
}

async function down(options: { results: string }): Promise<void> {
  const dataRoot = resolve(options.results, 'prometheus');
  const state = readState(dataRoot);
  if (!state || !isRunning(state.pid)) {
    console.log('Prometheus (loadlab stack) is not running.');
    rmSync(stateFile(dataRoot), { force: true });
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (isRunning(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isRunning(state.pid)) process.kill(state.pid, 'SIGKILL');
  rmSync(stateFile(dataRoot), { force: true });
  console.log(`Prometheus stopped (pid ${state.pid}); data kept in ${join(dataRoot, 'data')}`);
}

async function status(options: { results: string }): Promise<void> {
  const dataRoot = resolve(options.results, 'prometheus');
  const state = readState(dataRoot);
  if (!state || !isRunning(state.pid)) {
    console.log('Prometheus (loadlab stack): not running. Start it with `loadlab stack up`.');
    // 3 as an LSB init script's `status` for "not running": a script can tell it from a broken stack (1).
    process.exitCode = 3;
    return;
  }
  let ready = false;
  try {
    ready = (await fetch(`${state.url}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    ready = false;
  }
  console.log(
    `Prometheus (loadlab stack): ${ready ? 'ready' : 'running, not ready'} at ${state.url} (pid ${state.pid}, since ${state.startedAt})`,
  );
  if (!ready) process.exitCode = EXIT.failed;
}

export function register(program: Command): void {
  const stack = program
    .command('stack')
    .description('a local Prometheus (scrapes the mocks, receives remote write) for the Grafana dashboards');
  stack
    .command('up')
    .description('start Prometheus from PATH with deploy/prometheus.yml; waits until ready and prints the URL')
    .option('--port <port>', 'listen port on 127.0.0.1', String(DEFAULT_PORT))
    .option('--results <dir>', 'results folder; data goes to <dir>/prometheus', 'results')
    .action(cliAction('stack up', up));
  stack
    .command('down')
    .description('stop the Prometheus started by `stack up` (data is kept)')
    .option('--results <dir>', 'results folder', 'results')
    .action(cliAction('stack down', down));
  stack
    .command('status')
    .description('is the stack running and ready?')
    .option('--results <dir>', 'results folder', 'results')
    .action(cliAction('stack status', status));
}
