// Delivers encoded WriteRequests to the endpoint without ever holding up the run: a bounded
// queue in push order (Prometheus refuses a sample older than the last one of its series, so
// order matters), one request in flight, retries with exponential back-off while the endpoint
// is down or slow, and the oldest batch dropped (and counted) when the queue is full.

import { compress } from 'snappyjs';
import { REQUEST_TIMEOUT_MS } from './config.ts';

/** About ten minutes of pushes at the default 5 s interval. */
const MAX_QUEUED_BATCHES = 120;
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
const CLOSING_ATTEMPTS = 3;

interface Batch {
  readonly body: Uint8Array;
  readonly samples: number;
}

class PermanentError extends Error {}

export interface SenderStats {
  sentSamples: number;
  droppedSamples: number;
  /** The first failure seen, for the one report at the end. */
  firstError: string | null;
}

export class RemoteWriteSender {
  readonly stats: SenderStats = { sentSamples: 0, droppedSamples: 0, firstError: null };
  private readonly queue: Batch[] = [];
  private queuedBytes = 0;
  private pumping: Promise<void> | null = null;
  private closing = false;
  /** Set when drain's deadline passed: the pump stops at its next step. */
  private abandoned = false;
  private failuresWhileClosing = 0;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly url: URL,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly onFirstFailure: (message: string) => void,
  ) {}

  /** Queues an uncompressed WriteRequest holding `samples` samples and starts delivering. */
  enqueue(writeRequest: Uint8Array, samples: number): void {
    const body = compress(writeRequest);
    this.queue.push({ body, samples });
    this.queuedBytes += body.length;
    while (this.queue.length > MAX_QUEUED_BATCHES || this.queuedBytes > MAX_QUEUED_BYTES) this.dropOldest();
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  /** Tries to deliver what is queued until `deadlineMs` from now; what remains is dropped. */
  async drain(deadlineMs: number): Promise<void> {
    this.closing = true;
    this.wakeUp?.();
    if (this.pumping) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
      });
      await Promise.race([this.pumping, deadline]);
      clearTimeout(timer);
      this.abandoned = true;
      this.wakeUp?.();
    }
    while (this.queue.length > 0) this.dropOldest();
  }

  private dropOldest(): void {
    const dropped = this.queue.shift();
    if (!dropped) return;
    this.queuedBytes -= dropped.body.length;
    this.stats.droppedSamples += dropped.samples;
  }

  private noteFailure(message: string): void {
    if (this.stats.firstError !== null) return;
    this.stats.firstError = message;
    this.onFirstFailure(message);
  }

  private async pump(): Promise<void> {
    let attempt = 0;
    while (this.queue.length > 0 && !this.abandoned) {
      const batch = this.queue[0];
      try {
        await this.post(batch.body);
        this.stats.sentSamples += batch.samples;
        attempt = 0;
        if (this.queue[0] === batch) {
          this.queue.shift();
          this.queuedBytes -= batch.body.length;
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.noteFailure(message);
        if (error instanceof PermanentError) {
          if (this.queue[0] === batch) this.dropOldest();
          continue;
        }
        // Stopping: a few quick attempts, not the whole deadline, when the endpoint is gone.
        if (this.abandoned || (this.closing && ++this.failuresWhileClosing >= CLOSING_ATTEMPTS)) return;
        await this.backOff(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt));
        attempt++;
      }
    }
  }

  /** Waits, but wakes at once when the output stops so the last attempt happens promptly. */
  private backOff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.closing ? Math.min(ms, 500) : ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private async post(body: Uint8Array): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'Content-Encoding': 'snappy',
          'Content-Type': 'application/x-protobuf',
          'User-Agent': 'loadlab (k6-compatible experimental-prometheus-rw)',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
          ...this.headers,
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new Error(`remote write to ${this.url.href} failed: ${reason}`);
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const text = (await response.text()).trim().slice(0, 300);
    const message = `remote write to ${this.url.href} answered ${response.status}: ${text}`;
    // 5xx and 429 may pass; any other refusal is about the data and would fail again.
    if (response.status >= 500 || response.status === 429) throw new Error(message);
    throw new PermanentError(message);
  }
}
