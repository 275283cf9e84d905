// Every PromQL expression of every dashboard panel, Grafana's variable substitution for them, and
// Grafana's evaluation of the dashboards' query variables (label_values, metrics + regex).

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboards } from '../../dashboards/index.ts';

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

type PanelLike = dashboard.Panel & { targets?: { expr?: string }[] };

export function allPanelQueries(): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const [file, model] of Object.entries(buildDashboards())) {
    for (const panel of (model.panels ?? []) as PanelLike[]) {
      for (const target of panel.targets ?? []) {
        queries.push({ dashboard: file, panel: panel.title ?? '(untitled)', expr: target.expr ?? '' });
      }
    }
  }
  return queries;
}

/** The dashboards for K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true; the others are for k6's trend stats. */
export function isNativeHistogramDashboard(file: string): boolean {
  return file.includes('native-histogram');
}

/** Grafana's substitution: template variables as regexes, built-in intervals as given. */
export function substitute(expr: string, variables: Record<string, string>, intervals: { rate: string; range: string }): string {
  return expr
    .replaceAll('$__rate_interval', intervals.rate)
    .replaceAll('$__range', intervals.range)
    .replace(/\$\{?(\w+)\}?/g, (whole, name: string) => variables[name] ?? whole);
}

/**
 * The values Grafana lists for a query variable: `label_values(selector, label)` through the label
 * API, `metrics(prefix)` as the metric names starting with prefix; then the variable's regex, whose
 * `value` group (or whole match) becomes the value, as Grafana applies it.
 */
export async function variableValues(
  prometheusUrl: string,
  variable: dashboard.VariableModel,
  substitutions: Record<string, string> = {},
): Promise<string[]> {
  const definition = String(variable.definition).replace(/\$(\w+)/g, (whole, name: string) => substitutions[name] ?? whole);
  let listed: string[];
  const labelValues = /^label_values\((.+), (\w+)\)$/.exec(definition);
  const metrics = /^metrics\((.+)\)$/.exec(definition);
  if (labelValues) {
    const response = await fetch(
      `${prometheusUrl}/api/v1/label/${labelValues[2]}/values?${new URLSearchParams({ 'match[]': labelValues[1] })}`,
    );
    listed = ((await response.json()) as { data: string[] }).data;
  } else if (metrics) {
    const response = await fetch(`${prometheusUrl}/api/v1/label/__name__/values`);
    listed = ((await response.json()) as { data: string[] }).data.filter((name) => name.startsWith(metrics[1]));
  } else {
    throw new Error(`unexpected variable query ${definition}`);
  }
  if (!variable.regex) return listed;
  const regex = /^\/(.*)\/([a-z]*)$/.exec(variable.regex);
  if (!regex) throw new Error(`variable ${variable.name}: regex ${variable.regex} is not /…/flags`);
  const pattern = new RegExp(regex[1], regex[2].replace('g', ''));
  return [
    ...new Set(
      listed.flatMap((value) => {
        const match = pattern.exec(value);
        return match ? [match.groups?.value ?? match[1] ?? match[0]] : [];
      }),
    ),
  ];
}
