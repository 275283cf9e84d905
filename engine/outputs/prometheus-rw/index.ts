// `--out experimental-prometheus-rw`: k6's Prometheus remote-write output for the embedded
// engine. Samples are folded into one cumulative aggregate per time series as they arrive
// (cheap: a map lookup and an add); every push interval the series that changed are encoded
// into one WriteRequest and handed to the sender, which never blocks or fails the run.

import type { MetricDescriptor, Output, OutputFactory, OutputParams, SampleContainer, Tags } from '../../metrics/types.ts';
import { type RemoteWriteConfig, readConfig } from './config.ts';
import { WriteRequestEncoder } from './protobuf.ts';
import { RemoteWriteSender } from './sender.ts';
import { LabelSet, SeriesState, tagsToLabels } from './series.ts';

/**
 * At most this many k6 time series are kept (as k6, every distinct tag set is one; a `url` tag
 * holding ids makes one per request). Beyond it samples of new series are dropped and reported,
 * so memory stays bounded however long the run.
 */
const MAX_SERIES = 50_000;

/** How long stop() keeps trying to deliver the last pushes before counting them as dropped. */
const STOP_DEADLINE_MS = 6000;

/** All series of one tag set, so the tags are canonicalised once per distinct set, not per sample. */
interface TagSetSeries {
  readonly labels: LabelSet;
  readonly byMetric: Map<string, SeriesState>;
}

/** Stands for every tag set met after the series limit; it never holds a series. */
const OVERFLOW_TAG_SET: TagSetSeries = { labels: new LabelSet([]), byMetric: new Map() };

class PrometheusRemoteWriteOutput implements Output {
  readonly description: string;
  private readonly sender: RemoteWriteSender;
  private readonly tagSetsByKey = new Map<string, TagSetSeries>();
  private readonly tagSetsByRawKey = new Map<string, TagSetSeries>();
  /** Containers of one request usually share one tags object: skip the key building for them. */
  private readonly tagSetsByObject = new WeakMap<Tags, TagSetSeries>();
  private readonly allSeries: SeriesState[] = [];
  /** Samples of series beyond MAX_SERIES, not written. */
  private overflowSamples = 0;
  private overflowReported = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: RemoteWriteConfig,
    private readonly params: OutputParams,
  ) {
    this.description = `Prometheus remote write (${config.serverUrl.href})`;
    this.sender = new RemoteWriteSender(config.serverUrl, config.headers, (message) =>
      params.log(`experimental-prometheus-rw: ${message}; the run goes on (pushes are retried with back-off, then dropped and counted)`),
    );
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => this.push(), this.config.pushIntervalMs);
    this.timer.unref();
  }

  addMetricSamples(containers: readonly SampleContainer[]): void {
    for (const container of containers) {
      const tagSet = this.tagSetFor(container.tags);
      for (const sample of container.samples) {
        let series = tagSet.byMetric.get(sample.metric.name);
        if (!series) {
          if (this.allSeries.length >= MAX_SERIES) {
            this.overflowSamples++;
            continue;
          }
          series = this.newSeries(tagSet, sample.metric);
        }
        series.add(sample.value, container.time);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.push();
    if (this.config.staleMarkers) this.pushStaleMarkers();
    await this.sender.drain(STOP_DEADLINE_MS);
    if (this.overflowSamples > 0) {
      this.params.log(
        `experimental-prometheus-rw: ${this.overflowSamples} samples of series beyond the ${MAX_SERIES}-series limit were not written`,
      );
    }
    const { droppedSamples, firstError } = this.sender.stats;
    if (droppedSamples > 0) {
      this.params.log(
        `experimental-prometheus-rw: ${droppedSamples} samples were not delivered to ${this.config.serverUrl.href}` +
          ` (${firstError ?? 'endpoint unreachable'}); the run's own results are complete`,
      );
    }
  }

  private tagSetFor(tags: Tags): TagSetSeries {
    const known = this.tagSetsByObject.get(tags);
    if (known) return known;
    // The runtime builds tags in a fixed order per call site, so the key in insertion order finds
    // the tag set without sorting; the sorted key joins different orders of the same tags.
    let rawKey = '';
    for (const name in tags) rawKey += name + '\u0000' + tags[name] + '\u0001';
    let tagSet = this.tagSetsByRawKey.get(rawKey);
    if (!tagSet) {
      // At the series limit nothing new is remembered: the caller drops the samples.
      if (this.allSeries.length >= MAX_SERIES) return OVERFLOW_TAG_SET;
      const labels = tagsToLabels(tags, this.config.staticLabels);
      let key = '';
      for (const label of labels) key += label.name + '\u0000' + label.value + '\u0001';
      tagSet = this.tagSetsByKey.get(key);
      if (!tagSet) {
        tagSet = { labels: new LabelSet(labels), byMetric: new Map() };
        this.tagSetsByKey.set(key, tagSet);
      }
      this.tagSetsByRawKey.set(rawKey, tagSet);
    }
    if (Object.isFrozen(tags)) this.tagSetsByObject.set(tags, tagSet);
    return tagSet;
  }

  private newSeries(tagSet: TagSetSeries, metric: MetricDescriptor): SeriesState {
    const series = new SeriesState(metric, tagSet.labels, this.config.trendStats, this.config.trendAsNativeHistogram);
    tagSet.byMetric.set(metric.name, series);
    this.allSeries.push(series);
    return series;
  }

  /** Encodes every series that received a newer sample since the last push. */
  private push(): void {
    if (this.overflowSamples > 0 && !this.overflowReported) {
      this.overflowReported = true;
      this.params.log(
        `experimental-prometheus-rw: more than ${MAX_SERIES} time series (distinct tag sets); samples of newer ones are not written. ` +
          'Usually the `url` tag holds ids: leave url out of systemTags (k6: --system-tags); the dashboards group by `name`',
      );
    }
    const encoder = new WriteRequestEncoder();
    for (const series of this.allSeries) {
      if (!series.changed) continue;
      series.changed = false;
      series.writeTo(encoder, series.latest);
    }
    if (encoder.count > 0) this.sender.enqueue(encoder.finish(), encoder.count);
  }

  /** k6's K6_PROMETHEUS_RW_STALE_MARKERS: every series seen ends with a marker 1 ms after now. */
  private pushStaleMarkers(): void {
    const timestamp = Date.now() + 1;
    const encoder = new WriteRequestEncoder();
    for (const series of this.allSeries) series.writeTo(encoder, timestamp, true);
    if (encoder.count > 0) this.sender.enqueue(encoder.finish(), encoder.count);
  }
}

export const createPrometheusRemoteWriteOutput: OutputFactory = (params) => {
  const config = readConfig(params.env, params.allowRemoteTargets);
  return new PrometheusRemoteWriteOutput(config, params);
};
