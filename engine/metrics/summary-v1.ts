// The end-of-test summary `k6 run` v1 prints (--summary-mode compact, the default, and full):
// a THRESHOLDS block, then TOTAL RESULTS with the checks and the metrics by section (CUSTOM, HTTP,
// EXECUTION, NETWORK); full adds a SCENARIO block per scenario, each with a GROUP block per group
// (nested as the groups are). Written from k6 v1.3's output; the legacy summary is renderTextSummary.
import type { GroupSummary } from './checks-tree.ts';
import { type DigestConsumer, type DigestEntry, foldSamples } from './digest.ts';
import { createSink, mergeSink, type Sink } from './sinks.ts';
import { humanizeValue, renderDefaultSummary, sinkValues, strWidth, type SummaryData, type SummaryMetric } from './summary.ts';
import type { MetricDescriptor, Output, SampleContainer } from './types.ts';

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
      // k6 pads every column to the block's widest value, the last one too.
      .map((col, i) => `${trendStats[i]}=${f.color(col, 'cyan')}${' '.repeat(cols.trendWidths[i] - strWidth(col))}`)
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

function checksBlock(data: SummaryData, f: Format, breakdown?: SummaryBreakdown): string[] {
  const checks = data.metrics.checks;
  if (!checks) return [];
  let listed = allChecks(data.root_group);
  // k6 lists the checks in the order they first ran, whatever their group.
  const order = breakdown?.checkOrder;
  if (order)
    listed = listed
      .map((c, i) => ({ c, at: order.get(c.path) ?? order.size + i }))
      .sort((a, b) => a.at - b.at)
      .map(({ c }) => c);
  return checksLines(data, checks.values.passes, checks.values.fails, listed, 2, f);
}

/** checks_total/succeeded/failed and the list of checks, at an indent level (2 in TOTAL RESULTS). */
function checksLines(
  data: SummaryData,
  passes: number,
  fails: number,
  listedChecks: readonly { name: string; passes: number; fails: number }[],
  level: number,
  f: Format,
): string[] {
  const checks = { values: { passes, fails } };
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
  const cols = columns(metrics, level, data.options.summaryTrendStats, data.options.summaryTimeUnit);
  const lines = metrics.map(([name, metric]) => metricLine(name, metric, cols, level, data.options.summaryTrendStats, f));
  const listed = listedChecks.map((check) => {
    if (check.fails === 0) return indent(level) + f.color(`${PASS} ${check.name}`, 'green');
    const percent = Math.floor((100 * check.passes) / (check.passes + check.fails));
    return `${indent(level)}${f.color(`${FAIL} ${check.name}`, 'red')}\n${indent(level + 1)}${f.color(`${DETAILS_PREFIX}  ${percent}% — ${PASS} ${check.passes} / ${FAIL} ${check.fails}`, 'red')}`;
  });
  return [...lines, '\n', ...listed, '\n'];
}

function metricsBlock(data: SummaryData, full: boolean, f: Format): string[] {
  return metricSections(data, data.metrics, full, 2, f);
}

/** The metrics of a block by section (CUSTOM, HTTP, EXECUTION, NETWORK), at an indent level. */
function metricSections(data: SummaryData, metrics: Record<string, SummaryMetric>, full: boolean, level: number, f: Format): string[] {
  const bySection = new Map<Section, string[]>();
  for (const name of Object.keys(metrics)) {
    const section = sectionOf(name, full);
    if (section === null) continue;
    if (!bySection.has(section)) bySection.set(section, []);
    bySection.get(section)!.push(name);
  }
  const shown = [...bySection.values()].flat().map((name): [string, SummaryMetric] => [name, metrics[name]]);
  const trendStats = data.options.summaryTrendStats;
  const cols = columns(shown, level, trendStats, data.options.summaryTimeUnit);
  return SECTION_ORDER.filter((s) => bySection.has(s)).flatMap((section) => [
    indent(level) + f.bold(section.toUpperCase()),
    ...sortByName(bySection.get(section)!).map((name) => metricLine(name, metrics[name], cols, level, trendStats, f)),
    '\n',
  ]);
}

/** The samples of one scenario, or of one group in it: its metrics' sinks, its checks, its subgroups. */
class BreakdownPart {
  readonly sinks = new Map<string, { metric: MetricDescriptor; sink: Sink }>();
  /** Check name → counts, in the order the checks were first seen. */
  readonly checks = new Map<string, { name: string; passes: number; fails: number }>();
  checkPasses = 0;
  checkFails = 0;
  /** Subgroup name → its part (for a scenario: its top-level groups). */
  readonly groups = new Map<string, BreakdownPart>();

  add({ tags, metric, sink }: DigestEntry): void {
    let entry = this.sinks.get(metric.name);
    if (entry === undefined) {
      entry = { metric, sink: createSink(metric.type) };
      this.sinks.set(metric.name, entry);
    }
    mergeSink(entry.sink, sink);
    if (sink.type === 'rate' && metric.name === 'checks') {
      const name = tags.check ?? '';
      let counts = this.checks.get(name);
      if (counts === undefined) {
        counts = { name, passes: 0, fails: 0 };
        this.checks.set(name, counts);
      }
      counts.passes += sink.passes;
      counts.fails += sink.fails;
      this.checkPasses += sink.passes;
      this.checkFails += sink.fails;
    }
  }

  /** All checks of this part and its subgroups (a scenario's block lists every check it ran). */
  allChecks(): { name: string; passes: number; fails: number }[] {
    const all = new Map<string, { name: string; passes: number; fails: number }>();
    const visit = (part: BreakdownPart) => {
      for (const c of part.checks.values()) {
        const seen = all.get(c.name);
        if (seen) {
          seen.passes += c.passes;
          seen.fails += c.fails;
        } else all.set(c.name, { ...c });
      }
      for (const g of part.groups.values()) visit(g);
    };
    visit(this);
    return [...all.values()];
  }
}

/**
 * What `--summary-mode full` needs beyond the totals: every sample again, by its `scenario` tag and,
 * within the scenario, by its `group` tag (the group's own samples; a subgroup's go to the subgroup).
 * An output, so it sees the samples as the other outputs do; the run adds it only in full mode.
 */
export class SummaryBreakdown implements Output, DigestConsumer {
  readonly description = 'end-of-test summary';
  readonly scenarios = new Map<string, BreakdownPart>();
  /** Check path (`::group::name`) → when it first ran: k6 lists checks in that order. */
  readonly checkOrder = new Map<string, number>();

  /** full: the scenario and group blocks too; otherwise (compact) only the order of the checks. */
  constructor(private readonly full: boolean) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  addMetricSamples(containers: readonly SampleContainer[]): void {
    this.addDigest(foldSamples(containers));
  }

  addDigest(entries: readonly DigestEntry[]): void {
    for (const entry of entries) {
      const tags = entry.tags;
      if (entry.metric.name === 'checks' && tags.group !== undefined && tags.check !== undefined) {
        const path = `${tags.group}::${tags.check}`;
        if (!this.checkOrder.has(path)) this.checkOrder.set(path, this.checkOrder.size);
      }
      if (!this.full) continue;
      const scenarioName = tags.scenario;
      if (scenarioName === undefined) continue;
      let scenario = this.scenarios.get(scenarioName);
      if (scenario === undefined) {
        scenario = new BreakdownPart();
        this.scenarios.set(scenarioName, scenario);
      }
      scenario.add(entry);
      const group = tags.group;
      if (group === undefined || group === '') continue;
      let part = scenario;
      for (const name of group.split('::').slice(1)) {
        let child = part.groups.get(name);
        if (child === undefined) {
          child = new BreakdownPart();
          part.groups.set(name, child);
        }
        part = child;
      }
      part.add(entry);
    }
  }
}

function partMetrics(data: SummaryData, part: BreakdownPart): Record<string, SummaryMetric> {
  const metrics: Record<string, SummaryMetric> = {};
  for (const [name, { metric, sink }] of part.sinks) {
    metrics[name] = {
      type: metric.type,
      contains: metric.contains,
      values: sinkValues(sink, data.state.testRunDurationMs, data.options.summaryTrendStats),
    };
  }
  return metrics;
}

/** A scenario's or a group's content: its checks, its metrics, then its groups, each a level deeper. */
function partContent(
  data: SummaryData,
  part: BreakdownPart,
  listed: { name: string; passes: number; fails: number }[],
  level: number,
  f: Format,
): string[] {
  const lines: string[] = [];
  if (part.checkPasses + part.checkFails > 0) lines.push(...checksLines(data, part.checkPasses, part.checkFails, listed, level, f));
  lines.push(...metricSections(data, partMetrics(data, part), true, level, f));
  for (const [name, group] of part.groups) {
    lines.push(`${indent(level)}${DETAILS_PREFIX} ${f.bold(`GROUP: ${name}`)} \n`);
    lines.push(...partContent(data, group, [...group.checks.values()], level + 1, f));
  }
  return lines;
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
export function renderSummaryV1(data: SummaryData, mode: 'compact' | 'full', enableColors: boolean, breakdown?: SummaryBreakdown): string {
  const f = formatter(enableColors);
  const sections: { title: string; content: string[] }[] = [];
  const thresholds = thresholdsBlock(data, f);
  if (thresholds.length > 0) sections.push({ title: 'THRESHOLDS', content: thresholds });
  sections.push({ title: 'TOTAL RESULTS', content: [...checksBlock(data, f, breakdown), ...metricsBlock(data, mode === 'full', f)] });
  if (mode === 'full' && breakdown) {
    for (const name of [...breakdown.scenarios.keys()].sort()) {
      const scenario = breakdown.scenarios.get(name)!;
      sections.push({ title: `SCENARIO: ${name}`, content: partContent(data, scenario, scenario.allChecks(), 2, f) });
    }
  }
  const parts = sections.flatMap((section) => [`${indent(1)}${TITLE_PREFIX} ${f.bold(section.title)} \n`, ...section.content, '\n']);
  const text = parts.reduce((acc, part) => (part === '\n' ? acc + part : `${acc}\n${part}`), '');
  return `\n${text}\n\n`;
}

export type SummaryMode = 'compact' | 'full' | 'legacy' | 'disabled';

/** What `k6 run` prints at the end when the script has no handleSummary, for each --summary-mode. */
export function renderEndOfTestSummary(data: SummaryData, mode: SummaryMode, enableColors: boolean, breakdown?: SummaryBreakdown): string {
  if (mode === 'disabled') return '';
  if (mode === 'legacy') return renderDefaultSummary(data, enableColors);
  return renderSummaryV1(data, mode, enableColors, breakdown);
}
