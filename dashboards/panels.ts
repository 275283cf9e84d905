// The few panel shapes the dashboards use, so every panel gets what ops need from it: a
// description of the question it answers, a unit, and thresholds that colour the bad zone.

import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Every query goes to the Prometheus picked in the dashboard's `datasource` variable. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '$datasource' };

export interface Query {
  readonly expr: string;
  readonly legend?: string;
}

/** [value, colour] steps: the first value is ignored (base step), e.g. [[0, 'green'], [0.8, 'orange'], [0.95, 'red']]. */
export type Steps = readonly (readonly [number, string])[];

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly steps: Steps;
  readonly queries: readonly Query[];
  readonly width: number;
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
}

function thresholds(steps: Steps): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps.map(([value, color], i) => ({ value: i === 0 ? null : value, color })));
}

function targets(queries: readonly Query[], instant: boolean): prometheus.DataqueryBuilder[] {
  return queries.map((q, i) => {
    const target = new prometheus.DataqueryBuilder()
      .datasource(DATASOURCE)
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr)
      .legendFormat(q.legend ?? '__auto');
    return instant ? target.instant() : target.range();
  });
}

/** A time series over the test; thresholds drawn as dashed lines with the bad zone shaded. */
export function timeSeries(spec: PanelSpec): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .thresholds(thresholds(spec.steps))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.DashedAndArea))
    .targets(targets(spec.queries, false))
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(true)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .calcs(['max', 'lastNotNull']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .span(spec.width)
    .height(spec.height ?? 8);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  return panel;
}

/** One big number, coloured by its thresholds: the "is it healthy?" row. */
export function bigNumber(spec: PanelSpec): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .thresholds(thresholds(spec.steps))
    .targets(targets(spec.queries, false))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.Area)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .span(spec.width)
    .height(spec.height ?? 4);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  return panel;
}

/** Horizontal bars, one per series, sorted by the query: "which one is worst right now?". */
export function ranking(spec: PanelSpec): bargauge.PanelBuilder {
  const panel = new bargauge.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .thresholds(thresholds(spec.steps))
    .targets(targets(spec.queries, true))
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .orientation(common.VizOrientation.Horizontal)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .span(spec.width)
    .height(spec.height ?? 8);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  return panel;
}

export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title);
}

/** A label-values variable; `All` matches everything through the regex `.*`. */
export function labelVariable(
  name: string,
  label: string,
  query: string,
  description: string,
  multi: boolean,
): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(DATASOURCE)
    .query({ qryType: 1, query, refId: 'PrometheusVariableQueryEditor-VariableQuery' })
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(true)
    .allValue('.*');
}

/**
 * How k6 wrote its trends: as the stats of K6_PROMETHEUS_RW_TREND_STATS (default `p(99)` →
 * k6_http_req_duration_p99), or as native histograms (K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true →
 * k6_http_req_duration_seconds). Each dashboard with k6 latency comes in both flavours.
 */
export type TrendFlavour = 'stats' | 'native';

/** Grafana's official k6 dashboard's $quantile_stat: the stats that exist, found from the series names; p99 (k6's default) first. */
export function quantileStatVariable(): dashboard.QueryVariableBuilder {
  return (
    new dashboard.QueryVariableBuilder('quantile_stat')
      .label('Trend stat')
      .description(
        'Which trend stat the latency panels show, from the series that exist. k6 writes p99 by default; export more with K6_PROMETHEUS_RW_TREND_STATS=p(95),p(99),avg,max.',
      )
      .datasource(DATASOURCE)
      .query({ qryType: 2, query: 'metrics(k6_http_req_duration_)', refId: 'PrometheusVariableQueryEditor-VariableQuery' })
      .definition('metrics(k6_http_req_duration_)')
      // Grafana's k6 dashboard takes any suffix; this one leaves out _seconds, the native histogram of a
      // run written with K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true into the same Prometheus.
      .regex('/^k6_http_req_duration_(?<value>p\\d+(_\\d+)?|avg|min|max|med|count|sum)$/')
      .current({ selected: true, text: 'p99', value: 'p99' })
      .refresh(dashboard.VariableRefresh.OnDashboardLoad)
      .sort(dashboard.VariableSort.AlphabeticalDesc)
      .multi(false)
      .includeAll(false)
  );
}

/** The native-histogram flavour's quantile, computed by histogram_quantile over the rate window. */
export function quantileVariable(): dashboard.CustomVariableBuilder {
  return new dashboard.CustomVariableBuilder('quantile')
    .label('Quantile')
    .description('The quantile the latency panels compute from the native histograms over the rate window.')
    .values('0.99,0.95,0.9,0.5')
    .current({ selected: true, text: '0.99', value: '0.99' })
    .multi(false)
    .includeAll(false);
}

/** Filters typed in Grafana apply to every query of the data source, as in Grafana's k6 dashboard. */
export function adhocFilterVariable(): dashboard.AdHocVariableBuilder {
  return new dashboard.AdHocVariableBuilder('adhoc_filter')
    .label('Filter')
    .description('Label filters applied to every panel')
    .datasource(DATASOURCE);
}

/** The trend variables of a flavour: $quantile_stat, or $quantile for native histograms. */
export function trendVariable(flavour: TrendFlavour): dashboard.QueryVariableBuilder | dashboard.CustomVariableBuilder {
  return flavour === 'stats' ? quantileStatVariable() : quantileVariable();
}

/** The name the selected quantile goes by in titles and legends. */
export function quantileName(flavour: TrendFlavour): string {
  return flavour === 'stats' ? '$quantile_stat' : 'q$quantile';
}

/**
 * A k6 time trend at the selected quantile, aggregated by `by`: the stat series k6 writes (cumulative
 * since the start, as k6 computes it), or histogram_quantile over native histograms (per rate window).
 */
export function trendQuery(flavour: TrendFlavour, metric: string, selector: string, by: readonly string[] = []): string {
  const grouping = by.length > 0 ? ` by (${by.join(', ')})` : '';
  return flavour === 'stats'
    ? `max${grouping} (k6_${metric}_$quantile_stat{${selector}})`
    : `histogram_quantile($quantile, sum${grouping} (rate(k6_${metric}_seconds{${selector}}[$__rate_interval])))`;
}

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');
}

/** Dashboard defaults shared by all three: shared crosshair so one moment lines up across panels. */
export function newDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['loadlab', 'k6'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh('5s')
    .time({ from: 'now-15m', to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable());
}

export const GREEN = 'green';
export const ORANGE = 'orange';
export const RED = 'red';
export const BLUE = 'blue';
