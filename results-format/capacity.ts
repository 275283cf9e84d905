// The shape of capacity.json: what `loadlab capacity` measured, step by step, and what it concluded.

/** Marks the implicit criterion "achieved throughput keeps pace with the offered rate"; renderers phrase it. */
export const KEEP_PACE = '@keep-pace:';
/** Marks a criterion that no sample matched (a tag filter that names nothing, a metric never emitted). */
export const NO_DATA = '@no-data:';

/** One SLO criterion: a k6 threshold (`metric` as a thresholds key, `threshold` as its expression). */
export interface SloCriterion {
  /** As the user wrote it, e.g. `p95<800ms` or `http_req_duration{scenario:login}: p(95)<800`. */
  label: string;
  /** The thresholds key: `http_req_duration` or a submetric `http_req_duration{name:"/api"}`. */
  metric: string;
  /** The k6 threshold expression, e.g. `p(95)<800` (ms) or `rate<0.01`. */
  threshold: string;
  /** The expression's aggregation: `p(95)`, `avg`, `rate`, `count`, … */
  aggregation: string;
  /** The expression's right-hand side, in the metric's unit (ms for time trends). */
  limit: number;
}

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

/**
 * TLS termination over one step, for one thread that terminates the services' TLS (in-process mocks share
 * one), from the mocks' /metrics: how many handshakes it completed, how much of the thread they took, and
 * whether handshakes queued.
 */
export interface TlsTermination {
  /** The services whose TLS this thread terminated, e.g. ["identity", "portal", "ndxp"]. */
  services: string[];
  /** Of those, the ones that completed handshakes in the step, most first. */
  handshakingServices: string[];
  handshakesPerSec: number;
  handshakeFailures: number;
  /** Server side, TCP accept to secure connection, mean over the step's handshakes (ms). */
  handshakeMeanMs: number;
  /** Handshakes in progress (accepted, not yet secure): the terminator's queue. */
  inProgressMax: number;
  inProgressGrowth: number;
  /** Busy share of the thread's event loop over the step (0–1). */
  eventLoopUtilisation: number;
  /** The services' reported event-loop lag p99 at its worst during the step (ms). */
  eventLoopLagP99Ms: number;
  /** Asymmetric crypto of one handshake with the server key, timed on the thread during the step (ms). */
  cryptoMsPerHandshake: number;
  /** handshakesPerSec × crypto per handshake ÷ busy share: the part of the thread's busy time spent in handshake crypto (0–1). */
  handshakeShareOfBusy: number;
}

/** The clients' side of TLS over one step: the engine's http_req_tls_handshaking (ms), zero on reused connections. */
export interface ClientTlsHandshaking {
  p95: number;
  max: number;
  /** Requests that opened a connection with a handshake (non-zero samples). */
  handshakes: number;
}

export interface SloOutcome {
  label: string;
  /** Met. A criterion without data is not met: it is `noData`, and the step cannot be judged within the SLO. */
  ok: boolean;
  /** No sample matched the criterion's metric and tag filter in the step. */
  noData?: boolean;
  /** The measured value in the criterion's unit (ms for latency, ratio for rates); 0 with no data. */
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
  /** Under TLS with local mocks: each TLS-terminating thread's handshakes and busy share. */
  tls?: TlsTermination[];
  /** Under TLS: the clients' handshake times. */
  clientTls?: ClientTlsHandshaking;
  /** The step's own run folder, relative to the capacity folder. */
  runDir?: string;
  /** The search was interrupted (Ctrl-C, SIGTERM) during this step: its figures cover only what ran. */
  partial?: boolean;
  /** Requests of the measured window per k6 error code (`error_code` tag), absent when none failed at the transport. */
  errorCodes?: Record<string, number>;
  /** Set when most requests of the step never got a response: the target did not answer. */
  unreachable?: Unreachable;
}

/** A target that did not answer: connection refused or timed out, from the k6 error codes of the requests. */
export interface Unreachable {
  reason: 'refused' | 'timeout' | 'network';
  /** Origins (scheme://host:port) of the requests that got no response. */
  origins: string[];
  requests: number;
  failed: number;
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
  /** Every complete step's requests went unanswered: the target was down, not overloaded. */
  unreachable: (Unreachable & { stepIndex: number }) | null;
  /** The step that was in progress when the search was interrupted, if any. */
  interruptedAt: { stepIndex: number; offeredRate: number } | null;
}

export interface Bottleneck {
  /** `tls`: TLS termination saturated while every modelled resource had room. */
  kind: 'resource' | 'request' | 'tls';
  /** "identity/credential_check", the request name, or for `tls` the services whose TLS saturated ("identity, portal"). */
  name: string;
  stepIndex: number;
  offeredRate: number;
  evidence: {
    utilisation?: number;
    queueGrowth?: number;
    rejections?: number;
    latencyGrowth?: number;
    /** `tls`: the terminating thread's busy share, handshakes/s, the share of it in handshake crypto. */
    eventLoopUtilisation?: number;
    handshakesPerSec?: number;
    handshakeShareOfBusy?: number;
    /** `tls`: clients' http_req_tls_handshaking p95 at the step ÷ at the lightest step (1 when not measurable). */
    handshakeGrowth?: number;
    clientHandshakeP95?: number;
    /** `tls`: the busiest modelled resource at the step, which stayed below saturation. */
    maxResourceUtilisation?: number;
    maxResource?: string;
  };
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
  stoppedBecause: 'slo-broken' | 'max-duration' | 'max-rate' | 'interrupted' | 'scenario-failed';
  /** The scenario itself failed a step after others were measured (script exception 107, fail() 108, invalid options 104). */
  scenarioFailure?: { stepIndex: number; exitCode: number; message: string };
  steps: CapacityStep[];
  analysis: CapacityAnalysis;
  workload?: string;
  gitRevision?: string;
  hostname?: string;
}
