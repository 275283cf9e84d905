import { createServiceTime, type ServiceTimeDistribution, type ServiceTimeSpec } from './service-time.ts';

export interface ResourceSettings {
  /** Units of work served at once. */
  slots: number;
  /** Waiters beyond this are turned away at once. */
  queueLimit: number;
  /** A waiter that has not got a slot after this long is turned away. */
  queueTimeoutMs: number;
  /** Status for a turned-away request: 503, or 429 as rate-limiting front ends answer. Both carry Retry-After. */
  whenFull: 503 | 429;
  retryAfterSeconds: number;
  serviceTime: ServiceTimeSpec;
}

export type RejectionReason = 'queue_full' | 'queue_timeout' | 'outage' | 'fault' | 'circuit_open' | 'quota';

export class ResourceRejected extends Error {
  constructor(
    readonly resource: string,
    readonly reason: RejectionReason,
    readonly status: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`${resource} is saturated (${reason.replace('_', ' ')})`);
    this.name = 'ResourceRejected';
  }
}

/** Hooks for per-event histograms; counters and gauges are read from the resource at scrape time. */
export interface ResourceObserver {
  serviceTime(seconds: number): void;
  queueWait(seconds: number): void;
}

interface Waiter {
  enqueuedAt: number;
  resolve: () => void;
  reject: (error: ResourceRejected) => void;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
}

/** What run() returns when the work took no time at all (zero-latency profile): callers may skip their timers. */
export const SERVED_AT_ONCE: Promise<void> = Promise.resolve();
const done = SERVED_AT_ONCE;

/**
 * A modelled backend resource: `slots` units of work at once, a bounded FIFO queue in front, and a service
 * time drawn per unit of work. Service time is a timer, not CPU, so saturation throughput is
 * slots / mean service time whatever the machine.
 */
export class Resource {
  private settings: ResourceSettings;
  private distribution: ServiceTimeDistribution;
  private queue: (Waiter | undefined)[] = [];
  private queueHead = 0;
  private queuedCount = 0;
  private inUseCount = 0;
  /** Sum of start times (ms) of work in progress, so busy time includes unfinished work at any instant. */
  private inFlightStartSum = 0;
  private finishedBusyMs = 0;
  private completedCount = 0;
  readonly rejections = new Map<RejectionReason, number>();
  observer: ResourceObserver | undefined;

  constructor(
    readonly name: string,
    settings: ResourceSettings,
  ) {
    this.settings = { ...settings };
    this.distribution = createServiceTime(settings.serviceTime);
  }

  get config(): Readonly<ResourceSettings> {
    return this.settings;
  }
  get meanServiceMs(): number {
    return this.distribution.meanMs;
  }
  /** Requests per second this resource completes when saturated; Infinity without service time. */
  get saturationThroughput(): number {
    return this.distribution.meanMs > 0 ? (this.settings.slots * 1000) / this.distribution.meanMs : Number.POSITIVE_INFINITY;
  }
  get inUse(): number {
    return this.inUseCount;
  }
  get queued(): number {
    return this.queuedCount;
  }
  get completed(): number {
    return this.completedCount;
  }
  /** Slot-seconds spent serving, including work still in progress. */
  get busySeconds(): number {
    return (this.finishedBusyMs + this.inUseCount * performance.now() - this.inFlightStartSum) / 1000;
  }

  update(partial: Partial<ResourceSettings>): void {
    const next = { ...this.settings, ...partial };
    this.distribution = createServiceTime(next.serviceTime);
    this.settings = next;
    this.drain();
  }

  countRejection(reason: RejectionReason): void {
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1);
  }

  rejection(reason: RejectionReason, retryAfterSeconds = this.settings.retryAfterSeconds): ResourceRejected {
    this.countRejection(reason);
    return new ResourceRejected(this.name, reason, this.settings.whenFull, retryAfterSeconds);
  }

  /** Waits for a slot, holds it for one service time, releases it. Rejects with ResourceRejected when saturated. */
  run(): Promise<void> {
    if (this.inUseCount < this.settings.slots && this.queuedCount === 0) return this.serve(0);
    if (this.queuedCount >= this.settings.queueLimit) return Promise.reject(this.rejection('queue_full'));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { enqueuedAt: performance.now(), resolve, reject, timer: undefined, settled: false };
      if (this.settings.queueTimeoutMs > 0 && Number.isFinite(this.settings.queueTimeoutMs)) {
        waiter.timer = setTimeout(() => {
          waiter.settled = true;
          this.queuedCount--;
          reject(this.rejection('queue_timeout'));
        }, this.settings.queueTimeoutMs);
      }
      this.queue.push(waiter);
      this.queuedCount++;
    }).then(() => undefined);
  }

  private serve(waitedMs: number): Promise<void> {
    const serviceMs = this.distribution.sample();
    this.observer?.queueWait(waitedMs / 1000);
    this.observer?.serviceTime(serviceMs / 1000);
    if (serviceMs <= 0) {
      this.completedCount++;
      return done;
    }
    const startedAt = performance.now();
    this.inUseCount++;
    this.inFlightStartSum += startedAt;
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        this.inUseCount--;
        this.inFlightStartSum -= startedAt;
        this.finishedBusyMs += performance.now() - startedAt;
        this.completedCount++;
        resolve();
        this.drain();
      }, serviceMs);
    });
  }

  private drain(): void {
    while (this.inUseCount < this.settings.slots && this.queuedCount > 0) {
      const waiter = this.queue[this.queueHead];
      this.queue[this.queueHead] = undefined;
      this.queueHead++;
      if (!waiter || waiter.settled) continue;
      waiter.settled = true;
      this.queuedCount--;
      if (waiter.timer) clearTimeout(waiter.timer);
      const waited = performance.now() - waiter.enqueuedAt;
      this.serve(waited).then(waiter.resolve);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Fails everything waiting, for shutdown and reset. Work in progress finishes on its own. */
  rejectQueued(): void {
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const waiter = this.queue[i];
      if (!waiter || waiter.settled) continue;
      waiter.settled = true;
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(this.rejection('outage'));
    }
    this.queue = [];
    this.queueHead = 0;
    this.queuedCount = 0;
  }
}
