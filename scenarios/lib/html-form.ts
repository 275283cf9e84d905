// Just enough HTML parsing for a login form: k6/html is not available on every engine, and a login
// page is a small, known document. Pure code, tested in Node.

const TAG = /<(input|form)\b([^>]*)>/gi;
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? '';
  });
}

export function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = new RegExp(ATTRIBUTE.source, 'g');
  for (let match = pattern.exec(source); match !== null; match = pattern.exec(source)) {
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    attributes[match[1].toLowerCase()] = decodeEntities(value);
  }
  return attributes;
}

export interface LoginForm {
  /** The form's action attribute, undefined when the form has none (post back to the same URL). */
  action: string | undefined;
  method: string;
  /** name → value of every hidden input, in document order. */
  hidden: Record<string, string>;
  /** The page's data-error marker (invalid_credentials, account_locked, ...), if any. */
  error: string | undefined;
}

/** Reads the first form of a page: its action, method and hidden inputs. */
export function parseLoginForm(html: string): LoginForm | undefined {
  let form: LoginForm | undefined;
  // exec loops rather than matchAll: older k6 runtimes lack it.
  const pattern = new RegExp(TAG.source, 'gi');
  for (let match = pattern.exec(html); match !== null; match = pattern.exec(html)) {
    const attributes = parseAttributes(match[2]);
    if (match[1].toLowerCase() === 'form') {
      if (form) break;
      form = { action: attributes.action, method: (attributes.method ?? 'get').toLowerCase(), hidden: {}, error: undefined };
    } else if (form && attributes.type?.toLowerCase() === 'hidden' && attributes.name) {
      form.hidden[attributes.name] = attributes.value ?? '';
    }
  }
  if (form) form.error = dataError(html);
  return form;
}

/** The `data-error="..."` marker identity pages carry on failures. */
export function dataError(html: string): string | undefined {
  const match = /\bdata-error\s*=\s*["']([^"']*)["']/i.exec(html);
  return match ? match[1] : undefined;
}

/** Resolves a form action or Location header against the page's URL (absolute, root-relative or relative). */
export function resolveUrl(reference: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) return reference;
  const origin = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)/i.exec(base)?.[1];
  if (!origin) throw new Error(`cannot resolve ${reference} against ${base}`);
  if (reference.startsWith('//')) return base.slice(0, base.indexOf(':') + 1) + reference;
  if (reference.startsWith('/')) return origin + reference;
  const path = base.slice(origin.length).split(/[?#]/)[0];
  return origin + path.slice(0, path.lastIndexOf('/') + 1) + reference;
}

/** Decodes a query string (or the query part of a URL) into its first value per key. */
export function parseQuery(urlOrQuery: string): Record<string, string> {
  const start = urlOrQuery.indexOf('?');
  const query = (start >= 0 ? urlOrQuery.slice(start + 1) : urlOrQuery).split('#')[0];
  const out: Record<string, string> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decodeURIComponent((equals >= 0 ? pair.slice(0, equals) : pair).replace(/\+/g, ' '));
    if (!(key in out)) out[key] = decodeURIComponent((equals >= 0 ? pair.slice(equals + 1) : '').replace(/\+/g, ' '));
  }
  return out;
}

/** application/x-www-form-urlencoded, built by hand so both engines send byte-identical bodies. */
export function formEncode(fields: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.join('&');
}
