// The embedded k6-compatible engine (docs/CONTRACTS.md, section 1).
export { validateOptions } from './options/config.ts';
export { parseDuration } from './options/duration.ts';
export { type RunTestOptions, type RunTestResult, runTest } from './run/run-test.ts';
export { SUPPORTED_MODULES } from './modules/sources.ts';
export type { TextStream } from './metrics/types.ts';
// The error catalogue; a leaf module, so mocks/ and reports/ import engine/errors.ts itself and not the engine.
export {
  EXIT,
  type ExitCode,
  exitCodeOf,
  InterruptedError,
  InvalidConfigError,
  LoadlabError,
  reportCliError,
  ScriptCompileError,
  ScriptError,
  TestAbortError,
} from './errors.ts';
// What capacity/, cli/ and dashboards/ use of the engine's parts: the metrics library, the results folder, the
// web dashboard session, option parsing.
export { parseMetricName, parseThresholdExpression, ThresholdError } from './metrics/thresholds.ts';
export { type RateSink, type Sink, TrendSink } from './metrics/sinks.ts';
export type { Output, OutputFactory, SampleContainer } from './metrics/types.ts';
export { gitRevision, resolveRunDir } from './outputs/results-dir.ts';
export { WindowedAggregator } from './metrics/windowed-aggregator.ts';
export { fetchTextTrusting } from './modules/http/tls.ts';
export { type ConfigFile, parseDnsFlag, parseStagesFlag, readConfigFile } from './options/config.ts';
export { type DashboardSession, startDashboardSession } from './outputs/web-dashboard/session.ts';
