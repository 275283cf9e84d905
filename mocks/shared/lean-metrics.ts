import type { Metric, Registry } from 'prom-client';

/** What a prom-client Registry reads from a collector when it renders /metrics. */
interface Collected {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
}

/**
 * Counters and histograms for the hot path. prom-client validates and hashes labels on every observation, which
 * cost the mocks ~15 % of their throughput; here a child is a plain object found once per label set, an
 * observation is an addition, and the text is built only when Prometheus scrapes. They plug into a prom-client
 * Registry through its collector interface (`get()`), so /metrics stays one registry with default labels.
 */

export class CounterChild {
  value = 0;
  inc(amount = 1): void {
    this.value += amount;
  }
}

export class HistogramChild {
  /** Non-cumulative counts per bucket; the last slot is above the highest bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

abstract class Labelled<L extends string, Child> {
  protected readonly children = new Map<string, { labels: Record<L, string>; child: Child }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  protected abstract create(): Child;

  /** The child for a label set; callers on a hot path keep it rather than asking again. */
  labels(labels: Record<L, string>): Child {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name]}\u0000`;
    let entry = this.children.get(key);
    if (!entry) {
      entry = { labels: { ...labels }, child: this.create() };
      this.children.set(key, entry);
    }
    return entry.child;
  }
}

export class LabelledCounter<L extends string> extends Labelled<L, CounterChild> {
  protected create(): CounterChild {
    return new CounterChild();
  }

  get(): Collected {
    const values = [...this.children.values()].map(({ labels, child }) => ({ labels, value: child.value }));
    return { name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values };
  }
}

export class LabelledHistogram<L extends string> extends Labelled<L, HistogramChild> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    registry: Registry,
    private readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames, registry);
  }

  protected create(): HistogramChild {
    return new HistogramChild(this.bounds);
  }

  get(): Collected {
    const values: Collected['values'] = [];
    for (const { labels, child } of this.children.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += child.counts[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...labels }, value: child.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: child.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: child.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}
