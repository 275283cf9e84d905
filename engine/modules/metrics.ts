// k6/metrics: Counter, Gauge, Rate, Trend. Created in the init context of each VU; samples carry
// the VU's tags like every other sample.
import type { MetricRegistry } from '../metrics/registry.ts';
import type { MetricDescriptor, MetricType } from '../metrics/types.ts';
import type { VU } from '../runtime/vu.ts';

export class CustomMetric {
  constructor(
    private readonly vu: VU,
    private readonly descriptor: MetricDescriptor,
  ) {}

  get name(): string {
    return this.descriptor.name;
  }

  add(value: number | boolean, tags?: Record<string, string>): boolean {
    const vu = this.vu;
    if (vu.inInitContext) throw new Error(`metric ${this.name}: adding samples in the init context is not supported`);
    const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
    if (Number.isNaN(numeric)) throw new Error(`metric ${this.name}: add() needs a number, got ${JSON.stringify(value)}`);
    const sampleValue = this.descriptor.type === 'rate' ? (numeric !== 0 ? 1 : 0) : numeric;
    vu.emit({
      time: Date.now(),
      tags: tags ? { ...vu.tags, group: vu.groupPath, ...tags } : { ...vu.tags, group: vu.groupPath },
      samples: [{ metric: this.descriptor, value: sampleValue }],
    });
    return true;
  }
}

export function createMetricsModule(registry: MetricRegistry) {
  return {
    create(vu: VU, type: MetricType, name: string, isTime?: boolean): CustomMetric {
      if (!vu.inInitContext)
        throw new Error(`new ${type[0].toUpperCase()}${type.slice(1)}("${name}"): metrics must be created in the init context`);
      return new CustomMetric(vu, registry.define(name, type, !!isTime));
    },
  };
}
