// The contract between the parts of the engine, as in k6: the runtime emits samples, the
// metrics package aggregates them and evaluates thresholds, outputs receive them.

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** k6's "contains": what the values are, so summaries and outputs can format them. */
export type ValueType = 'default' | 'time' | 'data';
export type Tags = Readonly<Record<string, string>>;

export interface MetricDescriptor {
  readonly name: string;
  readonly type: MetricType;
  readonly contains: ValueType;
}

export interface Sample {
  readonly metric: MetricDescriptor;
  readonly value: number;
}

/**
 * Samples taken at one moment with one tag set, like k6's ConnectedSamples: one HTTP request
 * yields one container holding http_reqs, http_req_duration, every phase, http_req_failed,
 * data_sent and data_received, so the tag set is built (and keyed) once per request.
 */
export interface SampleContainer {
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
  readonly tags: Tags;
  readonly samples: readonly Sample[];
  /** k6's sample metadata: the `vu` and `iter` system tags, when systemTags enables them (never tags: one per iteration). */
  readonly metadata?: SampleMetadata;
}

/** k6 v1 emits `vu` and `iter` as metadata, not tags (--out json: `"metadata":{"vu":"1","iter":"0"}`). */
export interface SampleMetadata {
  readonly vu?: number;
  readonly iter?: number;
}

/** An output, exactly k6's small interface: start, receive samples, stop. */
export interface Output {
  readonly description: string;
  start(): Promise<void>;
  addMetricSamples(containers: readonly SampleContainer[]): void;
  /** Called once at the end of the run (also after Ctrl-C); flushes whatever is buffered. */
  stop(error?: Error): Promise<void>;
}

/** Where text goes: process.stdout/stderr, or a capture when a program (or a test) drives runs in-process. */
export interface TextStream {
  write(chunk: string | Uint8Array): unknown;
  /** A terminal: the progress display redraws in place and the summary may use colours. */
  readonly isTTY?: boolean;
}

/** What every output factory receives, so outputs need nothing from the runtime. */
export interface OutputParams {
  /** The value after `=` in `--out name=value`, or '' when absent. */
  readonly argument: string;
  /** k6's environment for configuration, e.g. K6_PROMETHEUS_RW_SERVER_URL. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Tags given with `--tag k=v` (k6's run tags, e.g. testid). */
  readonly runTags: Tags;
  /** The run's results folder, results/<run-id>/. */
  readonly runDir: string;
  /** The run allows non-loopback targets (--allow-remote); outputs that send traffic honour it too. */
  readonly allowRemoteTargets: boolean;
  /** Where outputs report problems once (e.g. samples dropped); never throws into the run. */
  readonly log: (message: string) => void;
  /** The run's merged options, as k6 hands outputs ScriptOptions (the dashboard shows the thresholds). */
  readonly scriptOptions?: Readonly<Record<string, unknown>>;
  /** Prometheus-format endpoints of the services under test (`loadlab run --service-metrics`). */
  readonly serviceMetrics?: readonly string[];
  /** Where an output prints what the user should see (the dashboard's URL); stderr when absent. */
  readonly print?: (line: string) => void;
  /** The run's standard output (`--out json` without a file writes there); process.stdout when absent. */
  readonly stdout?: TextStream;
}

export type OutputFactory = (params: OutputParams) => Output;
