import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Faults injected in front of a service's routes; every key optional, `{}` means healthy. */
export interface FaultSettings {
  /** Added before the request is handled. */
  latencyMs?: number;
  /** Share of requests answered at once with one of `errorCodes` (default 500, 502, 503). */
  errorRatio?: number;
  errorCodes?: number[];
  /** Every request answered 503 + Retry-After during the window. */
  outage?: { startInMs?: number; durationMs: number };
  /** Share of requests whose connection is destroyed without an answer (ECONNRESET at the client). */
  resetRatio?: number;
  /** Headers arrive on time, the body trickles out over this long: a slow backend or a congested link. */
  slowResponseMs?: number;
  /** Route patterns (e.g. `/token`, `/ndxp/v1/population/citizens/:cccd`) the faults apply to; default all. */
  routes?: string[];
}

export type FaultOutcome =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'outage'; retryAfterSeconds: number }
  | { kind: 'error'; status: number }
  | { kind: 'reset' };

const PASS: FaultOutcome = { kind: 'pass' };
const DEFAULT_ERROR_CODES = [500, 502, 503];
const SLOW_CHUNKS = 10;

export class FaultInjector {
  private settings: FaultSettings = {};
  private outageWindow: { from: number; to: number } | undefined;
  private routes: Set<string> | undefined;
  /** False while no fault is set, so the healthy hot path is one property read. */
  active = false;

  constructor(initial: FaultSettings = {}) {
    this.set(initial);
  }

  set(settings: FaultSettings): void {
    this.settings = { ...settings };
    const now = Date.now();
    this.outageWindow = settings.outage
      ? { from: now + (settings.outage.startInMs ?? 0), to: now + (settings.outage.startInMs ?? 0) + settings.outage.durationMs }
      : undefined;
    this.routes = settings.routes && settings.routes.length > 0 ? new Set(settings.routes) : undefined;
    this.active = Boolean(settings.latencyMs || settings.errorRatio || settings.outage || settings.resetRatio || settings.slowResponseMs);
  }

  /** Current settings with the outage window as absolute times, for GET /admin/state. */
  describe(): FaultSettings & { outageWindow?: { from: string; to: string } } {
    const window = this.outageWindow && {
      from: new Date(this.outageWindow.from).toISOString(),
      to: new Date(this.outageWindow.to).toISOString(),
    };
    return window ? { ...this.settings, outageWindow: window } : { ...this.settings };
  }

  private applies(route: string | undefined): boolean {
    return this.routes === undefined || (route !== undefined && this.routes.has(route));
  }

  decide(route: string | undefined): FaultOutcome {
    if (!this.active || !this.applies(route)) return PASS;
    const now = Date.now();
    if (this.outageWindow && now >= this.outageWindow.from && now < this.outageWindow.to) {
      return { kind: 'outage', retryAfterSeconds: Math.max(1, Math.ceil((this.outageWindow.to - now) / 1000)) };
    }
    if (this.settings.resetRatio && Math.random() < this.settings.resetRatio) return { kind: 'reset' };
    if (this.settings.errorRatio && Math.random() < this.settings.errorRatio) {
      const codes = this.settings.errorCodes ?? DEFAULT_ERROR_CODES;
      return { kind: 'error', status: codes[Math.floor(Math.random() * codes.length)] };
    }
    if (this.settings.latencyMs) return { kind: 'delay', ms: this.settings.latencyMs };
    return PASS;
  }

  slowResponseMs(route: string | undefined): number {
    return this.active && this.settings.slowResponseMs && this.applies(route) ? this.settings.slowResponseMs : 0;
  }
}

/** Turns a finished payload into a stream that trickles out over `totalMs`. */
export function trickle(payload: unknown, totalMs: number, reply: FastifyReply): unknown {
  if (payload === null || payload === undefined || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return payload;
  const bytes = Buffer.from(payload);
  reply.removeHeader('content-length');
  const chunkSize = Math.max(1, Math.ceil(bytes.length / SLOW_CHUNKS));
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= bytes.length) {
        this.push(null);
        return;
      }
      const chunk = bytes.subarray(offset, offset + chunkSize);
      offset += chunkSize;
      setTimeout(() => this.push(chunk), totalMs / SLOW_CHUNKS);
    },
  });
}

export function routeOf(request: FastifyRequest): string | undefined {
  return request.routeOptions.url;
}
