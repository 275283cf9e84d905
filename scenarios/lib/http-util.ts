// Small helpers over k6 responses that both engines treat the same way.
import { sleep } from 'k6';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { config } from './config.ts';
import type { Random } from './random.ts';

export type Response = RefinedResponse<ResponseType | undefined>;

/** A response header, whatever case the engine stores header names in. */
export function header(res: Response, name: string): string | undefined {
  const direct = res.headers[name];
  if (direct !== undefined) return direct;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(res.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The body parsed as JSON, or undefined when it is missing or not JSON (never throws). */
export function jsonBody<T = Record<string, unknown>>(res: Response): T | undefined {
  if (typeof res.body !== 'string' || res.body === '') return undefined;
  try {
    return JSON.parse(res.body) as T;
  } catch {
    return undefined;
  }
}

export function bodyText(res: Response): string {
  return typeof res.body === 'string' ? res.body : '';
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** Why a request failed, in a bounded vocabulary suitable for a metric tag. */
export function failureReason(res: Response): string {
  // k6 error code 1050 is a request timeout; engines may only say so in the message.
  if (res.status === 0) return res.error_code === 1050 || /timeout/i.test(res.error ?? '') ? 'timeout' : 'network';
  return `http_${res.status}`;
}

/** A human pause between seconds min and max, scaled by -e THINK (0 removes it). Returns the ms slept. */
export async function think(random: Random, minSeconds: number, maxSeconds: number): Promise<number> {
  const seconds = config.think * (minSeconds + random.next() * (maxSeconds - minSeconds));
  if (seconds <= 0) return 0;
  const started = Date.now();
  await sleep(seconds);
  return Date.now() - started;
}
