// `--out json=FILE`: k6's JSON-lines output. One "Metric" line the first time a metric is seen,
// then one "Point" line per sample; buffered and flushed every 200 ms like k6; a `.gz` name gzips;
// no name or `-` writes to the run's stdout.
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type {
  MetricDescriptor,
  Output,
  OutputFactory,
  OutputParams,
  SampleContainer,
  SampleMetadata,
  Tags,
  TextStream,
} from '../metrics/types.ts';
import { formatRfc3339Nano } from './rfc3339.ts';

const FLUSH_INTERVAL_MS = 200;
/** Flush early past this many buffered characters, so a burst never holds much memory. */
const FLUSH_CHARS = 1 << 20;
/** When the file (or gzip) falls this far behind, lines are dropped rather than memory growing without end. */
const MAX_PENDING_BYTES = 256 << 20;

export function metricDefinitionLine(metric: MetricDescriptor): string {
  return JSON.stringify({
    type: 'Metric',
    data: { name: metric.name, type: metric.type, contains: metric.contains, thresholds: [], submetrics: null },
    metric: metric.name,
  });
}

/** k6 writes metadata values as strings: {"vu":"1","iter":"0"}. */
function metadataJson(metadata: SampleMetadata): string {
  const parts: string[] = [];
  if (metadata.vu !== undefined) parts.push(`"vu":"${metadata.vu}"`);
  if (metadata.iter !== undefined) parts.push(`"iter":"${metadata.iter}"`);
  return `{${parts.join(',')}}`;
}

function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

export class JsonOutput implements Output {
  readonly description: string;
  /** Metric name → its JSON-quoted form; a name is here once its Metric line was written. */
  private readonly metricNames = new Map<string, string>();
  /** The engine's tag sets are frozen and shared between samples: serialise each once. */
  private readonly tagsJson = new WeakMap<Tags, string>();
  private buffer: string[] = [];
  /** Buffer indexes of Metric definition lines. */
  private definitions: number[] = [];
  private bufferedChars = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Where lines go: the run's stdout, the file, or the gzip stream in front of it. */
  private sink: TextStream | null = null;
  /** The stream this output opened and must end (the file or its gzip); null on stdout, which is not ours to end. */
  private opened: Writable | null = null;
  private file: Writable | null = null;
  private failed = false;
  private droppedLines = 0;

  constructor(private readonly params: OutputParams) {
    const name = params.argument;
    this.description = name === '' || name === '-' ? 'json(stdout)' : `json (${name})`;
  }

  async start(): Promise<void> {
    const name = this.params.argument;
    if (name === '' || name === '-') {
      this.sink = this.params.stdout ?? process.stdout;
    } else {
      let file: Writable;
      try {
        mkdirSync(dirname(name), { recursive: true });
        file = createWriteStream(name);
        await once(file, 'open');
      } catch (error) {
        throw new Error(`--out json: cannot create ${name}: ${(error as Error).message}`);
      }
      file.on('error', (error) => this.fail(error));
      this.file = file;
      if (name.endsWith('.gz')) {
        // Level 1: JSON lines still shrink ~10×, and compression is what limits this output under load.
        const gzip = createGzip({ level: 1 });
        gzip.on('error', (error) => this.fail(error));
        gzip.pipe(file);
        this.opened = gzip;
      } else {
        this.opened = file;
      }
      this.sink = this.opened;
    }
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  addMetricSamples(containers: readonly SampleContainer[]): void {
    for (const container of containers) {
      // Time and tags are shared by the container's samples: serialise them once.
      const head = `{"type":"Point","data":{"time":"${formatRfc3339Nano(container.time)}","value":`;
      const metadata = container.metadata;
      const tail =
        metadata === undefined
          ? `,"tags":${this.serialiseTags(container.tags)}},"metric":`
          : `,"tags":${this.serialiseTags(container.tags)},"metadata":${metadataJson(metadata)}},"metric":`;
      for (const sample of container.samples) {
        const metric = sample.metric;
        let quotedName = this.metricNames.get(metric.name);
        if (quotedName === undefined) {
          quotedName = JSON.stringify(metric.name);
          this.metricNames.set(metric.name, quotedName);
          // Definitions stay in order with the points but are never dropped (see flush).
          this.definitions.push(this.buffer.length);
          this.push(`${metricDefinitionLine(metric)}\n`);
        }
        this.push(`${head}${jsonNumber(sample.value)}${tail}${quotedName}}\n`);
      }
    }
    if (this.bufferedChars >= FLUSH_CHARS) this.flush();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.flush();
    if (this.droppedLines > 0) this.params.log(`--out json (${this.params.argument}): ${this.droppedLines} lines dropped in total`);
    const opened = this.opened;
    this.sink = null;
    this.opened = null;
    if (opened === null) return;
    opened.end();
    if (this.file !== null && !this.failed) await once(this.file, 'close');
  }

  private serialiseTags(tags: Tags): string {
    let json = this.tagsJson.get(tags);
    if (json === undefined) {
      json = JSON.stringify(tags);
      // Only a frozen object is sure to carry the same tags next time.
      if (Object.isFrozen(tags)) this.tagsJson.set(tags, json);
    }
    return json;
  }

  private push(line: string): void {
    this.buffer.push(line);
    this.bufferedChars += line.length;
  }

  private flush(): void {
    if (this.buffer.length === 0 || this.sink === null) return;
    const buffer = this.buffer;
    const definitions = this.definitions;
    this.buffer = [];
    this.definitions = [];
    this.bufferedChars = 0;
    if (this.failed) return;
    // A Node stream (the file, gzip, process.stdout piped to a slow reader) reports what it still holds; a capture does not.
    if (((this.sink as { writableLength?: number }).writableLength ?? 0) > MAX_PENDING_BYTES) {
      if (this.droppedLines === 0) {
        this.params.log(`--out json (${this.params.argument}): the file cannot keep up with the sample rate, dropping lines`);
      }
      this.droppedLines += buffer.length - definitions.length;
      if (definitions.length > 0) this.sink.write(definitions.map((index) => buffer[index]).join(''));
      return;
    }
    this.sink.write(buffer.join(''));
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.params.log(`--out json (${this.params.argument}): writing failed, further samples dropped: ${error.message}`);
  }
}

export const createJsonOutput: OutputFactory = (params) => new JsonOutput(params);
