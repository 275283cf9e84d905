/** How long one unit of work holds a slot. Log-normal is fixed by two quantiles, the way latency is usually quoted. */
export type ServiceTimeSpec = { kind: 'none' } | { kind: 'fixed'; ms: number } | { kind: 'lognormal'; p50Ms: number; p99Ms: number };

export interface ServiceTimeDistribution {
  readonly meanMs: number;
  sample(): number;
}

/** z such that Φ(z) = 0.99 for the standard normal distribution. */
const Z_99 = 2.3263478740408408;

export function createServiceTime(spec: ServiceTimeSpec): ServiceTimeDistribution {
  switch (spec.kind) {
    case 'none':
      return { meanMs: 0, sample: () => 0 };
    case 'fixed':
      return { meanMs: spec.ms, sample: () => spec.ms };
    case 'lognormal': {
      if (spec.p99Ms < spec.p50Ms) throw new RangeError(`log-normal service time needs p99Ms (${spec.p99Ms}) >= p50Ms (${spec.p50Ms})`);
      const mu = Math.log(spec.p50Ms);
      const sigma = (Math.log(spec.p99Ms) - mu) / Z_99;
      return {
        meanMs: Math.exp(mu + (sigma * sigma) / 2),
        sample: () => Math.exp(mu + sigma * standardNormal()),
      };
    }
  }
}

// Box–Muller; the second variate is kept for the next call so each pair of uniforms is used fully.
let spareNormal: number | undefined;
function standardNormal(): number {
  if (spareNormal !== undefined) {
    const value = spareNormal;
    spareNormal = undefined;
    return value;
  }
  let u = 0;
  while (u === 0) u = Math.random();
  const v = Math.random();
  const radius = Math.sqrt(-2 * Math.log(u));
  spareNormal = radius * Math.sin(2 * Math.PI * v);
  return radius * Math.cos(2 * Math.PI * v);
}
