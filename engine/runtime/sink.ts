// Where a thread's samples go: buffered and handed on in batches, to the metrics Aggregator and
// outputs on the main thread, or encoded (or folded into series) and posted to it from a worker.
import { type DigestEntry, SampleFolder } from '../metrics/digest.ts';
import type { SampleContainer } from '../metrics/types.ts';

export interface SampleSink {
  push(container: SampleContainer): void;
}

/**
 * How long containers wait before being handed on. Short on purpose: a container that waits long
 * enough to live through a young-generation GC gets copied and promoted; at 100 ms a fast GET
 * loop spent ~10 % of its time in GC, at 20 ms ~4 %. Batches still amortise the per-batch work.
 */
export const SAMPLE_BATCH_INTERVAL_MS = 20;

/**
 * How often a folding sink hands on its series. Folded samples are gone at once, so nothing here
 * ages into the old generation; what the interval costs is a wake-up of the receiving thread per
 * batch. With the VU thread and the main thread on one core, a GET loop made 3.4 % more requests
 * at 100 ms than at 20 ms (8 paired runs side by side, every pair up), and the same at 250 ms.
 */
export const DIGEST_INTERVAL_MS = 100;

/** Hands on what a sink holds every `intervalMs` (and at stop). */
abstract class IntervalSink implements SampleSink {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs: number) {}

  abstract push(container: SampleContainer): void;
  abstract flush(): void;

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }
}

/** Collects containers and hands them to `deliver` in batches (every `intervalMs`, or when large). */
export class BatchingSink extends IntervalSink {
  private buffer: SampleContainer[] = [];

  constructor(
    private readonly deliver: (batch: SampleContainer[]) => void,
    intervalMs = SAMPLE_BATCH_INTERVAL_MS,
    private readonly maxBatch = 20_000,
  ) {
    super(intervalMs);
  }

  push(container: SampleContainer): void {
    this.buffer.push(container);
    if (this.buffer.length >= this.maxBatch) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.deliver(batch);
  }
}

/**
 * Folds each container as it arrives (metrics/digest.ts), so the container dies at once rather than
 * waiting in a batch, and hands the series to `deliver` every `intervalMs`.
 */
export class FoldingSink extends IntervalSink {
  private readonly folder = new SampleFolder();

  constructor(
    private readonly deliver: (entries: DigestEntry[]) => void,
    intervalMs = DIGEST_INTERVAL_MS,
  ) {
    super(intervalMs);
  }

  push(container: SampleContainer): void {
    this.folder.addContainer(container);
  }

  flush(): void {
    if (!this.folder.isEmpty) this.deliver(this.folder.take());
  }
}
