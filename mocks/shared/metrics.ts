import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Resource } from '../capacity/resource.ts';
import type { EvictionReason, MeteredStore } from './bounded-store.ts';
import { type CounterChild, type HistogramChild, LabelledCounter, LabelledHistogram } from './lean-metrics.ts';

/** 1 ms … 30 s: covers a loopback hit as well as a request stuck behind a saturated queue. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
const NO_OP_CHILD = { inc() {} };

export interface ConnectionStats {
  open: number;
  accepted: number;
  handshakes: number;
  handshakeFailures: number;
  /** TLS connections accepted whose handshake has not finished: the TLS terminator's queue. */
  handshaking: number;
}

/** 0.5 ms … 10 s: a loopback handshake on an idle server, up to one waiting behind a saturated terminator. */
const HANDSHAKE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The thread that runs the services' event loop (and so terminates their TLS): in-process mocks share one,
 * and each service's registry names it, so an analysis can tell one saturated thread from three.
 */
const EVENT_LOOP_THREAD = `${process.pid}/${threadId}`;
const REJECTION_REASONS = ['queue_full', 'queue_timeout', 'outage', 'fault', 'circuit_open', 'quota'] as const;
const EVICTION_REASONS: readonly EvictionReason[] = ['capacity', 'expired', 'with_document'];

/**
 * One prom-client registry per service, default label {service}. RED per route, USE per modelled resource,
 * domain counters and Node process metrics. Per-request series are lean-metrics children (one Map lookup and a few
 * additions per request); gauges and resource totals are read from the resources when Prometheus scrapes.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly resources = new Map<string, Resource>();
  private readonly requests: LabelledCounter<'route' | 'method' | 'status'>;
  private readonly durations: LabelledHistogram<'route' | 'method' | 'status'>;
  private readonly redChildren = new Map<string, { count: CounterChild; duration: HistogramChild }>();
  private readonly serviceSeconds: LabelledHistogram<'resource'>;
  private readonly queueWaitSeconds: LabelledHistogram<'resource'>;

  constructor(
    readonly service: string,
    readonly enabled: boolean,
    private readonly stores: readonly MeteredStore[] = [],
  ) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const red = ['route', 'method', 'status'] as const;
    this.requests = new LabelledCounter(
      'loadlab_http_requests_total',
      'HTTP requests by route pattern, method and status',
      red,
      this.registry,
    );
    this.durations = new LabelledHistogram(
      'loadlab_http_request_duration_seconds',
      'HTTP request duration from arrival to response sent',
      red,
      this.registry,
      DURATION_BUCKETS,
    );
    this.serviceSeconds = new LabelledHistogram(
      'loadlab_resource_service_seconds',
      'Service time drawn per unit of work',
      ['resource'],
      this.registry,
      DURATION_BUCKETS,
    );
    this.queueWaitSeconds = new LabelledHistogram(
      'loadlab_resource_queue_wait_seconds',
      'Time spent queued before getting a slot',
      ['resource'],
      this.registry,
      DURATION_BUCKETS,
    );
    this.registerResourceGauges(registers);
    this.registerStoreGauges(registers);
  }

  private registerStoreGauges(registers: Registry[]): void {
    const stores = this.stores;
    const gauge = (name: string, help: string, read: (store: MeteredStore) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['store'],
        registers,
        collect() {
          for (const store of stores) this.set({ store: store.name }, read(store));
        },
      });
    gauge('loadlab_store_entries', 'Entries held by a bounded store of mock state', (store) => store.size);
    gauge(
      'loadlab_store_bytes',
      'Estimated bytes held by a bounded store (strings counted at two bytes a character)',
      (store) => store.bytes,
    );
    gauge(
      'loadlab_store_max_entries',
      'Entry bound of the store; beyond it the oldest entry is evicted',
      (store) => store.limits.maxEntries,
    );
    gauge(
      'loadlab_store_max_bytes',
      'Estimated-byte bound of the store; beyond it the oldest entry is evicted',
      (store) => store.limits.maxBytes,
    );
    const reported = new Map<string, number>();
    new Counter({
      name: 'loadlab_store_evictions_total',
      help: 'Entries a bounded store forgot, by reason (capacity: bound reached; expired: past its lifetime; with_document: inbox entry of an evicted document)',
      labelNames: ['store', 'reason'],
      registers,
      collect() {
        for (const store of stores) {
          for (const reason of EVICTION_REASONS) {
            const total = store.evictions.get(reason) ?? 0;
            const key = `${store.name} ${reason}`;
            const delta = total - (reported.get(key) ?? 0);
            if (delta > 0) this.inc({ store: store.name, reason }, delta);
            else if (!reported.has(key) && (reason === 'capacity' || total > 0)) this.inc({ store: store.name, reason }, 0);
            reported.set(key, total);
          }
        }
      },
    });
  }

  private registerResourceGauges(registers: Registry[]): void {
    const resources = this.resources;
    const gauge = (name: string, help: string, read: (resource: Resource) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['resource'],
        registers,
        collect() {
          for (const resource of resources.values()) this.set({ resource: resource.name }, read(resource));
        },
      });
    gauge('loadlab_resource_capacity', 'Slots of the modelled resource', (r) => r.config.slots);
    gauge('loadlab_resource_in_use', 'Slots busy now', (r) => r.inUse);
    gauge('loadlab_resource_queue_length', 'Requests waiting for a slot', (r) => r.queued);
    gauge('loadlab_resource_queue_limit', 'Queue bound beyond which requests are rejected', (r) => r.config.queueLimit);
    // Counters whose totals live in the resource: report the growth since the last scrape.
    const monotonic = (
      name: string,
      help: string,
      labelNames: string[],
      read: (resource: Resource) => [Record<string, string>, number][],
    ) => {
      const reported = new Map<string, number>();
      return new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          for (const resource of resources.values()) {
            for (const [labels, total] of read(resource)) {
              const key = JSON.stringify(labels);
              const delta = total - (reported.get(key) ?? 0);
              if (delta > 0) this.inc(labels, delta);
              else if (!reported.has(key)) this.inc(labels, 0);
              reported.set(key, total);
            }
          }
        },
      });
    };
    monotonic('loadlab_resource_busy_seconds_total', 'Slot-seconds busy; utilisation = rate(busy) / capacity', ['resource'], (r) => [
      [{ resource: r.name }, r.busySeconds],
    ]);
    monotonic('loadlab_resource_completed_total', 'Units of work completed', ['resource'], (r) => [[{ resource: r.name }, r.completed]]);
    monotonic('loadlab_resource_rejections_total', 'Requests turned away, by reason', ['resource', 'reason'], (r) =>
      REJECTION_REASONS.map((reason) => [{ resource: r.name, reason }, r.rejections.get(reason) ?? 0]),
    );
  }

  /** Connections and TLS handshakes of the service's server, read at scrape time. */
  addConnectionStats(stats: ConnectionStats): void {
    const registers = [this.registry];
    new Gauge({
      name: 'loadlab_connections_open',
      help: 'TCP connections the server holds now',
      registers,
      collect() {
        this.set(stats.open);
      },
    });
    const reported = new Map<string, number>();
    const counter = (name: string, help: string, labelNames: string[], read: () => [Record<string, string>, number][]) =>
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          for (const [labels, total] of read()) {
            const key = `${name} ${JSON.stringify(labels)}`;
            this.inc(labels, total - (reported.get(key) ?? 0));
            reported.set(key, total);
          }
        },
      });
    counter('loadlab_connections_accepted_total', 'TCP connections accepted', [], () => [[{}, stats.accepted]]);
    // Event-loop utilisation as a counter of busy seconds: the thread accepting connections, terminating TLS and
    // serving requests is a one-slot resource, and rate(busy) is its utilisation (1 = saturated).
    counter(
      'loadlab_event_loop_busy_seconds_total',
      'Seconds the thread serving this service spent busy (event-loop utilisation)',
      ['thread'],
      () => [[{ thread: EVENT_LOOP_THREAD }, performance.eventLoopUtilization().active / 1000]],
    );
    counter('loadlab_tls_handshakes_total', 'TLS handshakes by result (under --tls)', ['result'], () => [
      [{ result: 'ok' }, stats.handshakes],
      [{ result: 'failed' }, stats.handshakeFailures],
    ]);
  }

  /**
   * Under TLS: handshakes in progress (the terminator's queue), each handshake's time from TCP accept to
   * secure connection as the server sees it, and the asymmetric crypto cost of one handshake, timed now.
   * Returns the recorder of handshake times.
   */
  addTlsTermination(stats: ConnectionStats, handshakeCost: { seconds(): number }): (seconds: number) => void {
    const registers = [this.registry];
    new Gauge({
      name: 'loadlab_tls_handshakes_in_progress',
      help: 'TLS connections accepted whose handshake has not finished',
      registers,
      collect() {
        this.set(stats.handshaking);
      },
    });
    new Gauge({
      name: 'loadlab_tls_handshake_crypto_seconds',
      help: 'Server-side signature and key exchange of one full handshake with this key, timed on the terminating thread',
      registers,
      collect() {
        this.set(handshakeCost.seconds());
      },
    });
    const durations = new Histogram({
      name: 'loadlab_tls_handshake_duration_seconds',
      help: 'TLS handshake from TCP accept to secure connection, server side',
      buckets: HANDSHAKE_BUCKETS,
      registers,
    });
    return this.enabled ? (seconds) => durations.observe(seconds) : () => {};
  }

  addResource(resource: Resource): void {
    this.resources.set(resource.name, resource);
    if (!this.enabled) return;
    const service = this.serviceSeconds.labels({ resource: resource.name });
    const wait = this.queueWaitSeconds.labels({ resource: resource.name });
    resource.observer = { serviceTime: (s) => service.observe(s), queueWait: (s) => wait.observe(s) };
  }

  recordRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.redChildren.get(key);
    if (!child) {
      const labels = { route, method, status: String(status) };
      child = { count: this.requests.labels(labels), duration: this.durations.labels(labels) };
      this.redChildren.set(key, child);
    }
    child.count.inc();
    child.duration.observe(seconds);
  }

  /** A domain counter whose hot path is a Map lookup; a no-op when metrics are off. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): (labels: Record<L, string>) => void {
    const counter = this.counterFamily(name, help, labelNames);
    return (labels) => counter.labels(labels).inc();
  }

  /** A domain counter whose children the caller keeps, for per-request paths; children do nothing when metrics are off. */
  counterFamily<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
  ): { labels(labels: Record<L, string>): { inc(): void } } {
    const counter = new LabelledCounter(name, help, labelNames, this.registry);
    return this.enabled ? counter : { labels: () => NO_OP_CHILD };
  }

  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (set: (labels: Record<L, string>, value: number) => void) => void,
  ): void {
    new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      collect() {
        collect((labels, value) => this.set(labels as never, value));
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
