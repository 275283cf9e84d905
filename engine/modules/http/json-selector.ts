// Response.json(selector): the GJSON path syntax k6 uses (github.com/tidwall/gjson) over the parsed
// body: `a.b`, `items.0`, `items.#` (length), `items.#.id` (each), `*`/`?` wildcards, `\.` escapes,
// queries `items.#(id==2).name` / `items.#(age>40)#`, and the @reverse, @keys, @values, @this,
// @flatten and @join modifiers. `undefined` when the path matches nothing, as in k6.

type Json = unknown;

/** Splits a path at unescaped dots (and pipes), keeping `#(...)` queries whole. */
function splitPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && i + 1 < path.length) {
      current += ch + path[++i];
    } else if (ch === '(') {
      depth++;
      current += ch;
    } else if (ch === ')') {
      depth--;
      current += ch;
    } else if ((ch === '.' || ch === '|') && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

const unescapeKey = (key: string) => key.replace(/\\(.)/g, '$1');

function wildcardMatch(pattern: string, text: string): boolean {
  const source = pattern.replace(/\\(.)|([*?])|([.+^${}()|[\]\\/])/g, (_m, escaped, wild, special) =>
    escaped !== undefined ? escaped.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : wild === '*' ? '.*' : wild === '?' ? '.' : `\\${special}`,
  );
  return new RegExp(`^${source}$`, 's').test(text);
}

function child(value: Json, key: string): Json {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    if (key === '#') return value.length;
    return /^\d+$/.test(key) ? value[Number(key)] : undefined;
  }
  const record = value as Record<string, Json>;
  if (/(^|[^\\])[*?]/.test(key)) {
    for (const k of Object.keys(record)) if (wildcardMatch(key, k)) return record[k];
    return undefined;
  }
  const plain = unescapeKey(key);
  return Object.hasOwn(record, plain) ? record[plain] : undefined;
}

function literal(text: string): Json {
  const t = text.trim();
  if (t.startsWith('"') && t.endsWith('"')) return JSON.parse(t);
  if (t === 'true' || t === 'false' || t === 'null') return JSON.parse(t);
  const n = Number(t);
  return Number.isNaN(n) ? t : n;
}

function compare(left: Json, op: string, right: Json): boolean {
  if (op === '%' || op === '!%') {
    const hit = typeof left === 'string' && wildcardMatch(String(right), left);
    return op === '%' ? hit : !hit;
  }
  if (left === undefined) return false;
  switch (op) {
    case '==':
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return (left as number) < (right as number);
    case '<=':
      return (left as number) <= (right as number);
    case '>':
      return (left as number) > (right as number);
    case '>=':
      return (left as number) >= (right as number);
  }
  return false;
}

/** The query's comparison operator outside nested queries and strings: [index, operator], or null. */
function findOperator(query: string): [number, string] | null {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < query.length; i++) {
    const ch = query[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0) {
      const op = /^(==|!=|<=|>=|!%|%|<|>|=)/.exec(query.slice(i));
      if (op !== null) return [i, op[1]];
    }
  }
  return null;
}

function matchesQuery(item: Json, query: string): boolean {
  const found = findOperator(query);
  if (found === null) return query.trim() === '' ? true : select(item, query.trim()) !== undefined;
  const [at, op] = found;
  const path = query.slice(0, at).trim();
  const left = path === '' ? item : select(item, path);
  return compare(left, op, literal(query.slice(at + op.length)));
}

function modifier(value: Json, name: string): Json {
  const [mod, arg] = name.split(':');
  switch (mod) {
    case '@this':
      return value;
    case '@reverse':
      return Array.isArray(value)
        ? [...value].reverse()
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).reverse())
          : value;
    case '@keys':
      return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : undefined;
    case '@values':
      return value && typeof value === 'object' && !Array.isArray(value) ? Object.values(value) : undefined;
    case '@flatten':
      return Array.isArray(value) ? value.flat() : value;
    case '@join':
      return Array.isArray(value) ? Object.assign({}, ...value.filter((v) => v && typeof v === 'object' && !Array.isArray(v))) : value;
    default:
      throw new Error(`Response.json(): the GJSON modifier "${mod}"${arg ? ` (${arg})` : ''} is not supported by the embedded engine`);
  }
}

function walk(value: Json, parts: string[], from: number): Json {
  let current = value;
  for (let i = from; i < parts.length; i++) {
    const key = parts[i];
    if (current === undefined) return undefined;
    if (key.startsWith('@')) {
      current = modifier(current, key);
      continue;
    }
    if (key === '#' && Array.isArray(current) && i + 1 < parts.length) {
      const rest = i + 1;
      return current.map((item) => walk(item, parts, rest)).filter((v) => v !== undefined);
    }
    const query = /^#\((.*)\)(#?)$/s.exec(key);
    if (query !== null) {
      if (!Array.isArray(current)) return undefined;
      const hits = current.filter((item) => matchesQuery(item, query[1]));
      if (query[2] === '#') {
        const rest = i + 1;
        return rest < parts.length ? hits.map((item) => walk(item, parts, rest)).filter((v) => v !== undefined) : hits;
      }
      current = hits[0];
      continue;
    }
    current = child(current, key);
  }
  return current;
}

export function select(value: Json, path: string): Json {
  if (path === '') return undefined;
  return walk(value, splitPath(path), 0);
}

/** JSON.parse with k6's error message (line and character of the problem). */
export function parseJSONBody(text: string, parse: (text: string) => unknown = JSON.parse): Json {
  try {
    return parse(text) as Json;
  } catch (error) {
    const message = (error as Error).message;
    // Go's SyntaxError.Offset counts the bytes read, the offending one included.
    const position = /position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) + 1 : text.length - text.trimStart().length + 1;
    let line = 1;
    let character = 0;
    for (let i = 0; i < text.length && i <= offset; i++) {
      if (text[i] === '\n') {
        line++;
        character = 0;
      }
      character++;
    }
    throw new Error(`cannot parse json due to an error at line ${line}, character ${character} , error: ${message}`);
  }
}
