// Reads a results folder (docs/CONTRACTS.md section 2) into typed data. Nothing here analyses;
// it only loads, so every analysis works the same on a plain run, a capacity search or a suite.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CapacityResult, RunMeta, ServiceSampleLine, SuiteManifest, SummaryData, TimeseriesLine } from '../results-format/index.ts';
import { InvalidConfigError } from '../engine/errors.ts';

export type {
  RunMeta,
  ServiceSampleLine,
  SuiteManifest,
  SummaryCheck,
  SummaryData,
  SummaryGroup,
  SummaryMetric,
  TimeseriesLine,
} from '../results-format/index.ts';

/** One k6 run: the unit every analysis works on. */
export interface LoadedRun {
  dir: string;
  meta: RunMeta;
  summary: SummaryData;
  timeseries: TimeseriesLine[];
  services: ServiceSampleLine[];
}

export type LoadedFolder =
  | { kind: 'run'; dir: string; run: LoadedRun }
  | { kind: 'capacity'; dir: string; capacity: CapacityResult; services: ServiceSampleLine[]; steps: LoadedRun[] }
  | {
      kind: 'suite';
      dir: string;
      manifest: SuiteManifest;
      runs: { name: string; run: LoadedRun }[];
      capacity?: LoadedFolder & { kind: 'capacity' };
    };

export class RunFolderError extends InvalidConfigError {}

function readJson<T>(path: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RunFolderError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new RunFolderError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const parsed: T[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      parsed.push(JSON.parse(line) as T);
    } catch {
      // A run interrupted mid-write leaves a partial last line; anything else is corruption.
      if (index < lines.length - 2) throw new RunFolderError(`${path}:${index + 1} is not valid JSON`);
    }
  });
  return parsed;
}

export function loadRun(dir: string): LoadedRun {
  const absolute = resolve(dir);
  if (!existsSync(join(absolute, 'summary.json'))) {
    throw new RunFolderError(`${absolute} has no summary.json: not a loadlab run folder`);
  }
  const summary = readJson<SummaryData>(join(absolute, 'summary.json'));
  if (!summary || typeof summary !== 'object' || typeof summary.metrics !== 'object') {
    throw new RunFolderError(`${join(absolute, 'summary.json')} lacks "metrics": not a k6 summary`);
  }
  const metaPath = join(absolute, 'meta.json');
  const meta = existsSync(metaPath) ? readJson<RunMeta>(metaPath) : { runId: absolute.split(/[\\/]/).pop() ?? '', startTime: '' };
  return {
    dir: absolute,
    meta,
    summary,
    timeseries: readJsonLines<TimeseriesLine>(join(absolute, 'timeseries.jsonl')),
    services: readJsonLines<ServiceSampleLine>(join(absolute, 'services.jsonl')),
  };
}

function loadCapacity(dir: string): LoadedFolder & { kind: 'capacity' } {
  const capacity = readJson<CapacityResult>(join(dir, 'capacity.json'));
  if (!Array.isArray(capacity.steps)) throw new RunFolderError(`${join(dir, 'capacity.json')} lacks "steps"`);
  const steps: LoadedRun[] = [];
  for (const step of capacity.steps) {
    if (step.runDir && existsSync(join(dir, step.runDir, 'summary.json'))) steps.push(loadRun(join(dir, step.runDir)));
  }
  return { kind: 'capacity', dir, capacity, services: readJsonLines<ServiceSampleLine>(join(dir, 'services.jsonl')), steps };
}

/** Loads a plain run, a capacity search or a suite, telling which by the files present. */
export function loadFolder(dir: string): LoadedFolder {
  const absolute = resolve(dir);
  if (!existsSync(absolute)) throw new RunFolderError(`${absolute} does not exist`);
  if (existsSync(join(absolute, 'suite.json'))) {
    const manifest = readJson<SuiteManifest>(join(absolute, 'suite.json'));
    const runs = manifest.runs.map((entry) => ({ name: entry.name, run: loadRun(join(absolute, entry.dir)) }));
    const capacity = manifest.capacity ? loadCapacity(join(absolute, manifest.capacity)) : undefined;
    return { kind: 'suite', dir: absolute, manifest, runs, capacity };
  }
  if (existsSync(join(absolute, 'capacity.json'))) return loadCapacity(absolute);
  if (existsSync(join(absolute, 'summary.json'))) return { kind: 'run', dir: absolute, run: loadRun(absolute) };
  const entries = readdirSync(absolute).slice(0, 8).join(', ');
  throw new RunFolderError(`${absolute} has none of summary.json, capacity.json, suite.json (found: ${entries || 'nothing'})`);
}
