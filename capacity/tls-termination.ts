// TLS termination over a step, from the mocks' sampled /metrics (services.jsonl lines): the handshakes each
// TLS-terminating thread completed, how busy that thread was, how much of its busy time the handshakes'
// crypto took, and whether handshakes queued. In-process mocks share one thread, so their services are
// grouped by the `thread` label of loadlab_event_loop_busy_seconds_total.
import type { ClientTlsHandshaking, ServiceSampleLine, TlsTermination } from '../results-format/index.ts';
import type { TrendSink } from '../engine/index.ts';

interface Reading {
  t: number;
  v: number;
}

/** The series of one metric of one service (label sets summed per scrape). */
function series(lines: readonly ServiceSampleLine[], service: string, metric: string): Reading[] {
  const byTime = new Map<number, number>();
  for (const line of lines) {
    if (line.service !== service || line.metric !== metric) continue;
    byTime.set(line.t, (byTime.get(line.t) ?? 0) + line.value);
  }
  return [...byTime.entries()].map(([t, v]) => ({ t, v })).sort((a, b) => a.t - b.t);
}

/** A counter's growth over [from, to]: from the last reading at or before `from` to the last one inside. */
function growth(readings: readonly Reading[], from: number, to: number): { amount: number; seconds: number } {
  const before = readings.filter((r) => r.t <= from);
  const inside = readings.filter((r) => r.t > from && r.t <= to);
  const start = before[before.length - 1] ?? inside[0];
  const end = inside[inside.length - 1];
  if (!start || !end || end.t <= start.t) return { amount: 0, seconds: 0 };
  return { amount: Math.max(0, end.v - start.v), seconds: end.t - start.t };
}

function within(readings: readonly Reading[], from: number, to: number): number[] {
  return readings.filter((r) => r.t >= from && r.t <= to).map((r) => r.v);
}

/** Every TLS-terminating thread's handshakes and busy share between two unix times (seconds). */
export function tlsTerminationInWindow(lines: readonly ServiceSampleLine[], from: number, to: number): TlsTermination[] {
  // Only services that serve TLS export the crypto cost gauge.
  const tlsServices = [...new Set(lines.filter((l) => l.metric === 'loadlab_tls_handshake_crypto_seconds').map((l) => l.service))].sort();
  const threadOf = new Map<string, string>();
  for (const line of lines) {
    if (line.metric === 'loadlab_event_loop_busy_seconds_total' && tlsServices.includes(line.service))
      threadOf.set(line.service, line.labels.thread ?? line.service);
  }
  const byThread = new Map<string, string[]>();
  for (const service of tlsServices) {
    const thread = threadOf.get(service) ?? service;
    byThread.set(thread, [...(byThread.get(thread) ?? []), service]);
  }
  const result: TlsTermination[] = [];
  for (const services of byThread.values()) {
    // The thread's busy seconds are the same counter in every service's registry: read it once.
    const busy = growth(series(lines, services[0], 'loadlab_event_loop_busy_seconds_total'), from, to);
    let handshakes = 0;
    let handshakeSeconds = 0;
    let failures = 0;
    let windowSeconds = 0;
    let cryptoSeconds = 0;
    let inProgressMax = 0;
    let inProgressGrowth = 0;
    let lagMax = 0;
    const perService: [string, number][] = [];
    for (const service of services) {
      const okHandshakes = lines.filter(
        (l) => l.service === service && l.metric === 'loadlab_tls_handshakes_total' && l.labels.result === 'ok',
      );
      const failed = lines.filter(
        (l) => l.service === service && l.metric === 'loadlab_tls_handshakes_total' && l.labels.result === 'failed',
      );
      const done = growth(
        okHandshakes.map((l) => ({ t: l.t, v: l.value })),
        from,
        to,
      );
      handshakes += done.amount;
      if (done.amount > 0) perService.push([service, done.amount]);
      windowSeconds = Math.max(windowSeconds, done.seconds);
      failures += growth(
        failed.map((l) => ({ t: l.t, v: l.value })),
        from,
        to,
      ).amount;
      handshakeSeconds += growth(series(lines, service, 'loadlab_tls_handshake_duration_seconds_sum'), from, to).amount;
      // Timed on the thread during the step, under the same contention as its busy time: the step's mean.
      const crypto = within(series(lines, service, 'loadlab_tls_handshake_crypto_seconds'), from, to);
      if (crypto.length > 0) cryptoSeconds = Math.max(cryptoSeconds, crypto.reduce((sum, v) => sum + v, 0) / crypto.length);
      const queue = within(series(lines, service, 'loadlab_tls_handshakes_in_progress'), from, to);
      inProgressMax += queue.length ? Math.max(...queue) : 0;
      inProgressGrowth += queue.length >= 2 ? queue[queue.length - 1] - queue[0] : 0;
      const lag = within(series(lines, service, 'nodejs_eventloop_lag_p99_seconds'), from, to);
      lagMax = Math.max(lagMax, lag.length ? Math.max(...lag) : 0);
    }
    const eventLoopUtilisation = busy.seconds > 0 ? Math.min(1, busy.amount / busy.seconds) : 0;
    const handshakesPerSec = windowSeconds > 0 ? handshakes / windowSeconds : 0;
    result.push({
      services,
      handshakingServices: perService.sort((a, b) => b[1] - a[1]).map(([service]) => service),
      handshakesPerSec,
      handshakeFailures: failures,
      handshakeMeanMs: handshakes > 0 ? (handshakeSeconds / handshakes) * 1000 : 0,
      inProgressMax,
      inProgressGrowth,
      eventLoopUtilisation,
      eventLoopLagP99Ms: lagMax * 1000,
      cryptoMsPerHandshake: cryptoSeconds * 1000,
      handshakeShareOfBusy: eventLoopUtilisation > 0 ? Math.min(1, (handshakesPerSec * cryptoSeconds) / eventLoopUtilisation) : 0,
    });
  }
  return result;
}

/** The clients' handshake times over the step's measured part, when any request opened a TLS connection. */
export function clientTlsHandshaking(handshakes: TrendSink): ClientTlsHandshaking | undefined {
  if (handshakes.count === 0) return undefined;
  return { p95: handshakes.percentile(95), max: handshakes.max, handshakes: handshakes.count };
}
