// `--out` specs → Output instances. Each output is its own file with one factory, as in k6.
import type { Output, OutputFactory, OutputParams } from '../metrics/types.ts';
import { createJsonOutput } from './json.ts';
import { createPrometheusRemoteWriteOutput } from './prometheus-rw/index.ts';
import { createWebDashboardOutput, webDashboardEnabled } from './web-dashboard/index.ts';
import { dashboardSessionServing } from './web-dashboard/session.ts';
import { InvalidConfigError } from '../errors.ts';

export const OUTPUT_FACTORIES: Readonly<Record<string, OutputFactory>> = {
  json: createJsonOutput,
  'experimental-prometheus-rw': createPrometheusRemoteWriteOutput,
  'web-dashboard': createWebDashboardOutput,
};

export const SUPPORTED_OUTPUTS: readonly string[] = Object.keys(OUTPUT_FACTORIES);

export class OutputConfigError extends InvalidConfigError {
  override name = 'OutputConfigError';
}

export interface OutSpec {
  readonly name: string;
  readonly argument: string;
}

/** `json=results.json` → { name: 'json', argument: 'results.json' }; `experimental-prometheus-rw` → argument ''. */
export function parseOutSpec(spec: string): OutSpec {
  const text = String(spec).trim();
  const at = text.indexOf('=');
  const name = (at === -1 ? text : text.slice(0, at)).trim();
  const argument = at === -1 ? '' : text.slice(at + 1);
  if (name === '') throw new OutputConfigError(`invalid --out "${spec}": expected name or name=argument`);
  if (!(name in OUTPUT_FACTORIES)) {
    throw new OutputConfigError(
      `invalid --out "${spec}": unknown output type '${name}', supported outputs: ${SUPPORTED_OUTPUTS.join(', ')}`,
    );
  }
  return { name, argument };
}

/**
 * Creates one Output per `--out` spec (several allowed), plus the web dashboard when K6_WEB_DASHBOARD=true
 * asks for it, as k6 does (unless a dashboard session of `npm start`/`capacity` already shows the run).
 * Throws OutputConfigError on unknown names.
 */
export function createOutputs(specs: readonly string[], base: Omit<OutputParams, 'argument'>): Output[] {
  const parsed = specs.map(parseOutSpec);
  const asked = webDashboardEnabled(base.env) && !dashboardSessionServing();
  if (asked && !parsed.some((spec) => spec.name === 'web-dashboard')) parsed.push({ name: 'web-dashboard', argument: '' });
  return parsed.map(({ name, argument }) => OUTPUT_FACTORIES[name]({ ...base, argument }));
}
