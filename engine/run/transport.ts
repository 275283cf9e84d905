// Samples between threads in compact batches: metric descriptors and tag sets are sent once and
// then referred to by number; the numbers travel as one Float64Array, transferred, not copied.
// A batch holds either sample containers (time, tag set, sample count, then metric/value pairs) or
// folded series (second, tag set, metric, then the sink: see encodeDigest).
import type { DigestEntry } from '../metrics/digest.ts';
import { CounterSink, GaugeSink, RateSink, type Sink, TrendSink } from '../metrics/sinks.ts';
import type { MetricDescriptor, MetricType, SampleContainer, SampleMetadata, Tags, ValueType } from '../metrics/types.ts';

export interface EncodedBatch {
  metrics: [number, string, MetricType, ValueType][];
  tagSets: [number, Tags][];
  data: Float64Array;
}

export class BatchEncoder {
  private readonly metricIds = new Map<MetricDescriptor, number>();
  private readonly tagIdsByObject = new WeakMap<object, number>();
  private readonly tagIdsByKey = new Map<string, number>();
  private nextTagId = 0;

  encode(containers: readonly SampleContainer[]): EncodedBatch {
    const metrics: EncodedBatch['metrics'] = [];
    const tagSets: EncodedBatch['tagSets'] = [];
    let size = 0;
    for (const c of containers) size += 3 + 2 * c.samples.length + (c.metadata === undefined ? 0 : 2);
    const data = new Float64Array(size);
    let at = 0;
    for (const container of containers) {
      data[at++] = container.time;
      data[at++] = this.tagId(container.tags, tagSets);
      const samples = container.samples;
      const metadata = container.metadata;
      if (metadata === undefined) data[at++] = samples.length;
      else {
        // A container with metadata: its count negated (−1 − count), then vu and iter (−1: absent).
        data[at++] = -1 - samples.length;
        data[at++] = metadata.vu ?? -1;
        data[at++] = metadata.iter ?? -1;
      }
      for (const sample of samples) {
        data[at++] = this.metricId(sample.metric, metrics);
        data[at++] = sample.value;
      }
    }
    return { metrics, tagSets, data };
  }

  /**
   * Folded series: second, tag set, metric, then the sink — a counter's sum and sample count, a
   * gauge's value, min, max and count, a rate's passes and total, a trend's value count and values.
   */
  encodeDigest(entries: readonly DigestEntry[]): EncodedBatch {
    const metrics: EncodedBatch['metrics'] = [];
    const tagSets: EncodedBatch['tagSets'] = [];
    let size = 0;
    for (const { sink } of entries) size += 3 + (sink.type === 'trend' ? 1 + sink.count : sink.type === 'gauge' ? 4 : 2);
    const data = new Float64Array(size);
    let at = 0;
    for (const { second, tags, metric, sink } of entries) {
      data[at++] = second;
      data[at++] = this.tagId(tags, tagSets);
      data[at++] = this.metricId(metric, metrics);
      switch (sink.type) {
        case 'counter':
          data[at++] = sink.value;
          data[at++] = sink.samples;
          break;
        case 'gauge':
          data[at++] = sink.value;
          data[at++] = sink.min;
          data[at++] = sink.max;
          data[at++] = sink.count;
          break;
        case 'rate':
          data[at++] = sink.passes;
          data[at++] = sink.total;
          break;
        case 'trend': {
          // A folded trend is an exact sink (SampleFolder): its values are all there.
          const values = sink.exactValues()!;
          data[at++] = values.length;
          data.set(values, at);
          at += values.length;
          break;
        }
      }
    }
    return { metrics, tagSets, data };
  }

  private metricId(metric: MetricDescriptor, fresh: EncodedBatch['metrics']): number {
    let id = this.metricIds.get(metric);
    if (id === undefined) {
      id = this.metricIds.size;
      this.metricIds.set(metric, id);
      fresh.push([id, metric.name, metric.type, metric.contains]);
    }
    return id;
  }

  private tagId(tags: Tags, fresh: EncodedBatch['tagSets']): number {
    const known = this.tagIdsByObject.get(tags);
    if (known !== undefined) return known;
    let key = '';
    for (const name in tags) key += `${name}\u0001${tags[name]}\u0002`;
    let id = this.tagIdsByKey.get(key);
    if (id === undefined) {
      id = this.nextTagId++;
      // High-cardinality tag sets (e.g. a unique URL per request) must not grow memory forever.
      if (this.tagIdsByKey.size > 200_000) this.tagIdsByKey.clear();
      this.tagIdsByKey.set(key, id);
      fresh.push([id, tags]);
    }
    this.tagIdsByObject.set(tags, id);
    return id;
  }
}

export class BatchDecoder {
  private readonly metrics: MetricDescriptor[] = [];
  private readonly tagSets = new Map<number, Tags>();

  constructor(private readonly resolveMetric: (name: string, type: MetricType, contains: ValueType) => MetricDescriptor) {}

  decode(batch: EncodedBatch): SampleContainer[] {
    this.learn(batch);
    const data = batch.data;
    const containers: SampleContainer[] = [];
    let at = 0;
    while (at < data.length) {
      const time = data[at++];
      const tags = this.tagSets.get(data[at++])!;
      let count = data[at++];
      let metadata: SampleMetadata | undefined;
      if (count < 0) {
        count = -1 - count;
        const vu = data[at++];
        const iter = data[at++];
        metadata = vu < 0 ? { iter } : iter < 0 ? { vu } : { vu, iter };
      }
      const samples = new Array(count);
      for (let i = 0; i < count; i++) {
        samples[i] = { metric: this.metrics[data[at]], value: data[at + 1] };
        at += 2;
      }
      containers.push(metadata === undefined ? { time, tags, samples } : { time, tags, samples, metadata });
    }
    return containers;
  }

  /** Folded series; a trend's sink adopts its values where they arrived (no copy). */
  decodeDigest(batch: EncodedBatch): DigestEntry[] {
    this.learn(batch);
    const data = batch.data;
    const entries: DigestEntry[] = [];
    let at = 0;
    while (at < data.length) {
      const second = data[at++];
      const tags = this.tagSets.get(data[at++])!;
      const metric = this.metrics[data[at++]];
      let sink: Sink;
      switch (metric.type) {
        case 'counter': {
          const counter = new CounterSink();
          counter.value = data[at++];
          counter.samples = data[at++];
          sink = counter;
          break;
        }
        case 'gauge': {
          const gauge = new GaugeSink();
          gauge.value = data[at++];
          gauge.min = data[at++];
          gauge.max = data[at++];
          gauge.count = data[at++];
          sink = gauge;
          break;
        }
        case 'rate': {
          const rate = new RateSink();
          rate.passes = data[at++];
          rate.total = data[at++];
          sink = rate;
          break;
        }
        case 'trend': {
          const count = data[at++];
          sink = TrendSink.ofValues(data.subarray(at, at + count));
          at += count;
          break;
        }
      }
      entries.push({ second, tags, metric, sink });
    }
    return entries;
  }

  private learn(batch: EncodedBatch): void {
    for (const [id, name, type, contains] of batch.metrics) this.metrics[id] = this.resolveMetric(name, type, contains);
    for (const [id, tags] of batch.tagSets) this.tagSets.set(id, Object.freeze(tags));
  }
}
