// k6's mapping of a metric and its tags to Prometheus series (k6 internal/output/prometheusrw):
//   counter -> k6_<name>_total  (the count since the start)
//   gauge   -> k6_<name>        (the last value)
//   rate    -> k6_<name>_rate   (non-zero samples / all samples, since the start)
//   trend   -> k6_<name>_<stat> per K6_PROMETHEUS_RW_TREND_STATS (time values in seconds), or,
//              as a native histogram, k6_<name>_seconds / _bytes / bare by the metric's unit.
// Every tag becomes a label except empty ones; `vu` and `iter` never do because k6 carries them as
// sample metadata, not tags. Labels are sorted by name, `__name__` included.

import type { MetricDescriptor, Tags } from '../../metrics/types.ts';
import { NativeHistogram } from './native-histogram.ts';
import { encodeLabels, type Label, type WriteRequestEncoder } from './protobuf.ts';
import { TrendDigest } from './trend-digest.ts';
import type { TrendStat } from './trend-stats.ts';

export const METRIC_PREFIX = 'k6_';
/** Tags that k6 keeps as metadata (never part of a time series). */
const METADATA_TAGS = new Set(['vu', 'iter']);

/** Prometheus accepts [a-zA-Z_][a-zA-Z0-9_]*; anything else would get the whole push rejected. */
function sanitizeName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? '_' + cleaned : cleaned;
}

/** The labels of a tag set, without `__name__`, sorted; static labels fill in absent names. */
export function tagsToLabels(tags: Tags, staticLabels: Readonly<Record<string, string>>): Label[] {
  const byName = new Map<string, string>();
  for (const [name, value] of Object.entries(staticLabels)) byName.set(sanitizeName(name), value);
  for (const name in tags) {
    const value = tags[name];
    if (name === '' || value === '' || value === undefined || METADATA_TAGS.has(name)) continue;
    byName.set(sanitizeName(name), String(value));
  }
  byName.delete('__name__');
  return [...byName].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const encodedNames = new Map<string, Uint8Array>();

/**
 * A tag set's labels, encoded once (lazily, at the first push) as the part sorting before
 * `__name__` and the part after it, so each series' labels are three copies, not an encoding.
 */
export class LabelSet {
  private before: Uint8Array | null = null;
  private after: Uint8Array | null = null;

  constructor(private readonly labels: readonly Label[]) {}

  /** The encoded labels of the series `name` with these labels, `__name__` in its sorted place. */
  encodeWithName(name: string): Uint8Array {
    if (!this.before || !this.after) {
      this.before = encodeLabels(this.labels.filter((l) => l.name < '__name__'));
      this.after = encodeLabels(this.labels.filter((l) => l.name > '__name__'));
    }
    let nameBytes = encodedNames.get(name);
    if (!nameBytes) {
      nameBytes = encodeLabels([{ name: '__name__', value: name }]);
      encodedNames.set(name, nameBytes);
    }
    const out = new Uint8Array(this.before.length + nameBytes.length + this.after.length);
    out.set(this.before, 0);
    out.set(nameBytes, this.before.length);
    out.set(this.after, this.before.length + nameBytes.length);
    return out;
  }
}

function baseUnitSuffix(metric: MetricDescriptor): string {
  if (metric.contains === 'time') return '_seconds';
  if (metric.contains === 'data') return '_bytes';
  return '';
}

/** Prometheus' base units: k6 times are milliseconds, Prometheus wants seconds. */
function toBaseUnit(metric: MetricDescriptor, value: number): number {
  return metric.contains === 'time' ? value / 1000 : value;
}

/** The series names one k6 metric yields with the given settings (also used by the tests and docs). */
export function seriesNames(metric: MetricDescriptor, trendStats: readonly TrendStat[], nativeHistogram: boolean): string[] {
  const base = METRIC_PREFIX + sanitizeName(metric.name);
  switch (metric.type) {
    case 'counter':
      return [base + '_total'];
    case 'gauge':
      return [base];
    case 'rate':
      return [base + '_rate'];
    case 'trend':
      return nativeHistogram ? [base + baseUnitSuffix(metric)] : trendStats.map((s) => base + '_' + s.suffix);
  }
}

/** One k6 time series (metric + tag set) and its cumulative aggregate. */
export class SeriesState {
  /** Latest sample time, truncated to the millisecond: the timestamp written. */
  latest = 0;
  /** A sample newer than the last push arrived (k6 pushes a series only then). */
  changed = true;
  private total = 0;
  private nonZero = 0;
  private last = 0;
  private readonly digest: TrendDigest | null;
  private readonly histogram: NativeHistogram | null;
  private readonly names: string[];
  /** The encoded labels of each Prometheus series, built at the first push. */
  private encodedLabels: Uint8Array[] | null = null;

  constructor(
    readonly metric: MetricDescriptor,
    private readonly labels: LabelSet,
    private readonly trendStats: readonly TrendStat[],
    nativeHistogram: boolean,
  ) {
    this.names = seriesNames(metric, trendStats, nativeHistogram);
    const isTrend = metric.type === 'trend';
    this.digest = isTrend && !nativeHistogram ? new TrendDigest() : null;
    this.histogram = isTrend && nativeHistogram ? new NativeHistogram() : null;
  }

  add(value: number, time: number): void {
    const truncated = Math.floor(time);
    if (truncated > this.latest) {
      this.latest = truncated;
      this.changed = true;
    }
    switch (this.metric.type) {
      case 'counter':
        this.total += value;
        break;
      case 'gauge':
        this.last = value;
        break;
      case 'rate':
        this.total++;
        if (value !== 0) this.nonZero++;
        break;
      case 'trend':
        if (this.digest) this.digest.add(value);
        else this.histogram!.observe(toBaseUnit(this.metric, value));
        break;
    }
  }

  /** Appends this series' Prometheus series to a push; with `stale`, staleness markers instead of values. */
  writeTo(encoder: WriteRequestEncoder, timestamp: number, stale = false): void {
    this.encodedLabels ??= this.names.map((name) => this.labels.encodeWithName(name));
    const labels = this.encodedLabels;
    const sample = (value: number) => ({ value, timestamp, stale });
    switch (this.metric.type) {
      case 'counter':
        encoder.add(labels[0], sample(this.total));
        return;
      case 'gauge':
        encoder.add(labels[0], sample(this.last));
        return;
      case 'rate':
        encoder.add(labels[0], sample(this.total === 0 ? 0 : this.nonZero / this.total));
        return;
      case 'trend':
        if (this.histogram) {
          if (stale) encoder.add(labels[0], sample(0));
          else encoder.add(labels[0], null, this.histogram.toProto(timestamp));
          return;
        }
        for (let i = 0; i < this.trendStats.length; i++) {
          const stat = this.trendStats[i];
          // k6 also divides `count` of time trends by 1000 (a unit conversion meant for the
          // values); a count is not a duration, so it is written as the plain number here.
          const value = stat.suffix === 'count' ? this.digest!.count : toBaseUnit(this.metric, stat.resolve(this.digest!));
          encoder.add(labels[i], sample(value));
        }
        return;
    }
  }
}
