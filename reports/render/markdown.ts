// The Markdown summary: the same findings as the HTML report, for a ticket, a chat or a commit message.
import type { Messages } from '../i18n.ts';
import type { Light, Report } from '../model.ts';
import { escapeMarkdown as md } from './escape.ts';

const LIGHT_SYMBOL: Record<Light, string> = { green: '🟢', amber: '🟡', red: '🔴' };

export function renderMarkdown(report: Report, m: Messages): string {
  const f = m.fmt;
  const lines: string[] = [];
  lines.push(`# ${m.title}`, '', `${md(report.title)} · ${f.dateTime(report.generatedAt)}`, '');
  lines.push(`**${m.sections.verdict}:** ${LIGHT_SYMBOL[report.verdict.light]} ${md(m.verdict(report.verdict))}`, '');
  lines.push(`## ${m.sections.flows}`, '');
  lines.push(
    `| ${m.columns.status} | ${m.columns.flow} | ${m.columns.findings} | ${m.columns.p95} | ${m.columns.errors} |`,
    '|---|---|---|---:|---:|',
  );
  for (const flow of report.flows) {
    lines.push(
      `| ${LIGHT_SYMBOL[flow.light]} ${m.light[flow.light]} | ${md(flow.name)} | ${md(flow.findings.map((x) => m.finding(x)).join('; '))} | ${f.ms(flow.p95)} | ${f.percent(flow.failedRatio, 2)} |`,
    );
  }
  const capacity = report.capacity;
  if (capacity) {
    const a = capacity.analysis;
    lines.push(
      '',
      `## ${m.sections.capacity}`,
      '',
      md(m.capacitySummary(a.maxSustainableThroughput, a.bracket.sustainable, a.bracket.unsustainable, a.maxSustainableRequestsPerSec)),
      '',
    );
    lines.push(md(a.firstBreak ? m.firstBreak(a.firstBreak.stepIndex, a.firstBreak.offeredRate, a.firstBreak.criteria) : m.noBreak));
    if (a.knee) lines.push('', md(m.knee(a.knee.offeredRate, a.knee.p95)));
    lines.push(
      '',
      `| ${m.columns.step} | ${m.columns.offered} | ${m.columns.achieved} | ${m.columns.p95} | ${m.columns.errors} | ${m.columns.topResource} | ${m.columns.sustainable} |`,
      '|---:|---:|---:|---:|---:|---|---|',
    );
    for (const step of [...capacity.steps].sort((x, y) => x.offeredRate - y.offeredRate)) {
      const top = step.saturation[0];
      lines.push(
        `| ${step.index} | ${f.rate(step.offeredRate)} | ${f.rate(step.iterationsPerSec)} | ${f.ms(step.latency.p95)} | ${f.percent(step.failedRatio)} | ${top ? `${md(`${top.service}/${top.resource}`)} ${f.percent(top.utilisation, 0)}` : '–'} | ${step.partial ? m.partial : step.sustainable ? m.yes : m.no} |`,
      );
    }
    const b = a.bottleneck;
    lines.push('', `## ${m.sections.bottleneck}`, '');
    lines.push(md(m.bottleneck(b)));
  }
  const p = report.projection;
  if (p) {
    const unit = p.model.unit[m.lang];
    lines.push(
      '',
      `## ${m.sections.projection}`,
      '',
      md(m.projectionIntro(p.model.name[m.lang], p.model.description[m.lang], p.model.source[m.lang])),
      '',
    );
    lines.push(
      md(
        m.projectionCrossing({
          crossingYear: p.crossingYear,
          beyondHorizon: p.beyondHorizon,
          headroomNow: p.headroomNow,
          currentYear: p.currentYear,
          capacity: p.capacityPerSec,
          unit,
        }),
      ),
      '',
    );
    lines.push(`| ${m.columns.year} | ${m.columns.peak} | ${m.columns.headroom} |`, '|---:|---:|---:|');
    for (const year of p.years)
      lines.push(
        `| ${year.year} | ${f.rate(year.peakPerSec)} ${md(unit)} | ${year.headroom === null ? '–' : f.percent(year.headroom, 0)} |`,
      );
  }
  if (report.baseline) {
    lines.push('', `## ${m.sections.baseline}`, '', md(report.baseline.title), '');
    const regressions = report.baseline.comparisons.filter((c) => c.regression);
    if (regressions.length === 0) lines.push(m.noRegressions);
    for (const c of regressions)
      lines.push(
        `- **${m.regressionFlag}**: ${md(c.subject)} (${c.unit === 'ratio' ? `${f.number(c.change * 100, 2)} pp` : f.percent(c.change, 1)})`,
      );
  }
  lines.push('', `## ${m.sections.recommendations}`, '');
  for (const r of report.recommendations) lines.push(`- ${md(m.recommendation(r))}`);
  lines.push('', `## ${m.sections.methodology}`, '');
  for (const line of m.methodology) lines.push(`- ${md(line)}`);
  lines.push(
    '',
    `## ${m.sections.metadata}`,
    '',
    `- ${m.meta.folder}: ${md(report.folder)}`,
    `- ${m.meta.generated}: ${f.dateTime(report.generatedAt)}`,
  );
  for (const run of report.runs)
    lines.push(`- ${m.meta.run}: ${md(run.facts.runId)} (${md(run.facts.script)}, ${m.seconds(run.facts.durationS)})`);
  return lines.join('\n') + '\n';
}
