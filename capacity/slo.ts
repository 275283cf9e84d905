// `--slo` compiled into k6 thresholds: the SLO of a capacity search is a k6 thresholds object, parsed,
// validated and evaluated by the engine (engine/metrics/thresholds.ts), never by a second grammar.
//
//   --slo 'p95<800ms,errors<1%'                       shorthand on http_req_duration / http_req_failed / checks
//   --slo 'p99{name:"/api/procedures"}<1.5s'          shorthand on a submetric (k6 tag filter, quotes allowed)
//   --slo 'http_req_duration{flow:login}:p(95)<800'   any k6 threshold, as in options.thresholds
import { parseDuration } from '../engine/index.ts';
import { parseMetricName, parseThresholdExpression, ThresholdError } from '../engine/index.ts';
import type { SloCriterion } from '../results-format/index.ts';
import { InvalidConfigError } from '../engine/errors.ts';

export type { SloCriterion };

export class SloSyntaxError extends InvalidConfigError {
  override name = 'SloSyntaxError';
}

const SHORTHAND = /^(p\d{1,2}(?:\.\d+)?|avg|med|min|max|errors|checks)\s*(\{[^}]*\})?\s*(<=|>=|<|>)\s*(.+)$/;
const K6_FORM = /^([A-Za-z_][\w.]*\s*(?:\{[^}]*\})?)\s*:\s*(.+)$/;
const RATIO = /^(\d+(?:\.\d+)?)\s*%$/;

/** Splits on commas outside `{…}` and quotes: tag values may hold commas. */
function items(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let current = '';
  for (const char of text) {
    if (quote !== '') {
      if (char === quote) quote = '';
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '{') depth++;
    else if (char === '}') depth = Math.max(0, depth - 1);
    else if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function criterion(label: string, metric: string, expression: string): SloCriterion {
  try {
    parseMetricName(metric);
    const parsed = parseThresholdExpression(expression);
    const aggregation = parsed.method === 'p' ? `p(${parsed.percentile})` : parsed.method;
    return { label, metric, threshold: expression, aggregation, limit: parsed.value };
  } catch (error) {
    if (error instanceof ThresholdError) throw new SloSyntaxError(`cannot read SLO "${label}": ${error.message}`);
    throw error;
  }
}

/** A latency with k6's units (`800ms`, `1.5s`, `1m`, `1m30s`; a bare number is milliseconds) → ms. */
function latencyMs(label: string, text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (RATIO.test(text)) throw new SloSyntaxError(`"${label}": latency takes a duration (e.g. 800ms, 2s, 1m), not a percentage`);
  try {
    return parseDuration(text);
  } catch {
    throw new SloSyntaxError(`cannot read SLO "${label}": "${text}" is not a duration like 800ms, 1.5s, 1m or 1m30s`);
  }
}

function shorthand(label: string, match: RegExpExecArray): SloCriterion {
  const [, what, filter = '', operator, amount] = match;
  if (what === 'errors' || what === 'checks') {
    const ratio = RATIO.exec(amount.trim());
    if (!ratio) throw new SloSyntaxError(`"${label}": ${what} takes a percentage, e.g. ${what}${operator}1%`);
    const metric = `${what === 'errors' ? 'http_req_failed' : 'checks'}${filter}`;
    return criterion(label, metric, `rate${operator}${Number(ratio[1]) / 100}`);
  }
  const method = what.startsWith('p') ? `p(${what.slice(1)})` : what;
  return criterion(label, `http_req_duration${filter}`, `${method}${operator}${latencyMs(label, amount.trim())}`);
}

/** `--slo` → criteria, each a k6 threshold (metric key + expression). Throws SloSyntaxError with the reason. */
export function parseSloFlag(text: string): SloCriterion[] {
  const list = items(text);
  if (list.length === 0) throw new SloSyntaxError('--slo is empty; example: --slo "p95<800ms,errors<1%"');
  return list.map((label) => {
    const short = SHORTHAND.exec(label);
    if (short) return shorthand(label, short);
    const k6 = K6_FORM.exec(label);
    if (k6) return criterion(label, k6[1].replace(/\s+(?=\{)/, ''), k6[2].trim());
    throw new SloSyntaxError(
      `cannot read SLO "${label}": expected pNN<DURATION (e.g. p95<800ms, p99<1m), avg|med|min|max<DURATION, errors<N%, checks>N%, ` +
        'optionally with a tag filter (p95{name:"/api/procedures"}<1s), or a k6 threshold such as http_req_duration{flow:login}:p(95)<800',
    );
  });
}

/** A scenario's k6 thresholds option → criteria (the same thresholds, one criterion per expression). */
export function criteriaFromThresholds(thresholds: Record<string, unknown> | undefined): SloCriterion[] {
  const criteria: SloCriterion[] = [];
  for (const [metric, list] of Object.entries(thresholds ?? {})) {
    for (const entry of Array.isArray(list) ? list : [list]) {
      const expression = typeof entry === 'string' ? entry : (entry as { threshold?: unknown } | null)?.threshold;
      if (typeof expression !== 'string') throw new SloSyntaxError(`threshold on "${metric}" is neither a string nor { threshold }`);
      criteria.push(criterion(`${metric}: ${expression.trim()}`, metric, expression.trim()));
    }
  }
  return criteria;
}

/** The criteria as a k6 `thresholds` option, e.g. for a step's own run. */
export function sloThresholds(criteria: readonly SloCriterion[]): Record<string, string[]> {
  const thresholds: Record<string, string[]> = {};
  for (const c of criteria) (thresholds[c.metric] ??= []).push(c.threshold);
  return thresholds;
}

/** How far a value is towards breaking its limit: 1 at the limit, > 1 beyond it. */
export function pressure(value: number, criterion: SloCriterion): number {
  const { operator } = parseThresholdExpression(criterion.threshold);
  const limit = criterion.limit;
  if (operator === '<' || operator === '<=') return limit === 0 ? (value > 0 ? Number.POSITIVE_INFINITY : 0) : value / limit;
  if (operator === '>' || operator === '>=') return value === 0 ? Number.POSITIVE_INFINITY : limit / value;
  const equal = value === limit;
  return (operator === '!=' ? !equal : equal) ? 0 : Number.POSITIVE_INFINITY;
}
