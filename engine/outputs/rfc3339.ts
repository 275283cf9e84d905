/**
 * Epoch milliseconds (possibly fractional) as RFC 3339 with trailing zeros trimmed, the way Go's
 * time.RFC3339Nano (k6's JSON output) writes UTC times: 2021-02-24T13:37:10.25Z. A double holds
 * epoch milliseconds to about 0.2 µs, so the fraction is rounded to whole microseconds.
 */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

export function formatRfc3339Nano(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const second = Math.floor(wholeMs / 1000);
  if (second !== cachedSecond) {
    // Samples come in time order, so one Date per second is enough: 2021-02-24T13:37:10
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    cachedSecond = second;
  }
  const nanos = (wholeMs - second * 1000) * 1_000_000 + Math.round((epochMs - wholeMs) * 1000) * 1000;
  const fraction = nanos === 0 ? '' : `.${String(Math.min(nanos, 999_999_999)).padStart(9, '0').replace(/0+$/, '')}`;
  return `${cachedPrefix}${fraction}Z`;
}
