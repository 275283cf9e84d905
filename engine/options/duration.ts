// k6 durations: '1h2m3s', '500ms', '1.5s', '2m', or a number of milliseconds.
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;

export class DurationError extends Error {
  override name = 'DurationError';
}

/** k6 duration strings ('1m30s', '500ms', '2h') and numbers (ms) → milliseconds; throws on garbage. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw new DurationError(`invalid duration ${value}: expected a non-negative number of milliseconds`);
    return value;
  }
  if (typeof value !== 'string')
    throw new DurationError(`invalid duration ${JSON.stringify(value)}: expected a string like '30s' or a number of milliseconds`);
  const text = value.trim();
  if (text === '') throw new DurationError('invalid duration "": expected a string like \'30s\'');
  // k6 accepts a bare number in a string as seconds ("60" → 60s).
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== at) {
      throw new DurationError(`invalid duration "${value}": expected a number followed by a unit (ms, s, m, h), e.g. '1m30s'`);
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
  }
  return total;
}

/** Milliseconds → k6's compact form ('1m30s', '500ms'). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 100) / 10;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest = Math.round((rest - m * 60) * 10) / 10;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest || (!h && !m) ? `${rest}s` : ''}`;
}
