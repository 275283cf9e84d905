// Samples folded into series: one sink per second, tag set and metric. The metrics engine, the
// results folder, the summary's breakdown and the progress tally take their samples in this form,
// so a worker thread folds where the samples are made and sends a few sinks per batch instead of
// every sample (a GET loop on one core then makes about a fifth more requests per second).
import { SecondBuckets } from './second-buckets.ts';
import { createSink, type Sink, TrendSink } from './sinks.ts';
import type { MetricDescriptor, SampleContainer, Tags } from './types.ts';

export interface DigestEntry {
  /** The second the samples fall in (Unix seconds). */
  readonly second: number;
  readonly tags: Tags;
  readonly metric: MetricDescriptor;
  /** The samples' aggregate; a trend's keeps every value, so consumers merge it exactly. */
  readonly sink: Sink;
}

/** What takes folded samples: the entries of a batch arrive in the order their first sample was made. */
export interface DigestConsumer {
  addDigest(entries: readonly DigestEntry[]): void;
}

/** One second's series of one tag set, by metric. */
type Row = Map<MetricDescriptor, DigestEntry>;

/**
 * Folds containers into entries. The order of first appearance is kept (k6 lists checks in the order
 * they first ran), and a gauge's entries follow the order of its samples: a gauge sample of another
 * series than the gauge's latest starts a new entry, so the last value merged is the last one made.
 */
export class SampleFolder {
  private entries: DigestEntry[] = [];
  private readonly rows = new SecondBuckets(() => ({ byTags: new Map<Tags, Row>(), byKey: new Map<string, Row>() }));
  private readonly latestGauge = new Map<MetricDescriptor, DigestEntry>();

  add(containers: readonly SampleContainer[]): void {
    for (let c = 0; c < containers.length; c++) this.addContainer(containers[c]);
  }

  addContainer(container: SampleContainer): void {
    const second = Math.floor(container.time / 1000);
    const row = this.rowOf(second, container.tags);
    const samples = container.samples;
    for (let s = 0; s < samples.length; s++) {
      const sample = samples[s];
      const metric = sample.metric;
      let entry = row.get(metric);
      if (metric.type === 'gauge') {
        if (entry === undefined || this.latestGauge.get(metric) !== entry) entry = this.newEntry(row, second, container.tags, metric);
        this.latestGauge.set(metric, entry);
      } else if (entry === undefined) entry = this.newEntry(row, second, container.tags, metric);
      entry.sink.add(sample.value);
    }
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The entries folded since the last take, in order; the folder starts empty again. */
  take(): DigestEntry[] {
    const entries = this.entries;
    this.entries = [];
    this.rows.clear();
    this.latestGauge.clear();
    return entries;
  }

  private rowOf(second: number, tags: Tags): Row {
    const rows = this.rows.of(second);
    let row = rows.byTags.get(tags);
    if (row !== undefined) return row;
    let key = '';
    for (const name in tags) key += `${name}\u0000${tags[name]}\u0001`;
    row = rows.byKey.get(key);
    if (row === undefined) {
      row = new Map();
      rows.byKey.set(key, row);
    }
    rows.byTags.set(tags, row);
    return row;
  }

  private newEntry(row: Row, second: number, tags: Tags, metric: MetricDescriptor): DigestEntry {
    // A trend's values all travel: an unbounded exact sink, merged value by value where it lands.
    const sink = metric.type === 'trend' ? new TrendSink(Number.POSITIVE_INFINITY) : createSink(metric.type);
    const entry: DigestEntry = { second, tags, metric, sink };
    row.set(metric, entry);
    this.entries.push(entry);
    return entry;
  }
}

/** The containers as entries: how a consumer of digests takes samples made where they are consumed. */
export function foldSamples(containers: readonly SampleContainer[]): DigestEntry[] {
  const folder = new SampleFolder();
  folder.add(containers);
  return folder.take();
}

export function isDigestConsumer<T extends object>(value: T): value is T & DigestConsumer {
  return typeof (value as Partial<DigestConsumer>).addDigest === 'function';
}
