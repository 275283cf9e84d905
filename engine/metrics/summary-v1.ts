// The end-of-test summary `k6 run` v1 prints (--summary-mode compact, the default, and full):
// a THRESHOLDS block, then TOTAL RESULTS with the checks and the metrics by section (CUSTOM, HTTP,
// EXECUTION, NETWORK). Written from k6 v1.3's output; the legacy summary is renderTextSummary.
import type { GroupSummary } from './checks-tree.ts';
import { humanizeValue, renderDefaultSummary, strWidth, type SummaryData, type SummaryMetric } from './summary.ts';

const TITLE_PREFIX = '█';
const DETAILS_PREFIX = '↳';
const PASS = '✓';
const FAIL = '✗';
const COLORS = { red: 31, green: 32, cyan: 36, white: 37 } as const;
const STYLES = { bold: 1, faint: 2 } as const;

type Color = keyof typeof COLORS;
type Style = keyof typeof STYLES;

interface Format {
  color(text: string, color: Color, ...styles: Style[]): string;
  bold(text: string): string;
}

function formatter(enabled: boolean): Format {
  if (!enabled) return { color: (text) => text, bold: (text) => text };
  return {
    color: (text, color, ...styles) => `\x1b[${[...styles.map((s) => STYLES[s]), COLORS[color]].join(';')}m${text}\x1b[0m`,
    bold: (text) => `\x1b[1m${text}\x1b[0m`,
  };
}

const indent = (level: number) => ' '.repeat(level * 2);

/** Sorted by name, a submetric right after its parent. */
function sortByName(names: string[]): string[] {
  return names.sort((a, b) => {
    const pa = a.split('{', 1)[0];
    const pb = b.split('{', 1)[0];
    return pa.localeCompare(pb) || a.substring(pa.length).localeCompare(b.substring(pb.length));
  });
}

function displayName(name: string): string {
  const brace = name.indexOf('{');
  return brace >= 0 ? `{ ${name.substring(brace + 1, name.length - 1)} }` : name;
}

interface Columns {
  nameWidth: number;
  trend: Record<string, string[]>;
  trendWidths: number[];
  main: Record<string, string>;
  mainWidth: number;
  extras: Record<string, string[]>;
  extraWidths: number[];
}

function mainAndExtras(metric: SummaryMetric, timeUnit: string): string[] {
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
      return [humanizeValue(v.rate, metric, timeUnit), `${v.passes} out of ${v.passes + v.fails}`];
    default:
      return ['[no data]'];
  }
}

/** Column widths of a block of metric lines, shared by all its sections. */
function columns(entries: [string, SummaryMetric][], level: number, trendStats: readonly string[], timeUnit: string): Columns {
  const cols: Columns = {
    nameWidth: 0,
    trend: {},
    trendWidths: trendStats.map(() => 0),
    main: {},
    mainWidth: 0,
    extras: {},
    extraWidths: [],
  };
  for (const [name, metric] of entries) {
    cols.nameWidth = Math.max(cols.nameWidth, strWidth(indent(level) + (name.includes('{') ? '  ' : '') + displayName(name)));
    if (metric.type === 'trend') {
      cols.trend[name] = trendStats.map((stat, i) => {
        const raw = metric.values[stat];
        const text = stat === 'count' ? String(raw) : raw === undefined ? 'undefined' : humanizeValue(raw, metric, timeUnit);
        cols.trendWidths[i] = Math.max(cols.trendWidths[i], strWidth(text));
        return text;
      });
      continue;
    }
    const [main, ...extras] = mainAndExtras(metric, timeUnit);
    cols.main[name] = main;
    cols.mainWidth = Math.max(cols.mainWidth, strWidth(main));
    cols.extras[name] = extras;
    extras.forEach((extra, i) => {
      cols.extraWidths[i] = Math.max(cols.extraWidths[i] ?? 0, strWidth(extra));
    });
  }
  return cols;
}

function metricLine(name: string, metric: SummaryMetric, cols: Columns, level: number, trendStats: readonly string[], f: Format): string {
  const sub = name.includes('{') ? '  ' : '';
  const shown = sub + displayName(name);
  const dots = f.color(`${'.'.repeat(cols.nameWidth - strWidth(shown) - strWidth(indent(level)) + 3)}:`, 'white', 'faint');
  let data: string;
  if (metric.type === 'trend') {
    data = cols.trend[name]
      // k6 pads every column but the last.
      .map(
        (col, i) =>
          `${trendStats[i]}=${f.color(col, 'cyan')}${i === cols.trend[name].length - 1 ? '' : ' '.repeat(cols.trendWidths[i] - strWidth(col))}`,
      )
      .join(' ');
  } else {
    const main = cols.main[name];
    const extras = cols.extras[name];
    data = f.color(main, 'cyan') + ' '.repeat(cols.mainWidth - strWidth(main));
    if (extras.length === 1) data += ` ${f.color(extras[0], 'cyan', 'faint')}`;
    else if (extras.length > 1)
      data += ` ${extras.map((e, i) => f.color(e, 'cyan', 'faint') + ' '.repeat(cols.extraWidths[i] - strWidth(e))).join(' ')}`;
  }
  return `${indent(level)}${shown}${dots} ${data}`;
}

const SECTION_ORDER = ['custom', 'http', 'execution', 'network'] as const;
type Section = (typeof SECTION_ORDER)[number];
const EXECUTION = new Set(['iterations', 'iteration_duration', 'dropped_iterations', 'vus', 'vus_max']);
const NETWORK = new Set(['data_sent', 'data_received']);
const COMPACT_HTTP = new Set(['http_req_duration', 'http_req_failed', 'http_reqs']);
/** Metrics k6 v1 leaves out of these sections: checks have their own block; group_duration is not shown. */
const NOT_IN_SECTIONS = new Set(['checks', 'group_duration']);

function sectionOf(name: string, full: boolean): Section | null {
  const base = name.split('{', 1)[0];
  if (NOT_IN_SECTIONS.has(base)) return null;
  if (EXECUTION.has(base)) return 'execution';
  if (NETWORK.has(base)) return 'network';
  if (base.startsWith('http_req')) return full || COMPACT_HTTP.has(base) ? 'http' : null;
  return 'custom';
}

function allChecks(group: GroupSummary): GroupSummary['checks'] {
  return [...group.checks, ...group.groups.flatMap(allChecks)];
}

function checksBlock(data: SummaryData, f: Format): string[] {
  const checks = data.metrics.checks;
  if (!checks) return [];
  const total = checks.values.passes + checks.values.fails;
  const seconds = data.state.testRunDurationMs / 1000;
  const metrics: [string, SummaryMetric][] = [
    ['checks_total', { type: 'counter', contains: 'default', values: { count: total, rate: seconds > 0 ? total / seconds : 0 } }],
    [
      'checks_succeeded',
      {
        type: 'rate',
        contains: 'default',
        values: { rate: total ? checks.values.passes / total : 0, passes: checks.values.passes, fails: checks.values.fails },
      },
    ],
    [
      'checks_failed',
      {
        type: 'rate',
        contains: 'default',
        values: { rate: total ? checks.values.fails / total : 0, passes: checks.values.fails, fails: checks.values.passes },
      },
    ],
  ];
  const cols = columns(metrics, 2, data.options.summaryTrendStats, data.options.summaryTimeUnit);
  const lines = metrics.map(([name, metric]) => metricLine(name, metric, cols, 2, data.options.summaryTrendStats, f));
  const listed = allChecks(data.root_group).map((check) => {
    if (check.fails === 0) return indent(2) + f.color(`${PASS} ${check.name}`, 'green');
    const percent = Math.floor((100 * check.passes) / (check.passes + check.fails));
    return `${indent(2)}${f.color(`${FAIL} ${check.name}`, 'red')}\n${indent(3)}${f.color(`${DETAILS_PREFIX}  ${percent}% — ${PASS} ${check.passes} / ${FAIL} ${check.fails}`, 'red')}`;
  });
  return [...lines, '\n', ...listed, '\n'];
}

function metricsBlock(data: SummaryData, full: boolean, f: Format): string[] {
  const bySection = new Map<Section, string[]>();
  for (const name of Object.keys(data.metrics)) {
    const section = sectionOf(name, full);
    if (section === null) continue;
    if (!bySection.has(section)) bySection.set(section, []);
    bySection.get(section)!.push(name);
  }
  const shown = [...bySection.values()].flat().map((name): [string, SummaryMetric] => [name, data.metrics[name]]);
  const trendStats = data.options.summaryTrendStats;
  const cols = columns(shown, 2, trendStats, data.options.summaryTimeUnit);
  return SECTION_ORDER.filter((s) => bySection.has(s)).flatMap((section) => [
    indent(2) + f.bold(section.toUpperCase()),
    ...sortByName(bySection.get(section)!).map((name) => metricLine(name, data.metrics[name], cols, 2, trendStats, f)),
    '\n',
  ]);
}

function thresholdsBlock(data: SummaryData, f: Format): string[] {
  const names = sortByName(Object.keys(data.metrics).filter((name) => data.metrics[name].thresholds !== undefined));
  if (names.length === 0) return [];
  const trendStats = data.options.summaryTrendStats;
  const cols = columns(
    names.map((n) => [n, data.metrics[n]]),
    2,
    trendStats,
    data.options.summaryTimeUnit,
  );
  const lines: string[] = [];
  for (const name of names) {
    const parent = name.split('{', 1)[0];
    const nested = name.length > parent.length && names.includes(parent);
    const level = nested ? 3 : 2;
    lines.push(indent(level) + (nested ? name.substring(parent.length) : name));
    const metric = data.metrics[name];
    for (const [source, threshold] of Object.entries(metric.thresholds ?? {})) {
      const aggregation = source.split(/[=><]/)[0].trim();
      let value: string | undefined;
      if (metric.type === 'trend') value = cols.trend[name][trendStats.indexOf(aggregation)];
      else if (metric.type === 'counter') value = aggregation === 'count' ? cols.main[name] : cols.extras[name][0];
      else value = cols.main[name];
      const mark = threshold.ok ? f.color(PASS, 'green') : f.color(FAIL, 'red');
      lines.push(
        `${indent(level)}${mark} ${f.color(`'${source}'`, 'white')} ${f.color(aggregation, 'white')}=${f.color(String(value), 'cyan')}`,
      );
    }
    lines.push('\n');
  }
  return lines;
}

/** k6 v1's end-of-test summary text, as `k6 run` writes it to stdout. */
export function renderSummaryV1(data: SummaryData, mode: 'compact' | 'full', enableColors: boolean): string {
  const f = formatter(enableColors);
  const sections: { title: string; content: string[] }[] = [];
  const thresholds = thresholdsBlock(data, f);
  if (thresholds.length > 0) sections.push({ title: 'THRESHOLDS', content: thresholds });
  sections.push({ title: 'TOTAL RESULTS', content: [...checksBlock(data, f), ...metricsBlock(data, mode === 'full', f)] });
  const parts = sections.flatMap((section) => [`${indent(1)}${TITLE_PREFIX} ${f.bold(section.title)} \n`, ...section.content, '\n']);
  const text = parts.reduce((acc, part) => (part === '\n' ? acc + part : `${acc}\n${part}`), '');
  return `\n${text}\n\n`;
}

export type SummaryMode = 'compact' | 'full' | 'legacy' | 'disabled';

/** What `k6 run` prints at the end when the script has no handleSummary, for each --summary-mode. */
export function renderEndOfTestSummary(data: SummaryData, mode: SummaryMode, enableColors: boolean): string {
  if (mode === 'disabled') return '';
  if (mode === 'legacy') return renderDefaultSummary(data, enableColors);
  return renderSummaryV1(data, mode, enableColors);
}
