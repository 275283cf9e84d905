// From capacity steps to what a manager asks: how much load is sustained within the SLO, where the
// curve bends, what broke first, and which resource was the bottleneck.
import {
  type Bottleneck,
  type CapacityAnalysis,
  type CapacityStep,
  isSaturated,
  KEEP_PACE,
  NO_DATA,
  SATURATED_UTILISATION,
  type TlsTermination,
} from '../results-format/index.ts';

export { isSaturated, KEEP_PACE, NO_DATA, SATURATED_UTILISATION } from '../results-format/index.ts';

/** A request's p95 this many times its lightest-load value counts as inflected. */
export const LATENCY_INFLECTION = 2;

export function brokenCriteria(step: CapacityStep, keepPaceRatio: number): string[] {
  const broken = step.slo
    .filter((outcome) => !outcome.ok)
    .map((outcome) => (outcome.noData ? `${NO_DATA}${outcome.label}` : outcome.label));
  if (!step.keptPace) broken.push(`${KEEP_PACE}${keepPaceRatio}`);
  return broken;
}

/** How hard a step pushes against its worst criterion, comparable between steps (1 = at the limit). */
function stepPressure(step: CapacityStep, label: string, keepPaceRatio: number): number {
  if (label.startsWith(KEEP_PACE)) {
    const ratio = step.offeredRate > 0 ? step.iterationsPerSec / step.offeredRate : 1;
    return ratio > 0 ? keepPaceRatio / ratio : Number.POSITIVE_INFINITY;
  }
  if (label.startsWith(NO_DATA)) return Number.POSITIVE_INFINITY;
  return step.slo.find((outcome) => outcome.label === label)?.pressure ?? 0;
}

function estimateAtBreak(lo: CapacityStep, hi: CapacityStep, keepPaceRatio: number): number {
  const efficiency = lo.offeredRate > 0 ? Math.min(1, lo.iterationsPerSec / lo.offeredRate) : 1;
  let rate = hi.offeredRate;
  for (const label of brokenCriteria(hi, keepPaceRatio)) {
    const pLo = stepPressure(lo, label, keepPaceRatio);
    const pHi = stepPressure(hi, label, keepPaceRatio);
    if (!Number.isFinite(pHi) || pHi <= pLo) {
      rate = Math.min(rate, lo.offeredRate);
      continue;
    }
    const fraction = Math.min(1, Math.max(0, (1 - pLo) / (pHi - pLo)));
    rate = Math.min(rate, lo.offeredRate + fraction * (hi.offeredRate - lo.offeredRate));
  }
  // The system never completed more than it did at the broken step: the estimate cannot exceed that.
  return Math.min(rate * efficiency, Math.max(lo.iterationsPerSec, hi.iterationsPerSec));
}

/** The knee of the throughput–latency curve (achieved throughput on x): where latency starts to climb. */
function findKnee(allSteps: readonly CapacityStep[]): CapacityAnalysis['knee'] {
  // A step stopped early measured a queue filling up, not a throughput: it has no place on the curve.
  const steps = allSteps.filter((step) => !step.abortedEarly).sort((a, b) => a.iterationsPerSec - b.iterationsPerSec);
  if (steps.length < 3) return null;
  const xs = steps.map((step) => step.iterationsPerSec);
  const ys = steps.map((step) => step.latency.p95);
  const [xMin, xMax, yMin, yMax] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (xMax === xMin || yMax === yMin) return null;
  // Kneedle: the point farthest above the chord of the normalised curve.
  let best = -1;
  let bestDistance = 0;
  steps.forEach((_, i) => {
    const distance = (xs[i] - xMin) / (xMax - xMin) - (ys[i] - yMin) / (yMax - yMin);
    if (distance > bestDistance) {
      bestDistance = distance;
      best = i;
    }
  });
  if (best < 0) return null;
  return { offeredRate: steps[best].offeredRate, throughput: steps[best].iterationsPerSec, p95: steps[best].latency.p95 };
}

/**
 * Share of the TLS-terminating thread's busy time that handshake crypto must take for the handshakes, rather
 * than the requests it also serves, to be what saturates it. Only the signature and key exchange are counted
 * (a handshake also costs socket and record work), so the real share is higher; on the shared 2-core machine
 * saturated handshake-bound steps measured 0.38–0.76 and steps with reused connections at most 0.30 (unsaturated).
 */
export const HANDSHAKE_DOMINANT_SHARE = 1 / 3;

/** The thread terminating TLS is saturated, and mostly by handshakes. */
export function tlsSaturated(tls: TlsTermination): boolean {
  return (
    tls.handshakesPerSec > 0 && tls.eventLoopUtilisation >= SATURATED_UTILISATION && tls.handshakeShareOfBusy >= HANDSHAKE_DOMINANT_SHARE
  );
}

function tlsBottleneck(step: CapacityStep, stepsByRate: readonly CapacityStep[]): Bottleneck | null {
  const saturated = (step.tls ?? []).filter(tlsSaturated).sort((a, b) => b.handshakesPerSec - a.handshakesPerSec);
  if (saturated.length === 0) return null;
  const tls = saturated[0];
  // Handshakes slowing down with load, as the clients measured them: from the lightest step that made any.
  const lightest = stepsByRate.find((s) => s.clientTls && s.clientTls.p95 > 0)?.clientTls;
  const busiest = [...step.saturation].sort((a, b) => b.utilisation - a.utilisation)[0];
  return {
    kind: 'tls',
    // The thread may serve services that made no handshakes in the step: name those whose handshakes it terminated.
    name: (tls.handshakingServices.length > 0 ? tls.handshakingServices : tls.services).join(', '),
    stepIndex: step.index,
    offeredRate: step.offeredRate,
    evidence: {
      eventLoopUtilisation: tls.eventLoopUtilisation,
      handshakesPerSec: tls.handshakesPerSec,
      handshakeShareOfBusy: tls.handshakeShareOfBusy,
      handshakeGrowth: lightest && step.clientTls ? step.clientTls.p95 / lightest.p95 : 1,
      clientHandshakeP95: step.clientTls?.p95 ?? 0,
      ...(busiest ? { maxResource: `${busiest.service}/${busiest.resource}`, maxResourceUtilisation: busiest.utilisation } : {}),
    },
  };
}

export function findBottleneck(stepsByRate: readonly CapacityStep[]): Bottleneck | null {
  for (const step of stepsByRate) {
    const saturated = step.saturation.filter(isSaturated).sort((a, b) => b.utilisation - a.utilisation || b.rejections - a.rejections);
    if (saturated.length > 0) {
      const resource = saturated[0];
      return {
        kind: 'resource',
        name: `${resource.service}/${resource.resource}`,
        stepIndex: step.index,
        offeredRate: step.offeredRate,
        evidence: { utilisation: resource.utilisation, queueGrowth: resource.queueGrowth, rejections: resource.rejections },
      };
    }
    // Every modelled resource had room, but the thread in front of them spent its time on handshakes.
    const tls = tlsBottleneck(step, stepsByRate);
    if (tls) return tls;
  }
  const base = stepsByRate[0];
  if (!base) return null;
  for (const step of stepsByRate.slice(1)) {
    let worst: { name: string; growth: number } | null = null;
    for (const [name, stats] of Object.entries(step.byRequest)) {
      const before = base.byRequest[name];
      if (!before || before.p95 <= 0) continue;
      const growth = stats.p95 / before.p95;
      if (growth >= LATENCY_INFLECTION && (!worst || growth > worst.growth)) worst = { name, growth };
    }
    if (worst) {
      return {
        kind: 'request',
        name: worst.name,
        stepIndex: step.index,
        offeredRate: step.offeredRate,
        evidence: { latencyGrowth: worst.growth },
      };
    }
  }
  return null;
}

/** The first step's unanswered requests, when no step ever got answers: nothing was listening. */
function neverAnswered(steps: readonly CapacityStep[]): CapacityAnalysis['unreachable'] {
  if (steps.length === 0 || !steps.every((step) => step.unreachable)) return null;
  const first = [...steps].sort((a, b) => a.index - b.index)[0];
  return { ...first.unreachable!, stepIndex: first.index };
}

export function analyseCapacity(allSteps: readonly CapacityStep[], keepPaceRatio: number): CapacityAnalysis {
  // A step cut short by an interruption measured too little to place the limit: it is shown, not judged.
  const steps = allSteps.filter((step) => !step.partial);
  const interrupted = allSteps.find((step) => step.partial);
  const byRate = [...steps].sort((a, b) => a.offeredRate - b.offeredRate);
  const firstUnsustainable = byRate.find((step) => !step.sustainable) ?? null;
  const sustainableBelow = byRate.filter(
    (step) => step.sustainable && (!firstUnsustainable || step.offeredRate < firstUnsustainable.offeredRate),
  );
  const lo = sustainableBelow[sustainableBelow.length - 1] ?? null;
  const chronological = [...steps].sort((a, b) => a.index - b.index);
  const firstBroken = chronological.find((step) => !step.sustainable) ?? null;

  let maxSustainable: number | null = null;
  if (lo && firstUnsustainable) maxSustainable = estimateAtBreak(lo, firstUnsustainable, keepPaceRatio);
  else if (lo) maxSustainable = lo.iterationsPerSec;
  const requestsPerIteration = lo && lo.iterationsPerSec > 0 ? lo.requestsPerSec / lo.iterationsPerSec : 1;

  return {
    maxSustainableThroughput: maxSustainable,
    maxSustainableRequestsPerSec: maxSustainable === null ? null : maxSustainable * requestsPerIteration,
    bracket: { sustainable: lo?.offeredRate ?? null, unsustainable: firstUnsustainable?.offeredRate ?? null },
    knee: findKnee(byRate),
    firstBreak: firstBroken
      ? { stepIndex: firstBroken.index, offeredRate: firstBroken.offeredRate, criteria: brokenCriteria(firstBroken, keepPaceRatio) }
      : null,
    bottleneck: findBottleneck(byRate),
    unreachable: neverAnswered(allSteps),
    interruptedAt: interrupted ? { stepIndex: interrupted.index, offeredRate: interrupted.offeredRate } : null,
  };
}
