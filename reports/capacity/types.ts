// The shape of capacity.json: what `loadlab capacity` measured, step by step, and what it concluded.
import type { SloCriterion } from '../slo.ts';

export interface LatencyStats {
  avg: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Saturation of one modelled resource over one step, from the mocks' /metrics. */
export interface ResourceSaturation {
  service: string;
  resource: string;
  capacity: number;
  utilisation: number;
  inUseMax: number;
  queueMean: number;
  queueMax: number;
  /** Queue length at the end of the step minus at its start: > 0 means the queue is growing. */
  queueGrowth: number;
  rejections: number;
  completedPerSec: number;
}

export interface SloOutcome {
  label: string;
  ok: boolean;
  /** The measured value in the criterion's unit (ms for latency, ratio for rates). */
  value: number;
  limit: number;
  /** value / limit for upper bounds, limit / value for lower bounds: > 1 means broken. */
  pressure: number;
}

export interface CapacityStep {
  index: number;
  phase: 'ramp' | 'refine';
  /** The arrival rate the step offered, iterations per second. */
  offeredRate: number;
  startTime: number;
  endTime: number;
  /** Seconds of the step that were measured (after warm-up). */
  measuredSeconds: number;
  abortedEarly: boolean;
  iterations: number;
  iterationsPerSec: number;
  requests: number;
  requestsPerSec: number;
  failedRatio: number;
  checksRatio: number;
  droppedIterations: number;
  latency: LatencyStats;
  byRequest: Record<string, { count: number; p95: number; failedRatio: number }>;
  slo: SloOutcome[];
  /** Throughput kept pace with the offered rate (an open model that falls behind is saturated). */
  keptPace: boolean;
  sustainable: boolean;
  saturation: ResourceSaturation[];
  /** The step's own run folder, relative to the capacity folder. */
  runDir?: string;
}

export interface CapacityAnalysis {
  /** Highest throughput (iterations/s) sustained within the SLO, refined around the break. */
  maxSustainableThroughput: number | null;
  maxSustainableRequestsPerSec: number | null;
  /** Bounds of the estimate: the last sustainable and the first unsustainable offered rate. */
  bracket: { sustainable: number | null; unsustainable: number | null };
  knee: { offeredRate: number; throughput: number; p95: number } | null;
  firstBreak: { stepIndex: number; offeredRate: number; criteria: string[] } | null;
  bottleneck: Bottleneck | null;
}

export interface Bottleneck {
  kind: 'resource' | 'request';
  /** "identity/credential_check" or the request name. */
  name: string;
  stepIndex: number;
  offeredRate: number;
  evidence: { utilisation?: number; queueGrowth?: number; rejections?: number; latencyGrowth?: number };
}

export interface CapacityResult {
  kind: 'capacity';
  runId: string;
  script: string;
  flow: string;
  requestFilter?: string;
  startTime: string;
  endTime: string;
  slo: SloCriterion[];
  sloSource: 'flag' | 'thresholds';
  settings: {
    startRate: number;
    stepFactor?: number;
    stepSize?: number;
    stepDurationS: number;
    warmupS: number;
    maxDurationS: number;
    keepPaceRatio: number;
  };
  targets: Record<string, string>;
  mocksLocal: boolean;
  stoppedBecause: 'slo-broken' | 'max-duration' | 'max-rate' | 'interrupted';
  steps: CapacityStep[];
  analysis: CapacityAnalysis;
  workload?: string;
  gitRevision?: string;
  hostname?: string;
}
