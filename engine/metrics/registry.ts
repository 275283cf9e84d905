// The metric registry: built-ins plus the custom metrics a script defines with k6/metrics.
// Validation and messages follow k6's metrics.Registry.NewMetric.
import { BUILTIN_METRICS } from './builtin.ts';
import type { MetricDescriptor, MetricType, ValueType } from './types.ts';

export class MetricError extends Error {
  override name = 'MetricError';
}

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

export function validateMetricName(name: string): void {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new MetricError(
      `Invalid metric name: '${String(name)}'. Metric names should start with a letter or an underscore ` +
        'and only include up to 128 ASCII letters, numbers, or underscores.',
    );
  }
}

export class MetricRegistry {
  private readonly metrics = new Map<string, MetricDescriptor>();

  constructor() {
    for (const descriptor of Object.values(BUILTIN_METRICS)) this.metrics.set(descriptor.name, descriptor);
  }

  /** What `new Counter(name)`, `new Trend(name, isTime)` and the like do in the script. */
  define(name: string, type: MetricType, isTime = false): MetricDescriptor {
    return this.add(name, type, isTime ? 'time' : 'default');
  }

  /** Registers a descriptor with an explicit value type (e.g. one forwarded from a worker thread). */
  add(name: string, type: MetricType, contains: ValueType = 'default'): MetricDescriptor {
    validateMetricName(name);
    const existing = this.metrics.get(name);
    if (existing === undefined) {
      const descriptor: MetricDescriptor = Object.freeze({ name, type, contains });
      this.metrics.set(name, descriptor);
      return descriptor;
    }
    if (existing.type !== type) {
      throw new MetricError(`metric '${name}' already exists but with type ${existing.type}, instead of ${type}`);
    }
    if (existing.contains !== contains) {
      throw new MetricError(`metric '${name}' already exists but with a value type ${existing.contains}, instead of ${contains}`);
    }
    return existing;
  }

  get(name: string): MetricDescriptor | undefined {
    return this.metrics.get(name);
  }

  all(): MetricDescriptor[] {
    return [...this.metrics.values()];
  }
}
