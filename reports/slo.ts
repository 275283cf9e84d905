// Service-level objectives as criteria on metrics: parsed from `--slo 'p95<800ms,errors<1%'` or from a
// scenario's k6 thresholds, and evaluated on any set of samples (a capacity step, a time window).

export type Aggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' | `p(${number})`;
export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface SloCriterion {
  /** As the user wrote it, e.g. `p95<800ms` or `http_req_duration{scenario:login}: p(95)<800`. */
  label: string;
  metric: string;
  /** Tag filter of a k6 submetric (`metric{tag:value}`). */
  tags: Record<string, string>;
  aggregation: Aggregation;
  comparison: Comparison;
  limit: number;
}

export class SloSyntaxError extends Error {}

const FLAG_ITEM = /^\s*(p\d{1,2}(?:\.\d+)?|avg|med|max|errors|checks)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/;

/** `p95<800ms,p99<2s,errors<1%,checks>99%` → criteria on k6's built-in metrics. */
export function parseSloFlag(text: string): SloCriterion[] {
  const items = text.split(',').filter((item) => item.trim() !== '');
  if (items.length === 0) throw new SloSyntaxError('--slo is empty; example: --slo "p95<800ms,errors<1%"');
  return items.map((item) => {
    const match = FLAG_ITEM.exec(item);
    if (!match) {
      throw new SloSyntaxError(
        `cannot read SLO "${item.trim()}": expected pNN<DURATION (e.g. p95<800ms), avg|med|max<DURATION, errors<N% or checks>N%`,
      );
    }
    const [, what, comparison, number, unit] = match;
    const amount = Number(number);
    if (what === 'errors' || what === 'checks') {
      if (unit !== '%') throw new SloSyntaxError(`"${item.trim()}": ${what} takes a percentage, e.g. ${what}${comparison}1%`);
      return {
        label: item.trim(),
        metric: what === 'errors' ? 'http_req_failed' : 'checks',
        tags: {},
        aggregation: 'rate',
        comparison: comparison as Comparison,
        limit: amount / 100,
      };
    }
    if (unit === '%') throw new SloSyntaxError(`"${item.trim()}": latency takes a duration (ms or s), not a percentage`);
    const aggregation = (what.startsWith('p') ? `p(${what.slice(1)})` : what) as Aggregation;
    return {
      label: item.trim(),
      metric: 'http_req_duration',
      tags: {},
      aggregation,
      comparison: comparison as Comparison,
      limit: unit === 's' ? amount * 1000 : amount,
    };
  });
}

const THRESHOLD_EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(\d+(?:\.\d+)?\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*$/i;
const METRIC_KEY = /^([A-Za-z_][\w.-]*)(?:\{(.*)\})?$/;

/** A k6 thresholds object (`{ 'http_req_duration{name:x}': ['p(95)<800'] }`) → criteria. */
export function criteriaFromThresholds(thresholds: Record<string, unknown> | undefined): SloCriterion[] {
  const criteria: SloCriterion[] = [];
  for (const [key, list] of Object.entries(thresholds ?? {})) {
    const keyMatch = METRIC_KEY.exec(key.trim());
    if (!keyMatch) throw new SloSyntaxError(`threshold metric "${key}" is not metric or metric{tag:value}`);
    const tags: Record<string, string> = {};
    for (const pair of (keyMatch[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
      const colon = pair.indexOf(':');
      if (colon < 0) throw new SloSyntaxError(`threshold "${key}": tag filter "${pair}" lacks ":"`);
      tags[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
    }
    const entries = Array.isArray(list) ? list : [list];
    for (const entry of entries) {
      const expression = typeof entry === 'string' ? entry : (entry as { threshold?: string })?.threshold;
      if (typeof expression !== 'string') throw new SloSyntaxError(`threshold on "${key}" is neither a string nor { threshold }`);
      const match = THRESHOLD_EXPRESSION.exec(expression);
      if (!match) throw new SloSyntaxError(`threshold "${key}: ${expression}" is not k6 syntax like p(95)<800`);
      criteria.push({
        label: `${key}: ${expression.trim()}`,
        metric: keyMatch[1],
        tags,
        aggregation: match[1].toLowerCase() as Aggregation,
        comparison: (match[2] === '===' ? '==' : match[2]) as Comparison,
        limit: Number(match[3]),
      });
    }
  }
  return criteria;
}

export function compare(value: number, comparison: Comparison, limit: number): boolean {
  switch (comparison) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

/** How far a value is towards breaking its limit: 1 at the limit, > 1 beyond it. */
export function pressure(value: number, criterion: SloCriterion): number {
  const upper = criterion.comparison === '<' || criterion.comparison === '<=';
  if (upper) return criterion.limit === 0 ? (value > 0 ? Number.POSITIVE_INFINITY : 0) : value / criterion.limit;
  if (criterion.comparison === '>' || criterion.comparison === '>=') return value === 0 ? Number.POSITIVE_INFINITY : criterion.limit / value;
  return compare(value, criterion.comparison, criterion.limit) ? 0 : Number.POSITIVE_INFINITY;
}

/** True when the criterion reads a latency (a time trend), so values are milliseconds. */
export function isLatencyCriterion(criterion: SloCriterion): boolean {
  return criterion.aggregation !== 'rate' && criterion.aggregation !== 'count' && criterion.aggregation !== 'value';
}
