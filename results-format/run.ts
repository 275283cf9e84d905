// The files of a results folder, results/<run-id>/ (docs/CONTRACTS.md section 2), as types: what the
// engine and the capacity search write and what the reports read.

/** The precision of every trend histogram the engine keeps and the results folder stores: ~0.1 % relative error at worst. */
export const HISTOGRAM_SIGNIFICANT_DIGITS = 3;

export interface SummaryMetric {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryCheck {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

export interface SummaryGroup {
  name: string;
  path: string;
  id: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}

export interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  root_group: SummaryGroup;
  options?: Record<string, unknown>;
  state?: { isStdOutTTY?: boolean; isStdErrTTY?: boolean; testRunDurationMs?: number };
}

export interface TimeseriesLine {
  t: number;
  metric: string;
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  tags: Record<string, string>;
  values: Record<string, number>;
  /** Trends: the second's HDR histogram (HISTOGRAM_SIGNIFICANT_DIGITS) (compressed base64, values in ns); absent in folders from before. */
  hdr?: string;
  hdrNeg?: string;
}

export interface ServiceSampleLine {
  t: number;
  service: string;
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export interface RunMeta {
  runId: string;
  script?: string;
  engine?: string;
  startTime: string;
  endTime?: string;
  durationMs?: number;
  exitCode?: number;
  interrupted?: boolean;
  thresholdsOk?: boolean;
  gitRevision?: string;
  hostname?: string;
  workers?: number;
  options?: Record<string, unknown>;
  env?: Record<string, string>;
  tags?: Record<string, string>;
  [key: string]: unknown;
}

/** A suite folder (written by `npm start`): several runs and optionally a capacity search. */
export interface SuiteManifest {
  kind: 'suite';
  runId: string;
  startTime: string;
  endTime: string;
  runs: { name: string; dir: string }[];
  capacity?: string;
  workload?: string;
}
