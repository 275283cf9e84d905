// Inline SVG charts with no library and no network: a report must open offline, years from now.
import { escapeHtml } from './escape.ts';

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  name: string;
  color: string;
  points: ChartPoint[];
  kind?: 'line' | 'bars';
  dashed?: boolean;
}

export interface ReferenceLine {
  value: number;
  label: string;
  color: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  xFormat: (x: number) => string;
  yFormat: (y: number) => string;
  horizontal?: ReferenceLine[];
  vertical?: ReferenceLine[];
  yMax?: number;
  width?: number;
  height?: number;
}

/** 1, 2 or 5 × 10^n steps, so tick labels read as round numbers. */
function niceStep(range: number, count: number): number {
  const raw = range / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 260;
  const margin = { top: 16, right: 16, bottom: 44, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = spec.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xs = all.map((p) => p.x).concat((spec.vertical ?? []).map((l) => l.value));
  const ys = all.map((p) => p.y).concat((spec.horizontal ?? []).map((l) => l.value));
  let xMin = xs.length ? Math.min(...xs) : 0;
  let xMax = xs.length ? Math.max(...xs) : 1;
  const hasBars = spec.series.some((s) => s.kind === 'bars');
  if (hasBars) {
    xMin -= 0.5;
    xMax += 0.5;
  }
  if (xMax === xMin) xMax = xMin + 1;
  const yTop = spec.yMax ?? Math.max(...ys, 0);
  const yStep = niceStep(yTop > 0 ? yTop : 1, 4);
  const yMax = Math.max(yStep, Math.ceil((yTop > 0 ? yTop : 1) / yStep) * yStep);
  const sx = (x: number) => margin.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number) => margin.top + plotH - (Math.max(0, Math.min(y, yMax)) / yMax) * plotH;
  const parts: string[] = [];
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="#fff" stroke="#d0d5dd"/>`);
  for (let y = 0; y <= yMax + yStep / 2; y += yStep) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#eef0f3"/>`,
    );
    parts.push(
      `<text x="${margin.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(spec.yFormat(y))}</text>`,
    );
  }
  const xStep = hasBars ? Math.max(1, Math.ceil((xMax - xMin) / 12)) : niceStep(xMax - xMin, 6);
  const xFirst = hasBars ? Math.ceil(xMin) : Math.ceil(xMin / xStep) * xStep;
  for (let i = 0, x = xFirst; x <= xMax + 1e-9 && i <= 14; i++, x += xStep) {
    parts.push(
      `<text x="${sx(x).toFixed(1)}" y="${margin.top + plotH + 16}" text-anchor="middle" class="tick">${escapeHtml(spec.xFormat(x))}</text>`,
    );
  }
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 6}" text-anchor="middle" class="axis">${escapeHtml(spec.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(14 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" class="axis">${escapeHtml(spec.yLabel)}</text>`,
  );

  for (const series of spec.series) {
    const points = series.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    if (points.length === 0) continue;
    const name = escapeHtml(series.name);
    if (series.kind === 'bars') {
      const barW = Math.max(2, (plotW / (xMax - xMin)) * 0.6);
      const bars = points
        .map(
          (p) =>
            `<rect x="${(sx(p.x) - barW / 2).toFixed(1)}" y="${sy(p.y).toFixed(1)}" width="${barW.toFixed(1)}" height="${(sy(0) - sy(p.y)).toFixed(1)}" fill="${series.color}"><title>${escapeHtml(spec.xFormat(p.x))}: ${escapeHtml(spec.yFormat(p.y))}</title></rect>`,
        )
        .join('');
      parts.push(`<g class="series" data-series="${name}" data-points="${points.length}">${bars}</g>`);
      continue;
    }
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    parts.push(
      `<path class="series" data-series="${name}" data-points="${points.length}" d="${d}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    if (points.length <= 40) {
      for (const p of points) {
        parts.push(
          `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${series.color}"><title>${name} · ${escapeHtml(spec.xFormat(p.x))}: ${escapeHtml(spec.yFormat(p.y))}</title></circle>`,
        );
      }
    }
  }
  for (const line of spec.horizontal ?? []) {
    parts.push(
      `<line class="reference" x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(line.value).toFixed(1)}" y2="${sy(line.value).toFixed(1)}" stroke="${line.color}" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${margin.left + plotW - 4}" y="${(sy(line.value) - 4).toFixed(1)}" text-anchor="end" class="tick" fill="${line.color}">${escapeHtml(line.label)}</text>`,
    );
  }
  for (const line of spec.vertical ?? []) {
    parts.push(
      `<line class="reference" x1="${sx(line.value).toFixed(1)}" x2="${sx(line.value).toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="${line.color}" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${(sx(line.value) + 4).toFixed(1)}" y="${margin.top + 12}" class="tick" fill="${line.color}">${escapeHtml(line.label)}</text>`,
    );
  }
  const legend = spec.series
    .filter((s) => s.points.length > 0)
    .map((s) => `<span class="key"><i style="background:${s.color}"></i>${escapeHtml(s.name)}</span>`)
    .join('');
  return (
    `<figure class="chart"><figcaption>${escapeHtml(spec.title)}</figcaption>` +
    `<svg data-chart="${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(spec.title)}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>` +
    `<div class="legend">${legend}</div></figure>`
  );
}
