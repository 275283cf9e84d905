// k6 thresholds: the `thresholds` option parsed and checked like k6's metrics/thresholds*.go, and
// evaluated against sinks. Errors are ThresholdError; the runtime maps them to exit code 104.
import { parseDuration } from '../options/duration.ts';
import type { MetricRegistry } from './registry.ts';
import type { Sink } from './sinks.ts';
import type { MetricType } from './types.ts';

export class ThresholdError extends Error {
  override name = 'ThresholdError';
}

/** One entry of a metric's threshold list in the script's options, exactly as k6 accepts it. */
export type ThresholdSpec = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string | number };

export type AggregationMethod = 'value' | 'count' | 'rate' | 'avg' | 'min' | 'med' | 'max' | 'p';
export type ThresholdOperator = '<=' | '<' | '>=' | '>' | '===' | '==' | '!=';

export interface ThresholdExpression {
  readonly method: AggregationMethod;
  /** The percentile for `p(N)`, e.g. 99.9. */
  readonly percentile?: number;
  readonly operator: ThresholdOperator;
  readonly value: number;
}

// Longer operators first: the scan splits on the first operator found, as k6's does.
const OPERATORS: readonly ThresholdOperator[] = ['<=', '<', '>=', '>', '===', '==', '!='];
const METHODS: readonly AggregationMethod[] = ['value', 'count', 'rate', 'avg', 'min', 'med', 'max'];
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export const SUPPORTED_METHODS: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

export function parseThresholdExpression(source: string): ThresholdExpression {
  if (typeof source !== 'string') {
    throw new ThresholdError(`threshold expression must be a string, got ${JSON.stringify(source)}`);
  }
  const operator = OPERATORS.find((op) => source.includes(op));
  if (operator === undefined) {
    throw new ThresholdError(
      `failed parsing threshold expression "${source}"; reason: malformed threshold expression ` +
        `(expected "<method> <operator> <number>", operators: ${OPERATORS.join(' ')})`,
    );
  }
  const at = source.indexOf(operator);
  const left = source.slice(0, at).trim();
  const right = source.slice(at + operator.length).trim();

  let method: AggregationMethod;
  let percentile: number | undefined;
  if ((METHODS as readonly string[]).includes(left)) {
    method = left as AggregationMethod;
  } else if (left.startsWith('p(') && left.endsWith(')')) {
    const inner = left.slice(2, -1).trim();
    if (!FLOAT.test(inner)) {
      throw new ThresholdError(
        `failed parsing threshold expression's "${source}" left hand side; reason: malformed percentile value "${inner}"`,
      );
    }
    method = 'p';
    percentile = Number(inner);
    if (percentile < 0 || percentile > 100) {
      throw new ThresholdError(`threshold expression "${source}": percentile ${inner} is outside 0–100`);
    }
  } else {
    throw new ThresholdError(
      `failed parsing threshold expression's "${source}" left hand side; reason: unknown aggregation method ` +
        `"${left}" (supported: ${METHODS.join(', ')}, p(N))`,
    );
  }
  if (!FLOAT.test(right)) {
    throw new ThresholdError(`failed parsing threshold expression's "${source}" right hand side; reason: "${right}" is not a number`);
  }
  return { method, percentile, operator, value: Number(right) };
}

export interface ParsedMetricName {
  readonly metric: string;
  /** Tag filter of a submetric, `metric{tag:value,tag2:value}`; null for the metric itself. */
  readonly filter: Readonly<Record<string, string>> | null;
  /** The text inside the braces, trimmed: k6 names the submetric `metric{<suffix>}`. */
  readonly suffix: string;
}

/** `metric` or `metric{tag:value,...}`, validated as k6's ParseMetricName and AddSubmetric do. */
export function parseMetricName(name: string): ParsedMetricName {
  const open = name.indexOf('{');
  const close = name.lastIndexOf('}');
  if (open === -1 && close === -1) return { metric: name, filter: null, suffix: '' };
  const problem = (reason: string) => new ThresholdError(`parsing metric name failed, metric "${name}" ${reason}`);
  if (open === -1 || close === -1) throw problem('has unmatched opening/close curly brace');
  if (close < open) throw problem('closing curly brace appears before opening one');
  if (close !== name.length - 1) throw problem('lacks a closing curly brace in its last position');
  const suffix = name.slice(open + 1, close).trim();
  if (suffix === '') throw problem(`has an empty submetric criteria, use "${name.slice(0, open)}{tag:value}"`);
  const filter: Record<string, string> = {};
  for (const pair of suffix.split(',')) {
    const colon = pair.indexOf(':');
    const value = colon === -1 ? '' : unquote(pair.slice(colon + 1));
    if (colon === -1 || value === '') throw problem(`tag expression "${pair.trim()}" is malformed (expected tag:value)`);
    filter[unquote(pair.slice(0, colon))] = value;
  }
  return { metric: name.slice(0, open), filter, suffix };
}

function unquote(text: string): string {
  return text.trim().replace(/^["']+|["']+$/g, '');
}

/** k6 durations ('10s', '1m30s'); a number is milliseconds, a string needs its unit. */
export function parseAbortDelay(value: string | number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const text = String(value).trim();
  const invalid = () => new ThresholdError(`invalid delayAbortEval "${text}": expected a duration like "10s", "1m30s" or "500ms"`);
  if (!/[a-zµ]$/.test(text)) throw invalid();
  try {
    return parseDuration(text);
  } catch {
    throw invalid();
  }
}

export class Threshold {
  readonly source: string;
  readonly expression: ThresholdExpression;
  readonly abortOnFail: boolean;
  /** null: abort as soon as it fails (k6: no delayAbortEval). */
  readonly abortDelayMs: number | null;
  /** Outcome of the last evaluation (k6's !LastFailed). */
  ok = true;

  constructor(spec: ThresholdSpec) {
    if (typeof spec === 'string') {
      this.source = spec;
      this.abortOnFail = false;
      this.abortDelayMs = null;
    } else if (spec !== null && typeof spec === 'object' && typeof spec.threshold === 'string') {
      this.source = spec.threshold;
      this.abortOnFail = spec.abortOnFail === true;
      this.abortDelayMs = spec.delayAbortEval === undefined ? null : parseAbortDelay(spec.delayAbortEval);
    } else {
      throw new ThresholdError(
        `invalid threshold ${JSON.stringify(spec)}: expected a string like "p(95)<500" or ` +
          `{ threshold: "p(95)<500", abortOnFail: true, delayAbortEval: "10s" }`,
      );
    }
    this.expression = parseThresholdExpression(this.source);
  }

  /** Compares the sink's aggregate with the threshold; NaN (a rate without samples) fails, as in k6. */
  evaluate(sink: Sink, elapsedMs: number): boolean {
    const lhs = aggregate(sink, this.expression, elapsedMs);
    const rhs = this.expression.value;
    let passes: boolean;
    switch (this.expression.operator) {
      case '<':
        passes = lhs < rhs;
        break;
      case '<=':
        passes = lhs <= rhs;
        break;
      case '>':
        passes = lhs > rhs;
        break;
      case '>=':
        passes = lhs >= rhs;
        break;
      case '==':
      case '===':
        passes = lhs === rhs;
        break;
      case '!=':
        passes = lhs !== rhs;
        break;
    }
    this.ok = passes;
    return passes;
  }
}

/** The value a threshold compares: the sink aggregated by the expression's method (k6's Sink.Format + thresholds). */
export function aggregate(sink: Sink, expression: ThresholdExpression, elapsedMs: number): number {
  switch (sink.type) {
    case 'counter':
      return expression.method === 'count' ? sink.value : sink.value / (elapsedMs / 1000);
    case 'gauge':
      return sink.value;
    case 'rate':
      return sink.rate;
    case 'trend':
      switch (expression.method) {
        case 'avg':
          return sink.avg;
        case 'min':
          return sink.min;
        case 'max':
          return sink.max;
        case 'med':
          return sink.med;
        default:
          return sink.percentile(expression.percentile ?? 0);
      }
  }
}

export function supportsMethod(type: MetricType, method: AggregationMethod): boolean {
  const supported = SUPPORTED_METHODS[type];
  return method === 'p' ? supported.includes('p(N)') : supported.includes(method);
}

/** One metric's (or submetric's) thresholds, like k6's metrics.Thresholds. */
export class ThresholdSet {
  readonly thresholds: Threshold[];
  /** Latched once an abortOnFail threshold fails past its delay, as k6 does. */
  abort = false;

  constructor(
    readonly name: string,
    specs: readonly ThresholdSpec[],
  ) {
    this.thresholds = specs.map((spec) => new Threshold(spec));
  }

  run(sink: Sink, elapsedMs: number): boolean {
    let succeeded = true;
    for (const threshold of this.thresholds) {
      if (threshold.evaluate(sink, elapsedMs)) continue;
      succeeded = false;
      if (this.abort || !threshold.abortOnFail) continue;
      this.abort = threshold.abortDelayMs === null || threshold.abortDelayMs < elapsedMs;
    }
    return succeeded;
  }
}

export interface ParsedThresholds {
  readonly name: string;
  readonly parsedName: ParsedMetricName;
  readonly set: ThresholdSet;
}

/**
 * Parses the `thresholds` option. With a registry, also checks that every metric exists and that
 * each aggregation method suits the metric's type (k6 does this after the init context ran).
 * Throws ThresholdError with every problem found, one per line.
 */
export function parseThresholds(config: unknown, registry?: MetricRegistry): ParsedThresholds[] {
  const problems: string[] = [];
  const parsed: ParsedThresholds[] = [];
  if (config === undefined || config === null) return parsed;
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new ThresholdError('thresholds must be an object mapping metric names to lists of threshold expressions');
  }
  for (const [name, specs] of Object.entries(config as Record<string, unknown>)) {
    try {
      if (!Array.isArray(specs)) {
        throw new ThresholdError(
          `thresholds for '${name}' must be a list, e.g. { '${name}': [${JSON.stringify(
            typeof specs === 'string' ? specs : 'p(95)<500',
          )}] }`,
        );
      }
      const parsedName = parseMetricName(name);
      const set = new ThresholdSet(name, specs as ThresholdSpec[]);
      if (registry !== undefined) {
        const metric = registry.get(parsedName.metric);
        if (metric === undefined) {
          throw new ThresholdError(`metric '${parsedName.metric}' does not exist in the script`);
        }
        for (const threshold of set.thresholds) {
          if (!supportsMethod(metric.type, threshold.expression.method)) {
            throw new ThresholdError(
              `invalid threshold "${threshold.source}" applied on metric ${name}; reason: unsupported aggregation ` +
                `method ${threshold.expression.method} on metric of type ${metric.type}. supported aggregation ` +
                `methods for this metric are: ${SUPPORTED_METHODS[metric.type].join(', ')}`,
            );
          }
        }
      }
      parsed.push({ name, parsedName, set });
    } catch (error) {
      if (!(error instanceof ThresholdError)) throw error;
      problems.push(`invalid metric '${name}' in threshold definitions: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ThresholdError(problems.join('\n'));
  return parsed;
}

/** The problems in a `thresholds` option, empty when valid (for validateOptions, exit 104). */
export function validateThresholds(config: unknown, registry?: MetricRegistry): string[] {
  try {
    parseThresholds(config, registry);
    return [];
  } catch (error) {
    if (error instanceof ThresholdError) return error.message.split('\n');
    throw error;
  }
}
