// k6/html: parseHTML() and k6's goquery-style Selection, on cheerio. Where goquery and jQuery
// differ, k6 is followed: html() renders as Go's html package, val()/data()/serialize*() as k6's
// own code, map() passes Selections, each() passes Elements.
import { type Cheerio, type CheerioAPI, load } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { goQueryEscape } from '../http/body.ts';
import { Element, elementOf } from './element.ts';
import { render } from './render.ts';

type Selector = string | Selection | Element;

// Go's common initialisms, which snaker.SnakeToCamel (used by k6 for data-* keys) upper-cases whole.
const INITIALISMS = new Set([
  'ACL',
  'API',
  'ASCII',
  'CPU',
  'CSS',
  'DNS',
  'EOF',
  'GUID',
  'HTML',
  'HTTP',
  'HTTPS',
  'ID',
  'IP',
  'JSON',
  'LHS',
  'QPS',
  'RAM',
  'RHS',
  'RPC',
  'SLA',
  'SMTP',
  'SQL',
  'SSH',
  'TCP',
  'TLS',
  'TTL',
  'UDP',
  'UI',
  'UID',
  'UUID',
  'URI',
  'URL',
  'UTF8',
  'VM',
  'XML',
  'XMPP',
  'XSRF',
  'XSS',
]);

function attrToProperty(name: string): string {
  const idx = name.indexOf('-');
  if (idx === -1) return name;
  const camel = name
    .slice(idx + 1)
    .split('-')
    .filter((w) => w !== '')
    .map((w) => (INITIALISMS.has(w.toUpperCase()) ? w.toUpperCase() : w[0].toUpperCase() + w.slice(1)))
    .join('');
  return name.slice(0, idx) + camel;
}

function propertyToAttr(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** k6's reading of a data-* value: JSON objects/arrays, booleans, numbers that print back the same, else the string. */
function dataValue(value: string): unknown {
  if (value === '') return undefined;
  if (value[0] === '{' || value[0] === '[') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null' || value === 'undefined') return undefined;
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) && String(n) === value ? n : value;
}

export class Selection {
  /** @internal */
  constructor(
    readonly $: CheerioAPI,
    readonly sel: Cheerio<AnyNode>,
    readonly url: string,
  ) {}

  private wrap(sel: Cheerio<AnyNode>): Selection {
    return new Selection(this.$, sel, this.url);
  }

  private arg(selector: Selector): string | Cheerio<AnyNode> | AnyNode {
    if (typeof selector === 'string') return selector;
    if (selector instanceof Selection) return selector.sel;
    if (selector instanceof Element) return selector.node;
    throw new Error(`Invalid argument: Cannot use a ${selector === null ? 'null' : typeof selector} as a selector`);
  }

  add(selector: Selector): Selection {
    const a = this.arg(selector);
    return this.wrap(this.sel.add(typeof a === 'string' ? this.$(a) : a));
  }
  find(selector: Selector): Selection {
    return this.wrap(this.sel.find(this.arg(selector) as string));
  }
  closest(selector: Selector): Selection {
    return this.wrap(this.sel.closest(this.arg(selector) as string));
  }
  has(selector: Selector): Selection {
    return this.wrap(this.sel.has(this.arg(selector) as string));
  }
  not(selector: Selector | ((index: number, selection: Selection) => boolean)): Selection {
    if (typeof selector === 'function') return this.wrap(this.sel.not((i, node) => Boolean(selector(i, this.wrap(this.$(node))))));
    return this.wrap(this.sel.not(this.arg(selector) as string));
  }
  next(selector?: string): Selection {
    return this.wrap(this.sel.next(selector));
  }
  nextAll(selector?: string): Selection {
    return this.wrap(this.sel.nextAll(selector));
  }
  prev(selector?: string): Selection {
    return this.wrap(this.sel.prev(selector));
  }
  prevAll(selector?: string): Selection {
    return this.wrap(this.sel.prevAll(selector));
  }
  parent(selector?: string): Selection {
    return this.wrap(this.sel.parent(selector));
  }
  parents(selector?: string): Selection {
    return this.wrap(this.sel.parents(selector));
  }
  siblings(selector?: string): Selection {
    return this.wrap(this.sel.siblings(selector));
  }
  private until(kind: 'nextUntil' | 'prevUntil' | 'parentsUntil', selector?: string | Selection | null, filter?: string | null): Selection {
    const until = selector === undefined || selector === null ? undefined : selector instanceof Selection ? selector.sel : String(selector);
    return this.wrap((this.sel[kind] as (u?: unknown, f?: string) => Cheerio<AnyNode>)(until, filter ?? undefined));
  }
  nextUntil(selector?: string | Selection | null, filter?: string | null): Selection {
    return this.until('nextUntil', selector, filter);
  }
  prevUntil(selector?: string | Selection | null, filter?: string | null): Selection {
    return this.until('prevUntil', selector, filter);
  }
  parentsUntil(selector?: string | Selection | null, filter?: string | null): Selection {
    return this.until('parentsUntil', selector, filter);
  }
  size(): number {
    return this.sel.length;
  }
  end(): Selection {
    return this.wrap(this.sel.end());
  }
  eq(index: number): Selection {
    return this.wrap(this.sel.eq(index));
  }
  first(): Selection {
    return this.wrap(this.sel.first());
  }
  last(): Selection {
    return this.wrap(this.sel.last());
  }
  contents(): Selection {
    return this.wrap(this.sel.contents());
  }
  children(selector?: string): Selection {
    return this.wrap(this.sel.children(selector));
  }
  text(): string {
    return this.sel.text();
  }
  attr(name: string, fallback?: unknown): unknown {
    const node = this.sel[0];
    if (node !== undefined && 'attribs' in node && Object.hasOwn(node.attribs, name)) return node.attribs[name];
    return fallback;
  }
  html(): string {
    const node = this.sel[0];
    return node !== undefined && 'children' in node ? render(node.children) : '';
  }
  val(): unknown {
    const node = this.sel[0];
    if (node === undefined || !('attribs' in node)) return undefined;
    const attrs = node.attribs;
    switch (node.name) {
      case 'input':
        return attrs.value ?? (attrs.type === 'radio' || attrs.type === 'checkbox' ? 'on' : '');
      case 'button':
        return attrs.value ?? '';
      case 'textarea':
        return this.html();
      case 'option':
        return valueOrHTML(this.first());
      case 'select': {
        const selected = this.first().find('option[selected]');
        if (attrs.multiple !== undefined) return selected.toArray().map((s) => valueOrHTML(s));
        return valueOrHTML(selected);
      }
      default:
        return undefined;
    }
  }
  each(fn: (index: number, element: Element | undefined) => void): Selection {
    if (typeof fn !== 'function') throw new Error('Argument to each() must be a function.');
    for (let i = 0; i < this.sel.length; i++) fn(i, elementOf(this.eq(i)));
    return this;
  }
  filter(selector: string | Selection | ((index: number, selection: Selection) => boolean)): Selection {
    if (typeof selector === 'string') return this.wrap(this.sel.filter(selector));
    if (selector instanceof Selection) return this.wrap(this.sel.filter(selector.sel));
    if (typeof selector !== 'function') throw new Error('Argument to filter() must be a function, a selector or a selection');
    return this.wrap(this.sel.filter((i, node) => Boolean(selector(i, this.wrap(this.$(node))))));
  }
  is(selector: string | Selection | ((index: number, selection: Selection) => boolean)): boolean {
    if (typeof selector === 'string') return this.sel.is(selector);
    if (selector instanceof Selection) return this.sel.is(selector.sel);
    if (typeof selector !== 'function') throw new Error('Argument to is() must be a function, a selector or a selection');
    return this.sel.is((i, node) => Boolean(selector(i, this.wrap(this.$(node)))));
  }
  map(fn: (index: number, selection: Selection) => unknown): unknown[] {
    if (typeof fn !== 'function') throw new Error('Argument to map() must be a function');
    const out: unknown[] = [];
    for (let i = 0; i < this.sel.length; i++) out.push(fn(i, this.eq(i)));
    return out;
  }
  slice(start: number, end?: number): Selection {
    return this.wrap(this.sel.slice(start, end));
  }
  get(index?: number): Element | undefined | (Element | undefined)[] {
    if (index === undefined) return this.toArray().map((s) => elementOf(s));
    const length = this.sel.length;
    return index < length && index > -length ? elementOf(this.eq(index)) : undefined;
  }
  toArray(): Selection[] {
    const out: Selection[] = [];
    for (let i = 0; i < this.sel.length; i++) out.push(this.eq(i));
    return out;
  }
  index(selector?: Selector): number {
    if (selector === undefined) return this.sel.index();
    if (typeof selector === 'string') return this.sel.index(selector);
    if (selector instanceof Selection) return this.sel.index(selector.sel);
    if (selector instanceof Element) return this.sel.index(selector.node);
    return -1;
  }
  data(key?: string): unknown {
    const node = this.sel[0];
    if (node === undefined || !('attribs' in node) || Object.keys(node.attribs).length === 0) return undefined;
    if (key !== undefined) {
      const value = node.attribs[`data-${propertyToAttr(key)}`];
      return value === undefined ? undefined : dataValue(value);
    }
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(node.attribs)) {
      if (name.startsWith('data-') && name.length > 5) out[attrToProperty(name.slice(5))] = dataValue(value);
    }
    return out;
  }
  serializeArray(): { name: string; value: unknown }[] {
    const submittable = 'input,select,textarea,keygen';
    const fields = this.sel.is('form') ? this.sel.find(submittable) : this.sel.filter(submittable);
    const out: { name: string; value: unknown }[] = [];
    fields.each((_i, node) => {
      if (!('attribs' in node)) return;
      const a = node.attribs;
      const type = a.type ?? '';
      const ok =
        (a.name ?? '') !== '' &&
        a.disabled !== 'disabled' &&
        !['submit', 'button', 'reset', 'image', 'file'].includes(type) &&
        (a.checked === 'checked' || (type !== 'checkbox' && type !== 'radio'));
      if (ok) out.push({ name: a.name, value: this.wrap(this.$(node)).val() });
    });
    return out;
  }
  serializeObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const { name, value } of this.serializeArray()) out[name] = value;
    return out;
  }
  /** As Go's url.Values.Encode(): sorted by name, the last single value of a name wins. */
  serialize(): string {
    const values = new Map<string, string[]>();
    for (const { name, value } of this.serializeArray()) {
      if (typeof value === 'string') values.set(name, [value]);
      else if (Array.isArray(value)) values.set(name, value.map(String));
    }
    return [...values.keys()]
      .sort()
      .flatMap((name) => (values.get(name) ?? []).map((v) => `${goQueryEscape(name)}=${goQueryEscape(v)}`))
      .join('&');
  }
}

function valueOrHTML(selection: Selection | AnyNode): string {
  if (!(selection instanceof Selection)) {
    const node = selection;
    if ('attribs' in node && node.attribs.value !== undefined) return node.attribs.value;
    return 'children' in node ? render(node.children) : '';
  }
  const value = selection.attr('value');
  return value !== undefined ? String(value) : selection.html();
}

export function parseHTML(source: string, url = ''): Selection {
  const $ = load(String(source));
  return new Selection($, $.root(), url);
}

export const htmlModule = { parseHTML };
