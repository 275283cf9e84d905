// Every PromQL expression of every dashboard panel, and Grafana's variable substitution for them.

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

/** Grafana's substitution: template variables as regexes, built-in intervals as given. */
export function substitute(expr: string, variables: Record<string, string>, intervals: { rate: string; range: string }): string {
  return expr
    .replaceAll('$__rate_interval', intervals.rate)
    .replaceAll('$__range', intervals.range)
    .replace(/\$\{?(\w+)\}?/g, (whole, name: string) => variables[name] ?? whole);
}
