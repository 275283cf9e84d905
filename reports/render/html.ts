// The self-contained HTML report: inline CSS and SVG, no script, no external resource, opens offline.
// Reads top-down as a manager does: verdict and lights, then why (capacity, bottleneck, demand), then how.
import type { Messages } from '../i18n.ts';
import type { SecondPoint } from '../analysis/run-facts.ts';
import type { Light, Report } from '../model.ts';
import { escapeHtml as h } from './escape.ts';
import { type ChartSeries, renderChart } from './svg-chart.ts';

const LIGHT_COLOURS: Record<Light, string> = { green: '#1a7f37', amber: '#b7791f', red: '#c62828' };
const PALETTE = ['#1f6feb', '#d1242f', '#8250df', '#1a7f37', '#bf8700', '#0a7ea4', '#cf222e', '#57606a'];

const STYLE = `
:root { color-scheme: light; }
body { font-family: "Noto Sans", "Segoe UI", Roboto, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; line-height: 1.45; }
main { max-width: 1040px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 4px; } h2 { font-size: 1.2rem; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
.subtitle { color: #59636e; margin: 0 0 16px; }
.verdict { display: flex; gap: 16px; align-items: center; padding: 16px; border-radius: 8px; border: 2px solid; font-size: 1.1rem; }
.lamp { display: inline-block; width: 14px; height: 14px; border-radius: 50%; vertical-align: -2px; margin-right: 6px; border: 1px solid rgba(0,0,0,.25); }
.verdict .lamp { width: 36px; height: 36px; flex: none; margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: .92rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e6e9ec; vertical-align: top; }
th { background: #f6f8fa; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart { margin: 12px 0 20px; break-inside: avoid; } .chart figcaption { font-weight: 600; margin-bottom: 4px; }
.chart svg { max-width: 100%; height: auto; } .chart .tick { font-size: 11px; fill: #59636e; } .chart .axis { font-size: 12px; fill: #1f2328; }
.legend { font-size: .85rem; color: #59636e; } .legend .key { margin-right: 14px; white-space: nowrap; }
.legend i { display: inline-block; width: 12px; height: 3px; vertical-align: middle; margin-right: 4px; }
.bad { color: #c62828; font-weight: 600; } .good { color: #1a7f37; } .warn { color: #9a6700; }
ul.recs li { margin: 6px 0; } .meta td:first-child { width: 32%; color: #59636e; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 16px; } @media (max-width: 800px) { .grid { grid-template-columns: 1fr; } }
@media print { body { background: #fff; } main { padding: 0; } h2 { break-after: avoid; } }
`;

function lamp(light: Light, m: Messages): string {
  return `<span class="lamp" style="background:${LIGHT_COLOURS[light]}" role="img" aria-label="${h(m.light[light])}" title="${h(m.light[light])}"></span>`;
}

function table(headers: string[], rows: string[][], numeric: number[] = []): string {
  const head = headers.map((cell, i) => `<th${numeric.includes(i) ? ' class="num"' : ''}>${h(cell)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function capacitySection(report: Report, m: Messages): string {
  const capacity = report.capacity;
  if (!capacity) return '';
  const a = capacity.analysis;
  const f = m.fmt;
  const parts = [`<h2 id="capacity">${h(m.sections.capacity)}</h2>`];
  parts.push(
    `<p><strong>${h(m.capacitySummary(a.maxSustainableThroughput, a.bracket.sustainable, a.bracket.unsustainable, a.maxSustainableRequestsPerSec))}</strong></p>`,
  );
  parts.push(
    `<p>${h(a.firstBreak ? m.firstBreak(a.firstBreak.stepIndex, a.firstBreak.offeredRate, a.firstBreak.criteria) : m.noBreak)}</p>`,
  );
  if (a.knee) parts.push(`<p>${h(m.knee(a.knee.offeredRate, a.knee.p95))}</p>`);
  const rows = [...capacity.steps]
    .sort((x, y) => x.offeredRate - y.offeredRate)
    .map((step) => {
      const top = step.saturation[0];
      return [
        String(step.index),
        h(m.phase[step.phase]),
        f.rate(step.offeredRate),
        f.rate(step.iterationsPerSec),
        f.ms(step.latency.p95),
        f.percent(step.failedRatio),
        top ? `${h(`${top.service}/${top.resource}`)} ${f.percent(top.utilisation, 0)}` : '–',
        step.partial
          ? `<span class="warn">${h(m.partial)}</span>`
          : step.sustainable
            ? `<span class="good">${h(m.yes)}</span>`
            : `<span class="bad">${h(m.no)}</span>`,
      ];
    });
  parts.push(
    table(
      [
        m.columns.step,
        m.columns.phase,
        m.columns.offered,
        m.columns.achieved,
        m.columns.p95,
        m.columns.errors,
        m.columns.topResource,
        m.columns.sustainable,
      ],
      rows,
      [0, 2, 3, 4, 5],
    ),
  );
  parts.push(`<h2 id="bottleneck">${h(m.sections.bottleneck)}</h2>`);
  const b = a.bottleneck;
  parts.push(`<p>${h(m.bottleneck(b))}</p>`);
  return parts.join('\n');
}

function projectionSection(report: Report, m: Messages): string {
  const p = report.projection;
  if (!p) return '';
  const f = m.fmt;
  const unit = p.model.unit[m.lang];
  const parts = [`<h2 id="projection">${h(m.sections.projection)}</h2>`];
  parts.push(`<p>${h(m.projectionIntro(p.model.name[m.lang], p.model.description[m.lang], p.model.source[m.lang]))}</p>`);
  parts.push(
    `<p><strong>${h(m.projectionCrossing({ crossingYear: p.crossingYear, beyondHorizon: p.beyondHorizon, headroomNow: p.headroomNow, currentYear: p.currentYear, capacity: p.capacityPerSec, unit }))}</strong></p>`,
  );
  const rows = p.years.map((year) => [
    String(year.year),
    `${f.rate(year.peakPerSec)} ${h(unit)}`,
    year.headroom === null ? '–' : `<span class="${year.headroom < 0 ? 'bad' : 'good'}">${f.percent(year.headroom, 0)}</span>`,
  ]);
  parts.push(table([m.columns.year, m.columns.peak, m.columns.headroom], rows, [1, 2]));
  parts.push(
    renderChart({
      id: 'projection',
      title: m.charts.projection,
      xLabel: m.axes.year,
      yLabel: unit,
      series: [{ name: m.series.peakDemand, color: '#8250df', kind: 'bars', points: p.years.map((y) => ({ x: y.year, y: y.peakPerSec })) }],
      horizontal:
        p.capacityPerSec !== null
          ? [{ value: p.capacityPerSec, label: `${m.series.capacityLine} ${f.rate(p.capacityPerSec)}`, color: '#c62828' }]
          : [],
      xFormat: (x) => String(Math.round(x)),
      yFormat: (y) => f.number(y, y < 10 ? 1 : 0),
    }),
  );
  return parts.join('\n');
}

function chartsSection(report: Report, m: Messages): string {
  const f = m.fmt;
  const charts: string[] = [];
  const capacity = report.capacity;
  if (capacity && capacity.steps.length > 0) {
    const steps = [...capacity.steps].sort((a, b) => a.offeredRate - b.offeredRate);
    const offered = (x: number) => f.rate(x);
    const max = capacity.analysis.maxSustainableThroughput;
    const vertical = max !== null ? [{ value: max, label: m.series.maxSustainable, color: '#1a7f37' }] : [];
    charts.push(
      renderChart({
        id: 'capacity-throughput',
        title: m.charts.capacityThroughput,
        xLabel: m.axes.offered,
        yLabel: m.axes.offered,
        series: [
          {
            name: m.series.achieved,
            color: '#1f6feb',
            points: steps.filter((s) => !s.abortedEarly).map((s) => ({ x: s.offeredRate, y: s.iterationsPerSec })),
          },
          { name: m.series.ideal, color: '#8c959f', dashed: true, points: steps.map((s) => ({ x: s.offeredRate, y: s.offeredRate })) },
        ],
        vertical,
        xFormat: offered,
        yFormat: (y) => f.number(y, 0),
      }),
    );
    const latencyLimits = capacity.slo.filter(
      (c) => c.metric === 'http_req_duration' && !['rate', 'count', 'value'].includes(c.aggregation),
    );
    charts.push(
      renderChart({
        id: 'capacity-latency',
        title: m.charts.capacityLatency,
        xLabel: m.axes.offered,
        yLabel: m.axes.latency,
        series: [
          { name: 'p95', color: '#d1242f', points: steps.map((s) => ({ x: s.offeredRate, y: s.latency.p95 })) },
          { name: 'p50', color: '#1f6feb', points: steps.map((s) => ({ x: s.offeredRate, y: s.latency.p50 })) },
        ],
        horizontal: latencyLimits.map((c) => ({ value: c.limit, label: `${m.series.sloLimit} ${c.label}`, color: '#bf8700' })),
        vertical,
        xFormat: offered,
        yFormat: (y) => f.number(y, 0),
      }),
    );
    charts.push(
      renderChart({
        id: 'capacity-errors',
        title: m.charts.capacityErrors,
        xLabel: m.axes.offered,
        yLabel: m.axes.errors,
        series: [{ name: m.series.errors, color: '#cf222e', points: steps.map((s) => ({ x: s.offeredRate, y: s.failedRatio * 100 })) }],
        xFormat: offered,
        yFormat: (y) => f.number(y, 1),
        yMax: Math.max(1, ...steps.map((s) => s.failedRatio * 100)),
      }),
    );
    const resources = new Map<string, ChartSeries>();
    for (const step of steps) {
      for (const r of step.saturation) {
        const key = `${r.service}/${r.resource}`;
        if (!resources.has(key)) resources.set(key, { name: key, color: PALETTE[resources.size % PALETTE.length], points: [] });
        resources.get(key)!.points.push({ x: step.offeredRate, y: r.utilisation * 100 });
      }
    }
    const busiest = [...resources.values()]
      .filter((s) => s.points.some((p) => p.y > 1))
      .sort((a, b) => Math.max(...b.points.map((p) => p.y)) - Math.max(...a.points.map((p) => p.y)))
      .slice(0, 6);
    if (busiest.length > 0) {
      charts.push(
        renderChart({
          id: 'capacity-saturation',
          title: m.charts.capacitySaturation,
          xLabel: m.axes.offered,
          yLabel: m.axes.utilisation,
          series: busiest,
          horizontal: [{ value: 90, label: '90 %', color: '#bf8700' }],
          vertical,
          yMax: 100,
          xFormat: offered,
          yFormat: (y) => f.number(y, 0),
        }),
      );
    }
  }
  const timelines = report.timelines.filter((timeline) => timeline.points.length > 1);
  if (timelines.length > 0) {
    const elapsed = (x: number) => `${f.number(x, 0)} s`;
    const perRun = (measure: (p: SecondPoint) => number, onlyWithRequests: boolean): ChartSeries[] =>
      timelines.map((timeline, i) => {
        const t0 = timeline.points[0].t;
        return {
          name: timelines.length === 1 ? '' : timeline.name,
          color: PALETTE[i % PALETTE.length],
          points: timeline.points.filter((p) => !onlyWithRequests || p.requests > 0).map((p) => ({ x: p.t - t0, y: measure(p) })),
        };
      });
    const named = (series: ChartSeries[], name: string) => series.map((s) => ({ ...s, name: s.name || name }));
    const errorSeries = named(
      perRun((p) => (p.failed / p.requests) * 100, true),
      m.series.errors,
    );
    charts.push(
      renderChart({
        id: 'timeline-load',
        title: `${m.charts.timeline}: ${m.series.requests}`,
        xLabel: m.axes.time,
        yLabel: m.axes.reqPerSec,
        series: named(
          perRun((p) => p.requests, false),
          m.series.requests,
        ),
        xFormat: elapsed,
        yFormat: (y) => f.number(y, 0),
      }),
    );
    charts.push(
      renderChart({
        id: 'timeline-latency',
        title: `${m.charts.timeline}: ${m.series.p95}`,
        xLabel: m.axes.time,
        yLabel: m.axes.latency,
        series: named(
          perRun((p) => p.p95, true),
          m.series.p95,
        ),
        xFormat: elapsed,
        yFormat: (y) => f.number(y, 0),
      }),
    );
    charts.push(
      renderChart({
        id: 'timeline-errors',
        title: `${m.charts.timeline}: ${m.series.errors}`,
        xLabel: m.axes.time,
        yLabel: m.axes.errors,
        series: errorSeries,
        xFormat: elapsed,
        yFormat: (y) => f.number(y, 1),
        yMax: Math.max(1, ...errorSeries.flatMap((s) => s.points.map((p) => p.y))),
      }),
    );
  }
  const busy = report.utilisation.filter((s) => s.points.some((p) => p.value > 0.01)).slice(0, 8);
  if (busy.length > 0) {
    const t0 = Math.min(...busy.map((s) => s.points[0].t));
    charts.push(
      renderChart({
        id: 'utilisation',
        title: m.charts.utilisation,
        xLabel: m.axes.time,
        yLabel: m.axes.utilisation,
        series: busy.map((s, i) => ({
          name: s.key,
          color: PALETTE[i % PALETTE.length],
          points: s.points.map((p) => ({ x: p.t - t0, y: p.value * 100 })),
        })),
        yMax: 100,
        xFormat: (x) => `${f.number(x, 0)} s`,
        yFormat: (y) => f.number(y, 0),
      }),
    );
  }
  if (charts.length === 0) return '';
  return `<h2 id="charts">${h(m.sections.charts)}</h2>\n<div class="grid">${charts.join('\n')}</div>`;
}

function stabilitySection(report: Report, m: Messages): string {
  // Only soak-length runs: a short run's trend would be read as a finding when it is warm-up and noise.
  const runs = report.runs.filter((run) => run.stability.meaningful && run.stability.drifts.length > 0);
  if (runs.length === 0) return '';
  const f = m.fmt;
  const parts = [`<h2 id="stability">${h(m.sections.stability)}</h2>`];
  for (const run of runs) {
    parts.push(`<p><strong>${h(run.name)}</strong> — ${h(m.stabilityNote(run.stability.meaningful, run.stability.durationS))}</p>`);
    const rows = run.stability.drifts.map((d) => [
      h(m.driftSubject(d.subject)),
      d.subject.startsWith('memory:')
        ? `${f.number(d.slopePerMin / 1e6, 2)} MB`
        : d.subject === 'error_rate'
          ? `${f.number(d.slopePerMin * 100, 3)} pp`
          : f.ms(d.slopePerMin),
      f.percent(d.change, 1),
      f.number(d.r2, 2),
      d.drifting ? `<span class="bad">${h(m.drifting)}</span>` : `<span class="good">${h(m.steady)}</span>`,
    ]);
    parts.push(table([m.columns.subject, m.columns.slope, m.columns.change, m.columns.r2, m.columns.assessment], rows, [1, 2, 3]));
  }
  return parts.join('\n');
}

function baselineSection(report: Report, m: Messages): string {
  const baseline = report.baseline;
  if (!baseline) return '';
  const f = m.fmt;
  const value = (v: number, unit: string) => (unit === 'ms' ? f.ms(v) : unit === 'ratio' ? f.percent(v, 2) : f.rate(v));
  const rows = baseline.comparisons.map((c) => [
    h(c.subject),
    value(c.baseline, c.unit),
    value(c.current, c.unit),
    c.unit === 'ratio'
      ? `${c.change >= 0 ? '+' : ''}${f.number(c.change * 100, 2)} pp`
      : `${c.change >= 0 ? '+' : ''}${f.percent(c.change, 1)}`,
    c.regression
      ? `<span class="bad" data-regression="true">${h(m.regressionFlag)}</span>`
      : c.improvement
        ? `<span class="good">${h(m.improvementFlag)}</span>`
        : h(m.unchangedFlag),
  ]);
  const regressions = baseline.comparisons.filter((c) => c.regression).length;
  return [
    `<h2 id="baseline">${h(m.sections.baseline)}</h2>`,
    `<p>${h(baseline.title)}</p>`,
    regressions === 0 ? `<p class="good">${h(m.noRegressions)}</p>` : '',
    table([m.columns.subject, m.columns.baseline, m.columns.current, m.columns.change, m.columns.assessment], rows, [1, 2, 3]),
  ].join('\n');
}

function metadataSection(report: Report, m: Messages): string {
  const f = m.fmt;
  const rows: [string, string][] = [
    [m.meta.folder, report.folder],
    [m.meta.generated, f.dateTime(report.generatedAt)],
  ];
  const capacity = report.capacity;
  if (capacity) {
    rows.push([m.meta.script, capacity.script]);
    rows.push([m.meta.started, f.dateTime(capacity.startTime)]);
    rows.push([m.meta.ended, f.dateTime(capacity.endTime)]);
    rows.push([m.meta.slo, capacity.slo.map((c) => c.label).join(', ')]);
    rows.push([m.meta.sloSource, m.sloSource[capacity.sloSource]]);
    rows.push([m.meta.stoppedBecause, m.stoppedBecause[capacity.stoppedBecause]]);
    const s = capacity.settings;
    rows.push([
      m.meta.settings,
      `start ${f.rate(s.startRate)}/s, ${s.stepSize ? `+${f.rate(s.stepSize)}/s` : `×${f.number(s.stepFactor ?? 1.5, 2)}`}, ${m.seconds(s.stepDurationS)}/step (warm-up ${m.seconds(s.warmupS)}), max ${m.seconds(s.maxDurationS)}`,
    ]);
    if (capacity.gitRevision) rows.push([m.meta.git, capacity.gitRevision]);
    if (capacity.hostname) rows.push([m.meta.host, capacity.hostname]);
  }
  const parts = [
    `<h2 id="metadata">${h(m.sections.metadata)}</h2>`,
    `<table class="meta"><tbody>${rows.map(([k, v]) => `<tr><td>${h(k)}</td><td>${h(v)}</td></tr>`).join('')}</tbody></table>`,
  ];
  for (const run of report.runs) {
    const facts = run.facts;
    const runRows: [string, string][] = [
      [m.meta.run, facts.runId],
      [m.meta.script, facts.script],
      [m.meta.engine, facts.engine ?? '–'],
      [m.meta.profile, facts.profile ?? '–'],
      [m.meta.started, facts.startTime ? f.dateTime(facts.startTime) : '–'],
      [m.meta.duration, m.seconds(facts.durationS)],
      [m.meta.git, facts.gitRevision ?? '–'],
      [m.meta.host, facts.hostname ?? '–'],
    ];
    parts.push(
      `<table class="meta"><tbody>${runRows.map(([k, v]) => `<tr><td>${h(k)}</td><td>${h(v)}</td></tr>`).join('')}</tbody></table>`,
    );
  }
  return parts.join('\n');
}

export function renderHtml(report: Report, m: Messages): string {
  const f = m.fmt;
  const verdictColour = LIGHT_COLOURS[report.verdict.light];
  const flowRows = report.flows.map((flow) => [
    `${lamp(flow.light, m)}${h(m.light[flow.light])}`,
    h(flow.name),
    h(flow.findings.map((finding) => m.finding(finding)).join('; ')),
    f.number(flow.requests),
    f.ms(flow.p95),
    f.percent(flow.failedRatio, 2),
    f.percent(flow.checksRatio, 1),
    flow.thresholdsTotal > 0 ? `${flow.thresholdsPassed}/${flow.thresholdsTotal}` : '–',
  ]);
  const body = [
    `<h1>${h(m.title)}</h1>`,
    `<p class="subtitle">${h(report.title)} · ${h(f.dateTime(report.generatedAt))}</p>`,
    `<section id="verdict" class="verdict" style="border-color:${verdictColour}" data-light="${report.verdict.light}"><span class="lamp" style="background:${verdictColour}" role="img" aria-label="${h(m.light[report.verdict.light])}"></span><div><strong>${h(m.sections.verdict)}:</strong> ${h(m.verdict(report.verdict))}</div></section>`,
    `<h2 id="flows">${h(m.sections.flows)}</h2>`,
    table(
      [
        m.columns.status,
        m.columns.flow,
        m.columns.findings,
        m.columns.requests,
        m.columns.p95,
        m.columns.errors,
        m.columns.checks,
        m.columns.thresholds,
      ],
      flowRows,
      [3, 4, 5, 6, 7],
    ),
    capacitySection(report, m),
    projectionSection(report, m),
    chartsSection(report, m),
    stabilitySection(report, m),
    baselineSection(report, m),
    `<h2 id="recommendations">${h(m.sections.recommendations)}</h2>`,
    `<ul class="recs">${report.recommendations.map((r) => `<li>${h(m.recommendation(r))}</li>`).join('')}</ul>`,
    `<h2 id="methodology">${h(m.sections.methodology)}</h2>`,
    `<ul>${m.methodology.map((line) => `<li>${h(line)}</li>`).join('')}</ul>`,
    metadataSection(report, m),
  ]
    .filter((part) => part !== '')
    .join('\n');
  return `<!doctype html>
<html lang="${m.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${h(m.title)} — ${h(report.title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}
