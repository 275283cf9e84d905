// The results folder, results/<run-id>/ (docs/CONTRACTS.md section 2). The writer is an Output:
// it folds samples into 1-second aggregates per metric and tag set and appends them to
// timeseries.jsonl as each second closes, so an interrupted run keeps what was measured. A trend's
// line carries its HDR histogram, so readers merge seconds and tag sets into exact percentiles.
// summary.json and meta.json are written at the end by the functions below.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type DigestConsumer, type DigestEntry, foldSamples } from '../metrics/digest.ts';
import { SecondBuckets } from '../metrics/second-buckets.ts';
import { createSink, type EncodedTrend, mergeSink, type Sink } from '../metrics/sinks.ts';
import type { SummaryData } from '../metrics/summary.ts';
import type { MetricDescriptor, Output, OutputParams, SampleContainer, Tags } from '../metrics/types.ts';
import { PER_REQUEST_TAGS, SeriesKeys } from '../metrics/series-key.ts';
import { InvalidConfigError } from '../errors.ts';

/** High-cardinality tags left out of the time series (`name` carries the URL). */
export const TIMESERIES_EXCLUDED_TAGS: ReadonlySet<string> = PER_REQUEST_TAGS;
/** A second is written once it is this far behind the clock: worker batches arrive a little late. */
const CLOSE_DELAY_MS = 2000;
/** Per-second trends keep this many exact values before switching to a histogram. */
const SECOND_TREND_EXACT_LIMIT = 1000;

/** Trend lines also carry `hdr` (and `hdrNeg` for negative values): the second's HDR histogram, see TrendSink.encode. */
export interface TimeseriesLine extends EncodedTrend {
  t: number;
  metric: string;
  type: MetricDescriptor['type'];
  tags: Record<string, string>;
  values: Record<string, number>;
}

interface SeriesEntry {
  readonly metric: MetricDescriptor;
  readonly tags: Record<string, string>;
  readonly sink: Sink;
}

/** The entries of one tag set in one second, by metric name. */
type Series = Map<string, SeriesEntry>;

/** One second: tag set key → series; the engine's frozen, shared tag objects also find theirs directly. */
interface SecondBucket {
  readonly byKey: Map<string, Series>;
  readonly byTags: Map<Tags, Series>;
}

export function timeseriesValues(sink: Sink): Record<string, number> {
  if (sink.type === 'counter') return { count: sink.value };
  if (sink.type === 'rate') return { passes: sink.passes, fails: sink.fails };
  if (sink.type === 'gauge') return { value: sink.value, max: sink.max };
  const trend = sink;
  return {
    count: trend.count,
    sum: trend.sum,
    min: trend.min,
    max: trend.max,
    avg: trend.avg,
    p50: trend.percentile(50),
    p90: trend.percentile(90),
    p95: trend.percentile(95),
    p99: trend.percentile(99),
  };
}

export class ResultsDirOutput implements Output, DigestConsumer {
  readonly description: string;
  private readonly seconds = new SecondBuckets<SecondBucket>(() => ({ byKey: new Map(), byTags: new Map() }));
  /** One tag set is one series whatever its key order. */
  private readonly seriesKeys = new SeriesKeys();
  private stream: WriteStream | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failed = false;

  constructor(
    private readonly params: Pick<OutputParams, 'runDir' | 'log'>,
    private readonly now: () => number = Date.now,
  ) {
    this.description = `results (${params.runDir})`;
  }

  get timeseriesPath(): string {
    return join(this.params.runDir, 'timeseries.jsonl');
  }

  async start(): Promise<void> {
    await mkdir(this.params.runDir, { recursive: true });
    const stream = createWriteStream(this.timeseriesPath, { flags: 'a' });
    await once(stream, 'open');
    stream.on('error', (error) => {
      if (this.failed) return;
      this.failed = true;
      this.params.log(`results: writing ${this.timeseriesPath} failed, time series lost: ${error.message}`);
    });
    this.stream = stream;
    this.timer = setInterval(() => this.flushClosedSeconds(this.now() - CLOSE_DELAY_MS), 1000);
    this.timer.unref();
  }

  addMetricSamples(containers: readonly SampleContainer[]): void {
    this.addDigest(foldSamples(containers));
  }

  addDigest(entries: readonly DigestEntry[]): void {
    for (const { second, tags, metric, sink } of entries) {
      const bucket = this.seconds.of(second);
      const series = bucket.byTags.get(tags) ?? this.seriesOf(bucket, tags);
      let entry = series.get(metric.name);
      if (entry === undefined) {
        entry = {
          metric,
          tags: { ...this.seriesKeys.of(tags).tags },
          sink: createSink(metric.type, SECOND_TREND_EXACT_LIMIT),
        };
        series.set(metric.name, entry);
      }
      mergeSink(entry.sink, sink);
    }
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.flushClosedSeconds(Number.POSITIVE_INFINITY);
    const stream = this.stream;
    this.stream = null;
    if (stream === null) return;
    stream.end();
    if (!this.failed) await once(stream, 'close');
  }

  /** Writes and forgets every second that ended before `beforeMs`. */
  flushClosedSeconds(beforeMs: number): void {
    const closed = this.seconds
      .seconds()
      .filter((second) => (second + 1) * 1000 <= beforeMs)
      .sort((a, b) => a - b);
    if (closed.length === 0) return;
    const lines: string[] = [];
    for (const second of closed) {
      for (const series of this.seconds.get(second)!.byKey.values()) {
        for (const entry of series.values()) {
          const line: TimeseriesLine = {
            t: second,
            metric: entry.metric.name,
            type: entry.metric.type,
            tags: entry.tags,
            values: timeseriesValues(entry.sink),
          };
          if (entry.sink.type === 'trend') Object.assign(line, entry.sink.encode());
          lines.push(JSON.stringify(line));
          if (entry.sink.type === 'trend') entry.sink.release();
        }
      }
      this.seconds.delete(second);
    }
    if (this.stream !== null && !this.failed) this.stream.write(`${lines.join('\n')}\n`);
  }

  private seriesOf(bucket: SecondBucket, tags: Tags): Series {
    const key = this.seriesKeys.of(tags).key;
    let series = bucket.byKey.get(key);
    if (series === undefined) {
      series = new Map();
      bucket.byKey.set(key, series);
    }
    // Only a frozen object is sure to carry the same tags next time.
    if (Object.isFrozen(tags)) bucket.byTags.set(tags, series);
    return series;
  }
}

export class RunIdError extends InvalidConfigError {
  override name = 'RunIdError';
}

/**
 * results/<run-id>: a run id names one folder inside the results folder, so `--run-id ../../x` (or an
 * absolute path) is refused rather than writing wherever it points. Null when the id is fine.
 */
export function runIdProblem(resultsDir: string, runId: string): string | null {
  const root = resolve(resultsDir);
  const confined = runId.trim() !== '' && !/[\\/]/.test(runId) && !runId.includes('\0') && runId !== '.' && runId !== '..';
  if (confined && dirname(resolve(root, runId)) === root) return null;
  return `invalid run id ${JSON.stringify(runId)}: a run id names one folder inside the results folder (${root}), so it may not contain "/" or "\\", nor be "." or ".."`;
}

/** results/<run-id>, or a RunIdError when the id would leave the results folder. */
export function resolveRunDir(resultsDir: string, runId: string): string {
  const problem = runIdProblem(resultsDir, runId);
  if (problem !== null) throw new RunIdError(problem);
  return join(resultsDir, runId);
}

export function createResultsDirOutput(params: Pick<OutputParams, 'runDir' | 'log'>): ResultsDirOutput {
  return new ResultsDirOutput(params);
}

/** summary.json: the handleSummary data, as is. */
export async function writeSummaryJson(runDir: string, data: SummaryData): Promise<string> {
  await mkdir(runDir, { recursive: true });
  const path = join(runDir, 'summary.json');
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

export interface RunMetaInput {
  runId: string;
  script: string;
  engine: 'embedded' | 'k6';
  startTime: Date;
  endTime: Date;
  exitCode: number;
  interrupted: boolean;
  thresholdsOk: boolean;
  workers: number;
  /** The merged k6 options. */
  options: Record<string, unknown>;
  /** -e KEY=VALUE; values of keys containing SECRET, PASSWORD or TOKEN are redacted. */
  env: Record<string, string>;
  tags: Record<string, string>;
  /** Anything else for meta.json (profile, targets, ...); spread at the top level. */
  meta?: Record<string, unknown>;
}

const SENSITIVE_KEY = /SECRET|PASSWORD|TOKEN/i;
export const REDACTED = '<redacted>';

export function redactEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, SENSITIVE_KEY.test(key) ? REDACTED : value]));
}

/** The checkout's commit, or null outside a git checkout. */
export function gitRevision(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim();
  } catch {
    return null;
  }
}

/** meta.json: run metadata (CONTRACTS.md section 2). Returns what was written. */
export async function writeMetaJson(runDir: string, input: RunMetaInput): Promise<Record<string, unknown>> {
  const meta: Record<string, unknown> = {
    runId: input.runId,
    script: input.script,
    engine: input.engine,
    startTime: input.startTime.toISOString(),
    endTime: input.endTime.toISOString(),
    durationMs: input.endTime.getTime() - input.startTime.getTime(),
    exitCode: input.exitCode,
    interrupted: input.interrupted,
    thresholdsOk: input.thresholdsOk,
    gitRevision: gitRevision(),
    hostname: hostname(),
    workers: input.workers,
    options: input.options,
    env: redactEnv(input.env),
    tags: input.tags,
    ...input.meta,
  };
  await mkdir(runDir, { recursive: true });
  await writeFile(join(runDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}
