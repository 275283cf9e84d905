// Runs one case on real k6 (a child process) and on the embedded engine (in-process runTest, or the
// loadlab CLI as a child process when the case is about the CLI or signals), recording what a user sees.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTestOptionsFromArgs } from '../../../cli/run.ts';
import { runTest } from '../../../engine/index.ts';
import { K6 } from './k6-binary.ts';
import type { Target } from './target.ts';

export interface JsonMetric {
  type: string;
  contains: string;
  thresholds: string[];
  submetrics: unknown;
}

export interface JsonPoint {
  metric: string;
  time: string;
  value: number;
  tags: Record<string, string>;
}

export interface RunRecord {
  /** 'k6', 'embedded (2 workers)', 'loadlab CLI' … */
  label: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The data handleSummary got (captured by the harness's handleSummary, or the case's own via __ENV.CONFORMANCE_SUMMARY). */
  summary: SummaryLike | null;
  /** The --summary-export file, parsed. */
  summaryExport: Record<string, unknown> | null;
  jsonMetrics: Map<string, JsonMetric>;
  jsonPoints: JsonPoint[];
  /** Requests the target got per route pattern during this run, and the TCP connections it accepted. */
  requests: Record<string, number>;
  connections: number;
  /** Folder the run's files are in (__ENV.OUT_DIR for the script). */
  dir: string;
  wallMs: number;
}

export interface SummaryLike {
  metrics: Record<string, { type: string; contains: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
  root_group: GroupLike;
  options: Record<string, unknown>;
  state: Record<string, unknown>;
}

export interface GroupLike {
  name: string;
  path: string;
  id: string;
  groups: GroupLike[];
  checks: { name: string; path: string; id: string; passes: number; fails: number }[];
}

export interface RunSpec {
  /** The script file both engines run. */
  script: string;
  /** k6 `run` flags given to both (the embedded engine gets them through loadlab's own flag parser). */
  flags: string[];
  /** Extra environment of the process (K6_* variables, __ENV). */
  systemEnv: Record<string, string>;
  target: Target;
  /** Send this signal to the run this long after it started (in-process: abort the run's signal). */
  interrupt?: { afterMs: number; signal?: NodeJS.Signals; repeat?: number };
  timeoutMs: number;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const baseDir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-conformance-'));
let runCounter = 0;

export function newCaseDir(name: string): string {
  const dir = path.join(baseDir, `${++runCounter}-${name.replace(/[^\w.-]+/g, '-').slice(0, 60)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes the case's script (a summary-capturing handleSummary appended unless the script has its own). */
export function writeCaseScript(dir: string, source: string, extension: 'js' | 'ts', captureSummary: boolean): string {
  const file = path.join(dir, `script.${extension}`);
  const capture =
    captureSummary && !/\bhandleSummary\b/.test(source)
      ? '\nexport function handleSummary(data) { return { [__ENV.CONFORMANCE_SUMMARY]: JSON.stringify(data) }; }\n'
      : '';
  writeFileSync(file, source + capture);
  return file;
}

function readJson(file: string): Record<string, unknown> | null {
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  return text.trim() === '' ? null : (JSON.parse(text) as Record<string, unknown>);
}

function readJsonLines(file: string): { metrics: Map<string, JsonMetric>; points: JsonPoint[] } {
  const metrics = new Map<string, JsonMetric>();
  const points: JsonPoint[] = [];
  if (!existsSync(file)) return { metrics, points };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as { type: string; metric: string; data: Record<string, unknown> };
    if (entry.type === 'Metric') metrics.set(entry.metric, entry.data as unknown as JsonMetric);
    else if (entry.type === 'Point')
      points.push({ metric: entry.metric, ...(entry.data as { time: string; value: number; tags: Record<string, string> }) });
  }
  return { metrics, points };
}

function runFiles(dir: string, label: string) {
  const runDir = path.join(dir, label.replace(/[^\w]+/g, '-'));
  mkdirSync(runDir, { recursive: true });
  return {
    runDir,
    summaryExport: path.join(runDir, 'summary-export.json'),
    summary: path.join(runDir, 'summary.json'),
    json: path.join(runDir, 'out.json'),
  };
}

function record(
  label: string,
  files: ReturnType<typeof runFiles>,
  target: Target,
  exitCode: number,
  stdout: string,
  stderr: string,
  wallMs: number,
): RunRecord {
  const json = readJsonLines(files.json);
  return {
    label,
    exitCode,
    stdout,
    stderr,
    summary: readJson(files.summary) as SummaryLike | null,
    summaryExport: readJson(files.summaryExport),
    jsonMetrics: json.metrics,
    jsonPoints: json.points,
    requests: Object.fromEntries(target.counts),
    connections: target.connections,
    dir: files.runDir,
    wallMs,
  };
}

function commonArgs(files: ReturnType<typeof runFiles>, target: Target): string[] {
  return [
    '--summary-export',
    files.summaryExport,
    '--out',
    `json=${files.json}`,
    '-e',
    `TARGET=${target.url}`,
    '-e',
    `CONFORMANCE_SUMMARY=${files.summary}`,
    '-e',
    `OUT_DIR=${files.runDir}`,
  ];
}

/** The environment of a child run: ours without K6_* (so the machine's settings cannot leak in), plus the case's. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('K6_') && key !== 'LOADLAB_K6') env[key] = value;
  return { ...env, K6_NO_USAGE_REPORT: 'true', ...extra };
}

function spawnRun(
  command: string,
  args: string[],
  spec: RunSpec,
  cwd: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(spec.systemEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timers: NodeJS.Timeout[] = [];
    if (spec.interrupt) {
      const { afterMs, signal = 'SIGINT', repeat = 1 } = spec.interrupt;
      for (let i = 0; i < repeat; i++) timers.push(setTimeout(() => child.kill(signal), afterMs + i * 300));
    }
    const killer = setTimeout(() => {
      stderr += `\n[conformance harness] killed after ${spec.timeoutMs} ms\n`;
      child.kill('SIGKILL');
    }, spec.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      clearTimeout(killer);
      resolve({ exitCode: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1), stdout, stderr });
    });
  });
}

export async function runOnK6(spec: RunSpec, dir: string, binary = K6): Promise<RunRecord> {
  if (!binary) throw new Error('no k6 binary');
  const label = binary === K6 ? 'k6' : path.basename(binary);
  const files = runFiles(dir, label);
  spec.target.reset();
  const started = Date.now();
  const result = await spawnRun(
    binary,
    ['run', '--no-usage-report', ...commonArgs(files, spec.target), ...spec.flags, spec.script],
    spec,
    files.runDir,
  );
  return record(label, files, spec.target, result.exitCode, result.stdout, result.stderr, Date.now() - started);
}

/** The loadlab CLI as a user runs it (`node cli/loadlab.js run …`). */
export async function runOnCli(spec: RunSpec, dir: string): Promise<RunRecord> {
  const label = 'loadlab CLI';
  const files = runFiles(dir, label);
  spec.target.reset();
  const started = Date.now();
  const args = [
    path.join(repoRoot, 'cli', 'loadlab.js'),
    'run',
    ...commonArgs(files, spec.target),
    '--results-dir',
    path.join(files.runDir, 'results'),
    ...spec.flags,
    spec.script,
  ];
  const result = await spawnRun(process.execPath, args, spec, files.runDir);
  return record(label, files, spec.target, result.exitCode, result.stdout, result.stderr, Date.now() - started);
}

/** The embedded engine in this process, given the flags through loadlab's own `run` flag parser. */
export async function runOnEngine(spec: RunSpec, dir: string, workers: number | undefined): Promise<RunRecord> {
  const label = workers === undefined ? 'embedded' : `embedded (${workers} worker${workers === 1 ? '' : 's'})`;
  const files = runFiles(dir, label);
  spec.target.reset();
  const args = [
    ...commonArgs(files, spec.target),
    '--results-dir',
    path.join(files.runDir, 'results'),
    ...(workers === undefined ? [] : ['--workers', String(workers)]),
    ...spec.flags,
    spec.script,
  ];
  let options: Awaited<ReturnType<typeof runTestOptionsFromArgs>>;
  try {
    options = await runTestOptionsFromArgs(args);
  } catch (error) {
    // A flag loadlab does not accept: the CLI would exit with commander's error (loadlab maps it to 104).
    return record(label, files, spec.target, 104, '', `loadlab run rejected the flags: ${(error as Error).message}`, 0);
  }
  let stdout = '';
  let stderr = '';
  // The case's K6_* variables, and none of this process's: what the k6 side sees too.
  const systemEnv: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('K6_')) systemEnv[key] = value;
  Object.assign(systemEnv, spec.systemEnv);
  const controller = new AbortController();
  const timer = spec.interrupt ? setTimeout(() => controller.abort(), spec.interrupt.afterMs) : null;
  const started = Date.now();
  let exitCode: number;
  try {
    const result = await runTest({
      ...options,
      signal: controller.signal,
      systemEnv,
      stdout: { write: (chunk) => void (stdout += chunk.toString()) },
      stderr: { write: (chunk) => void (stderr += chunk.toString()) },
    });
    exitCode = result.exitCode;
  } catch (error) {
    exitCode = -1;
    stderr += `\n[conformance harness] runTest threw: ${(error as Error).stack}\n`;
  } finally {
    if (timer) clearTimeout(timer);
  }
  return record(label, files, spec.target, exitCode, stdout, stderr, Date.now() - started);
}
