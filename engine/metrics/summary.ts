// The end-of-test summary: the data k6 hands to handleSummary, k6's classic text summary (the
// jslib textSummary that `k6 run` prints), and the legacy --summary-export JSON.
import type { Aggregator, MetricState } from './aggregator.ts';
import type { GroupSummary } from './checks-tree.ts';
import type { Sink } from './sinks.ts';
import type { MetricType, ValueType } from './types.ts';

export const DEFAULT_SUMMARY_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
const TIME_UNITS = ['', 's', 'ms', 'us'];

export interface SummaryMetric {
  type: MetricType;
  contains: ValueType;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryData {
  root_group: GroupSummary;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, SummaryMetric>;
}

export interface SummaryOptions {
  /** The run's duration: counter rates are count / this. */
  testRunDurationMs: number;
  summaryTrendStats?: readonly string[];
  summaryTimeUnit?: string;
  noColor?: boolean;
  isStdOutTTY?: boolean;
  isStdErrTTY?: boolean;
}

/** Problems in the summaryTrendStats / summaryTimeUnit options, empty when valid (exit 104 otherwise). */
export function validateSummaryOptions(options: { summaryTrendStats?: unknown; summaryTimeUnit?: unknown }): string[] {
  const problems: string[] = [];
  const stats = options.summaryTrendStats;
  if (stats !== undefined) {
    if (!Array.isArray(stats)) problems.push('summaryTrendStats must be a list, e.g. ["avg", "p(95)", "p(99.9)"]');
    else {
      for (const stat of stats) {
        if (trendStatResolver(String(stat)) === null) {
          problems.push(
            `summaryTrendStats: stat '${String(stat)}' is unknown (supported: avg, min, med, max, count, p(N) with 0 ≤ N ≤ 100)`,
          );
        }
      }
    }
  }
  const unit = options.summaryTimeUnit;
  if (unit !== undefined && unit !== null && !TIME_UNITS.includes(String(unit))) {
    problems.push(`summaryTimeUnit '${String(unit)}' is invalid, use one of: s, ms, us`);
  }
  return problems;
}

type TrendResolver = (sink: Extract<Sink, { type: 'trend' }>) => number;

function trendStatResolver(stat: string): TrendResolver | null {
  switch (stat) {
    case 'avg':
      return (sink) => sink.avg;
    case 'min':
      return (sink) => sink.min;
    case 'med':
      return (sink) => sink.med;
    case 'max':
      return (sink) => sink.max;
    case 'count':
      return (sink) => sink.count;
  }
  const match = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (match === null) return null;
  const pct = Number(match[1]);
  if (pct > 100) return null;
  return (sink) => sink.percentile(pct);
}

/** The values k6 reports for one sink. */
export function sinkValues(sink: Sink, testRunDurationMs: number, trendStats: readonly string[]): Record<string, number> {
  switch (sink.type) {
    case 'counter':
      return { count: sink.value, rate: testRunDurationMs > 0 ? sink.value / (testRunDurationMs / 1000) : 0 };
    case 'gauge':
      return { value: sink.value, min: sink.min, max: sink.max };
    case 'rate':
      return { rate: sink.total > 0 ? sink.passes / sink.total : 0, passes: sink.passes, fails: sink.fails };
    case 'trend': {
      const values: Record<string, number> = {};
      for (const stat of trendStats) {
        const resolve = trendStatResolver(stat);
        if (resolve !== null) values[stat] = resolve(sink);
      }
      return values;
    }
  }
}

/** The `data` argument of handleSummary, exactly as k6 builds it. Evaluate thresholds (final) first. */
export function buildSummaryData(aggregator: Aggregator, options: SummaryOptions): SummaryData {
  const trendStats = [...(options.summaryTrendStats ?? DEFAULT_SUMMARY_TREND_STATS)];
  const metrics: Record<string, SummaryMetric> = {};
  for (const state of aggregator.observedMetrics()) metrics[state.name] = summarizeMetric(state, options, trendStats);
  return {
    root_group: aggregator.rootGroup(),
    options: {
      summaryTrendStats: trendStats,
      summaryTimeUnit: options.summaryTimeUnit ?? '',
      noColor: options.noColor ?? false,
    },
    state: {
      isStdOutTTY: options.isStdOutTTY ?? false,
      isStdErrTTY: options.isStdErrTTY ?? false,
      testRunDurationMs: options.testRunDurationMs,
    },
    metrics,
  };
}

function summarizeMetric(state: MetricState, options: SummaryOptions, trendStats: readonly string[]): SummaryMetric {
  const metric: SummaryMetric = {
    type: state.descriptor.type,
    contains: state.descriptor.contains,
    values: sinkValues(state.sink, options.testRunDurationMs, trendStats),
  };
  if (state.thresholds !== null && state.thresholds.thresholds.length > 0) {
    metric.thresholds = {};
    for (const threshold of state.thresholds.thresholds) metric.thresholds[threshold.source] = { ok: threshold.ok };
  }
  return metric;
}

/** `--summary-export FILE`: k6's legacy summary JSON (its oldJSONSummary), indented by 4. */
export function toSummaryExport(data: SummaryData): string {
  const copy = JSON.parse(JSON.stringify(data)) as Record<string, any>;
  delete copy.options;
  for (const [name, metric] of Object.entries(data.metrics)) {
    const values: Record<string, unknown> = { ...metric.values };
    if (metric.thresholds !== undefined && Object.keys(metric.thresholds).length > 0) {
      // k6's legacy format stores "failed" under each threshold, not "ok".
      const thresholds: Record<string, boolean> = {};
      for (const [source, threshold] of Object.entries(metric.thresholds)) thresholds[source] = !threshold.ok;
      values.thresholds = thresholds;
    }
    if (metric.type === 'rate' && 'rate' in values) {
      values.value = values.rate;
      delete values.rate;
    }
    copy.metrics[name] = values;
  }
  copy.root_group = legacyGroup(data.root_group);
  return JSON.stringify(copy, null, 4);
}

function legacyGroup(group: GroupSummary): Record<string, unknown> {
  return {
    name: group.name,
    path: group.path,
    id: group.id,
    groups: Object.fromEntries(group.groups.map((child) => [child.name, legacyGroup(child)])),
    checks: Object.fromEntries(group.checks.map((check) => [check.name, { ...check }])),
  };
}

// ── Text summary ────────────────────────────────────────────────────────────────────────────────

const GROUP_PREFIX = '█';
const DETAILS_PREFIX = '↳';
const SUCC_MARK = '✓';
const FAIL_MARK = '✗';
const PALETTE = { bold: 1, faint: 2, red: 31, green: 32, cyan: 36 } as const;

export interface TextSummaryOptions {
  indent?: string;
  enableColors?: boolean;
  summaryTimeUnit?: string;
  summaryTrendStats?: readonly string[];
}

type Decorate = (text: string, ...codes: number[]) => string;

/** The visible width of a string: code points after NFKC, ANSI escape sequences skipped. */
export function strWidth(text: string): number {
  let inEscape = false;
  let inLongEscape = false;
  let width = 0;
  for (const char of text.normalize('NFKC')) {
    const code = char.charCodeAt(0);
    if (char === '\x1b') {
      inEscape = true;
      continue;
    }
    if (inEscape && char === '[') {
      inLongEscape = true;
      continue;
    }
    if (inEscape && inLongEscape && code >= 0x40 && code <= 0x7e) {
      inEscape = false;
      inLongEscape = false;
      continue;
    }
    if (inEscape && !inLongEscape && code >= 0x40 && code <= 0x5f) {
      inEscape = false;
      continue;
    }
    if (!inEscape && !inLongEscape) width++;
  }
  return width;
}

function toFixedNoTrailingZeros(value: number, precision: number): string {
  return Number.parseFloat(value.toFixed(precision)).toString();
}

function toFixedNoTrailingZerosTrunc(value: number, precision: number): string {
  const mult = 10 ** precision;
  return toFixedNoTrailingZeros(Math.trunc(mult * value) / mult, precision);
}

export function humanizeBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  if (bytes < 10) return `${bytes} B`;
  const exponent = Math.floor(Math.log(bytes) / Math.log(1000));
  const value = Math.floor((bytes / 1000 ** exponent) * 10 + 0.5) / 10;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[exponent | 0]}`;
}

/** A duration given in milliseconds, as k6 prints it: 213.93µs, 4.7ms, 1.2s, 1m30s. */
export function humanizeDuration(ms: number, timeUnit = ''): string {
  const units: Record<string, { unit: string; coef: number }> = {
    s: { unit: 's', coef: 0.001 },
    ms: { unit: 'ms', coef: 1 },
    us: { unit: 'µs', coef: 1000 },
  };
  if (timeUnit !== '' && timeUnit in units) return (ms * units[timeUnit].coef).toFixed(2) + units[timeUnit].unit;
  if (ms === 0) return '0s';
  if (ms < 0.001) return `${Math.trunc(ms * 1_000_000)}ns`;
  if (ms < 1) return `${toFixedNoTrailingZerosTrunc(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${toFixedNoTrailingZerosTrunc(ms, 2)}ms`;
  let result = `${toFixedNoTrailingZerosTrunc((ms % 60000) / 1000, ms > 60000 ? 0 : 2)}s`;
  let rest = Math.trunc(ms / 60000);
  if (rest < 1) return result;
  result = `${rest % 60}m${result}`;
  rest = Math.trunc(rest / 60);
  if (rest < 1) return result;
  return `${rest}h${result}`;
}

export function humanizeValue(value: number, metric: { type: MetricType; contains: ValueType }, timeUnit = ''): string {
  if (metric.type === 'rate') return `${(Math.trunc(value * 100 * 100) / 100).toFixed(2)}%`;
  switch (metric.contains) {
    case 'data':
      return humanizeBytes(value);
    case 'time':
      return humanizeDuration(value, timeUnit);
    default:
      return toFixedNoTrailingZeros(value, 6);
  }
}

function summarizeCheck(indent: string, check: GroupSummary['checks'][number], decorate: Decorate): string {
  if (check.fails === 0) return decorate(`${indent}${SUCC_MARK} ${check.name}`, PALETTE.green);
  const percent = Math.floor((100 * check.passes) / (check.passes + check.fails));
  return decorate(
    `${indent}${FAIL_MARK} ${check.name}\n${indent} ${DETAILS_PREFIX}  ${percent}% — ${SUCC_MARK} ${check.passes} / ${FAIL_MARK} ${check.fails}`,
    PALETTE.red,
  );
}

function summarizeGroup(indent: string, group: GroupSummary, decorate: Decorate): string[] {
  const result: string[] = [];
  if (group.name !== '') {
    result.push(`${indent}${GROUP_PREFIX} ${group.name}\n`);
    indent += '  ';
  }
  for (const check of group.checks) result.push(summarizeCheck(indent, check, decorate));
  if (group.checks.length > 0) result.push('');
  for (const child of group.groups) result.push(...summarizeGroup(indent, child, decorate));
  return result;
}

function displayName(name: string): string {
  const brace = name.indexOf('{');
  return brace >= 0 ? `{ ${name.substring(brace + 1, name.length - 1)} }` : name;
}

function metricIndent(name: string): string {
  return name.includes('{') ? '  ' : '';
}

function nonTrendValues(metric: SummaryMetric, timeUnit: string): string[] {
  const v = metric.values;
  switch (metric.type) {
    case 'counter':
      return [humanizeValue(v.count, metric, timeUnit), `${humanizeValue(v.rate, metric, timeUnit)}/s`];
    case 'gauge':
      return [
        humanizeValue(v.value, metric, timeUnit),
        `min=${humanizeValue(v.min, metric, timeUnit)}`,
        `max=${humanizeValue(v.max, metric, timeUnit)}`,
      ];
    case 'rate':
      return [humanizeValue(v.rate, metric, timeUnit), `${SUCC_MARK} ${v.passes}`, `${FAIL_MARK} ${v.fails}`];
    default:
      return ['[no data]'];
  }
}

function summarizeMetrics(
  indentBase: string,
  trendStats: readonly string[],
  timeUnit: string,
  data: SummaryData,
  decorate: Decorate,
): string[] {
  const indent = `${indentBase}  `;
  const names: string[] = [];
  let nameLenMax = 0;
  const nonTrendValue: Record<string, string> = {};
  let nonTrendValueMaxLen = 0;
  const nonTrendExtras: Record<string, string[]> = {};
  const nonTrendExtraMaxLens = [0, 0];
  const trendCols: Record<string, string[]> = {};
  const trendColMaxLens = new Array<number>(trendStats.length).fill(0);

  for (const [name, metric] of Object.entries(data.metrics)) {
    names.push(name);
    const width = strWidth(metricIndent(name) + displayName(name));
    if (width > nameLenMax) nameLenMax = width;
    if (metric.type === 'trend') {
      trendCols[name] = trendStats.map((stat, i) => {
        const raw = metric.values[stat] ?? 0;
        const text = stat === 'count' ? raw.toString() : humanizeValue(raw, metric, timeUnit);
        trendColMaxLens[i] = Math.max(trendColMaxLens[i], strWidth(text));
        return text;
      });
      continue;
    }
    const values = nonTrendValues(metric, timeUnit);
    nonTrendValue[name] = values[0];
    nonTrendValueMaxLen = Math.max(nonTrendValueMaxLen, strWidth(values[0]));
    nonTrendExtras[name] = values.slice(1);
    for (let i = 1; i < values.length; i++) {
      nonTrendExtraMaxLens[i - 1] = Math.max(nonTrendExtraMaxLens[i - 1], strWidth(values[i]));
    }
  }

  // Sorted by name, submetrics kept right after their parent.
  names.sort((a, b) => {
    const parentA = a.split('{', 1)[0];
    const parentB = b.split('{', 1)[0];
    const byParent = parentA.localeCompare(parentB);
    return byParent !== 0 ? byParent : a.substring(parentA.length).localeCompare(b.substring(parentB.length));
  });

  const formatData = (name: string): string => {
    const cols = trendCols[name];
    if (cols !== undefined) {
      return cols
        .map((col, i) => `${trendStats[i]}=${decorate(col, PALETTE.cyan)}${' '.repeat(trendColMaxLens[i] - strWidth(col))}`)
        .join(' ');
    }
    const value = nonTrendValue[name];
    let text = decorate(value, PALETTE.cyan) + ' '.repeat(nonTrendValueMaxLen - strWidth(value));
    const extras = nonTrendExtras[name];
    if (extras.length === 1) text += ` ${decorate(extras[0], PALETTE.cyan, PALETTE.faint)}`;
    else if (extras.length > 1) {
      text += ` ${extras
        .map((extra, i) => decorate(extra, PALETTE.cyan, PALETTE.faint) + ' '.repeat(nonTrendExtraMaxLens[i] - strWidth(extra)))
        .join(' ')}`;
    }
    return text;
  };

  const lines: string[] = [];
  for (const name of names) {
    const metric = data.metrics[name];
    let mark = ' ';
    let markColor = (text: string) => text;
    if (metric.thresholds !== undefined) {
      const failed = Object.values(metric.thresholds).some((threshold) => !threshold.ok);
      mark = failed ? FAIL_MARK : SUCC_MARK;
      markColor = (text: string) => decorate(text, failed ? PALETTE.red : PALETTE.green);
    }
    const fmtIndent = metricIndent(name);
    const shown = displayName(name);
    const dots = decorate(`${'.'.repeat(nameLenMax - strWidth(shown) - strWidth(fmtIndent) + 3)}:`, PALETTE.faint);
    lines.push(`${indent}${fmtIndent}${markColor(mark)} ${shown}${dots} ${formatData(name)}`);
  }
  return lines;
}

/** k6's end-of-test text summary (checks by group, then every metric with dotted alignment). */
export function renderTextSummary(data: SummaryData, options: TextSummaryOptions = {}): string {
  const indent = options.indent ?? ' ';
  const enableColors = options.enableColors ?? !data.options.noColor;
  const trendStats = options.summaryTrendStats ?? data.options.summaryTrendStats;
  const timeUnit = options.summaryTimeUnit ?? data.options.summaryTimeUnit ?? '';
  const decorate: Decorate = enableColors ? (text, ...codes) => `\x1b[${codes.join(';')}m${text}\x1b[0m` : (text) => text;
  return [
    ...summarizeGroup(`${indent}    `, data.root_group, decorate),
    ...summarizeMetrics(indent, trendStats, timeUnit, data, decorate),
  ].join('\n');
}

/** What `k6 run` prints at the end when the script has no handleSummary. */
export function renderDefaultSummary(data: SummaryData, enableColors: boolean): string {
  return `\n${renderTextSummary(data, { indent: ' ', enableColors })}\n\n`;
}
