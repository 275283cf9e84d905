// The metrics engine of the run, like k6's metrics/engine: it takes the run's samples once, folded
// into series (metrics/digest.ts), on the main thread, into one sink per metric and per submetric, keeps the checks tree, and
// evaluates thresholds. It is itself an Output, so it receives samples the same way outputs do.
import { BUILTIN_METRICS } from './builtin.ts';
import { ChecksTree, type GroupSummary } from './checks-tree.ts';
import { MetricRegistry } from './registry.ts';
import { type DigestConsumer, type DigestEntry, foldSamples } from './digest.ts';
import { createSink, mergeSink, type Sink } from './sinks.ts';
import { type ParsedMetricName, parseMetricName, parseThresholds, ThresholdSet } from './thresholds.ts';
import type { MetricDescriptor, Output, SampleContainer, Tags } from './types.ts';

/** k6 always tracks this submetric so the summary shows the latency of expected responses. */
export const EXPECTED_RESPONSE_SUBMETRIC = 'http_req_duration{expected_response:true}';

export interface MetricState {
  /** `metric` or, for a submetric, `metric{tag:value}`. */
  readonly name: string;
  readonly descriptor: MetricDescriptor;
  readonly sink: Sink;
  /** Shown in the summary: got a sample, or has thresholds (k6's Observed). */
  observed: boolean;
  thresholds: ThresholdSet | null;
  /** Present on parent metrics only. */
  readonly submetrics: SubmetricState[];
}

interface SubmetricState extends MetricState {
  readonly parent: MetricState;
  readonly filterKeys: readonly string[];
  readonly filterValues: readonly string[];
}

export interface AggregatorOptions {
  /** The script's `thresholds` option (after CLI overrides). */
  thresholds?: unknown;
  /** --no-thresholds: submetrics are still tracked, thresholds never evaluated. */
  noThresholds?: boolean;
  /** Built-ins plus the script's custom metrics (after the init context ran), for threshold validation. */
  registry?: MetricRegistry;
  /** k6's systemTags include expected_response by default; false drops the default submetric. */
  expectedResponseSubmetric?: boolean;
}

export interface ThresholdsResult {
  /** Every evaluated threshold passed. */
  ok: boolean;
  /** An abortOnFail threshold failed after its delayAbortEval: stop the run (exit 99). */
  abort: boolean;
  /** Names of metrics (or submetrics) with a failed threshold, sorted. */
  breached: string[];
}

export class Aggregator implements Output, DigestConsumer {
  readonly description = 'metrics engine';
  private readonly metrics = new Map<string, MetricState>();
  private readonly withThresholds: MetricState[] = [];
  private readonly checks = new ChecksTree();
  private readonly registry: MetricRegistry;

  /** Throws ThresholdError (exit 104) when the thresholds option is invalid. */
  constructor(options: AggregatorOptions = {}) {
    this.registry = options.registry ?? new MetricRegistry();
    if (options.noThresholds) this.addSubmetricsOnly(options.thresholds);
    else {
      for (const { name, parsedName, set } of parseThresholds(options.thresholds, this.registry)) {
        const state = this.metricOrSubmetric(this.registry.get(parsedName.metric)!, parsedName);
        state.thresholds = state.thresholds
          ? new ThresholdSet(name, [...state.thresholds.thresholds.map(toSpec), ...set.thresholds.map(toSpec)])
          : set;
        if (!this.withThresholds.includes(state)) this.withThresholds.push(state);
        // Metrics with thresholds (and their parents) are in the summary even without samples, as in k6.
        state.observed = true;
        if ('parent' in state) (state as SubmetricState).parent.observed = true;
      }
    }
    if (options.expectedResponseSubmetric !== false) {
      this.metricOrSubmetric(BUILTIN_METRICS.http_req_duration, parseMetricName(EXPECTED_RESPONSE_SUBMETRIC));
    }
  }

  /** --no-thresholds: k6 still tracks the submetrics named in thresholds, and only warns about bad names. */
  private addSubmetricsOnly(thresholds: unknown): void {
    if (thresholds === null || typeof thresholds !== 'object') return;
    for (const name of Object.keys(thresholds)) {
      try {
        const parsedName = parseMetricName(name);
        const descriptor = this.registry.get(parsedName.metric);
        if (descriptor !== undefined) this.metricOrSubmetric(descriptor, parsedName);
      } catch {
        // ignored like k6 does with --no-thresholds
      }
    }
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  addMetricSamples(containers: readonly SampleContainer[]): void {
    this.addDigest(foldSamples(containers));
  }

  addDigest(entries: readonly DigestEntry[]): void {
    for (let e = 0; e < entries.length; e++) {
      const { metric, tags, sink } = entries[e];
      const state = this.metrics.get(metric.name) ?? this.createState(metric);
      mergeSink(state.sink, sink);
      state.observed = true;
      const submetrics = state.submetrics;
      for (let i = 0; i < submetrics.length; i++) {
        const sub = submetrics[i];
        if (matches(tags, sub.filterKeys, sub.filterValues)) {
          mergeSink(sub.sink, sink);
          sub.observed = true;
        }
      }
      if (sink.type === 'rate' && metric.name === 'checks') this.checks.recordCheck(tags.group, tags.check, sink.passes, sink.fails);
      else if (metric.name === 'group_duration' && tags.group !== undefined) this.checks.group(tags.group);
    }
  }

  /**
   * Evaluates every threshold. During the run (every ~2 s, as k6 does) metrics without samples are
   * skipped; with `final` they are evaluated too. Call with the run's elapsed time (counter rates).
   */
  evaluateThresholds(elapsedMs: number, { final = false }: { final?: boolean } = {}): ThresholdsResult {
    const breached: string[] = [];
    let abort = false;
    for (const state of this.withThresholds) {
      const set = state.thresholds!;
      if (!final && state.sink.isEmpty()) continue;
      if (set.run(state.sink, elapsedMs)) continue;
      breached.push(state.name);
      if (set.abort) abort = true;
    }
    breached.sort();
    return { ok: breached.length === 0, abort: abort && !final, breached };
  }

  hasThresholds(): boolean {
    return this.withThresholds.length > 0;
  }

  /** Metrics and submetrics to show in the summary, parents before their submetrics. */
  observedMetrics(): MetricState[] {
    const result: MetricState[] = [];
    for (const state of this.metrics.values()) {
      if (state.observed) result.push(state);
      for (const sub of state.submetrics) if (sub.observed) result.push(sub);
    }
    return result;
  }

  /** A metric's or submetric's state by name (`http_req_duration`, `http_req_duration{status:200}`). */
  metric(name: string): MetricState | undefined {
    const parsed = parseMetricName(name);
    const state = this.metrics.get(parsed.metric);
    if (state === undefined || parsed.filter === null) return state;
    return state.submetrics.find((sub) => sameFilter(sub, parsed));
  }

  rootGroup(): GroupSummary {
    return this.checks.summary();
  }

  private createState(descriptor: MetricDescriptor): MetricState {
    const state: MetricState = {
      name: descriptor.name,
      descriptor,
      sink: createSink(descriptor.type),
      observed: false,
      thresholds: null,
      submetrics: [],
    };
    this.metrics.set(descriptor.name, state);
    return state;
  }

  private metricOrSubmetric(descriptor: MetricDescriptor, parsed: ParsedMetricName): MetricState {
    const parent = this.metrics.get(descriptor.name) ?? this.createState(descriptor);
    if (parsed.filter === null) return parent;
    const existing = parent.submetrics.find((sub) => sameFilter(sub, parsed));
    if (existing !== undefined) return existing;
    const sub: SubmetricState = {
      name: `${descriptor.name}{${parsed.suffix}}`,
      descriptor,
      sink: createSink(descriptor.type),
      observed: false,
      thresholds: null,
      submetrics: [],
      parent,
      filterKeys: Object.keys(parsed.filter),
      filterValues: Object.values(parsed.filter),
    };
    parent.submetrics.push(sub);
    return sub;
  }
}

function matches(tags: Tags, keys: readonly string[], values: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) if (tags[keys[i]] !== values[i]) return false;
  return true;
}

function sameFilter(sub: MetricState, parsed: ParsedMetricName): boolean {
  const { filterKeys, filterValues } = sub as SubmetricState;
  const filter = parsed.filter!;
  const keys = Object.keys(filter);
  return keys.length === filterKeys.length && keys.every((key) => filter[key] === filterValues[filterKeys.indexOf(key)]);
}

function toSpec(threshold: ThresholdSet['thresholds'][number]) {
  return {
    threshold: threshold.source,
    abortOnFail: threshold.abortOnFail,
    delayAbortEval: threshold.abortDelayMs ?? undefined,
  };
}
