// --http-debug[=full] / options.httpDebug: k6 logs a dump of every request and response on the
// log (stderr) as `Request:\n<dump>` and `Response:\n<dump>`, the bodies only with "full".
import { canonicalHeaderName } from './response.ts';

export function httpDebugMode(option: unknown): 'headers' | 'full' | null {
  if (option === undefined || option === null || option === false || option === '') return null;
  return option === 'full' ? 'full' : 'headers';
}

function bodyText(body: Buffer | string | readonly Buffer[] | null): string {
  if (body === null) return '';
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return Buffer.concat(body as Buffer[]).toString('utf8');
}

export function dumpRequest(
  method: string,
  path: string,
  host: string,
  headers: readonly string[],
  body: Buffer | string | null,
  full: boolean,
): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`];
  for (let i = 0; i < headers.length; i += 2) lines.push(`${canonicalHeaderName(headers[i])}: ${headers[i + 1]}`);
  if (body !== null) lines.push(`Content-Length: ${typeof body === 'string' ? Buffer.byteLength(body) : body.length}`);
  return `${lines.join('\n')}\n\n${full ? bodyText(body) : ''}\n`;
}

export function dumpResponse(status: number, statusText: string, rawHeaders: Buffer[] | null, body: readonly Buffer[] | null): string {
  const lines = [`HTTP/1.1 ${status} ${statusText}`];
  const headers: string[] = [];
  if (rawHeaders !== null)
    for (let i = 0; i < rawHeaders.length; i += 2)
      headers.push(`${canonicalHeaderName(rawHeaders[i].toString('latin1'))}: ${rawHeaders[i + 1].toString('latin1')}`);
  lines.push(...headers.sort());
  return `${lines.join('\n')}\n\n${bodyText(body)}\n`;
}
