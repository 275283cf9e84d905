// k6/html's Element: DOM-style accessors over one node of a Selection, with the tag-specific
// methods k6 generates (href parts for <a>, form fields, options, tables ...), as k6: attribute
// accessors return '' when the attribute is missing, URLs resolve against the response URL.
import type { AnyNode } from 'domhandler';
import type { Selection } from './index.ts';

type Accessor = (e: Element) => unknown;

const str =
  (name: string): Accessor =>
  (e) =>
    e.attrString(name);
const bool =
  (name: string): Accessor =>
  (e) =>
    e.hasAttribute(name);
const int =
  (name: string, fallback: number): Accessor =>
  (e) => {
    const n = Number.parseInt(e.attrString(name), 10);
    return e.hasAttribute(name) && Number.isFinite(n) && String(n) === e.attrString(name) ? n : fallback;
  };
const url =
  (name: string, fallback = ''): Accessor =>
  (e) =>
    e.attrURL(name, fallback);
const oneOf =
  (name: string, values: string[], fallback: string): Accessor =>
  (e) => {
    const v = e.attrString(name);
    return values.includes(v) ? v : fallback;
  };
const REFERRER = ['no-referrer', 'no-referrer-when-downgrade', 'origin', 'origin-when-cross-origin', 'unsafe-url'];
const INPUT_TYPES = [
  'button',
  'checkbox',
  'color',
  'date',
  'datetime-local',
  'email',
  'file',
  'hidden',
  'image',
  'month',
  'number',
  'password',
  'radio',
  'range',
  'reset',
  'search',
  'submit',
  'tel',
  'time',
  'url',
  'week',
];

const RELATIVE_BASE = 'http://relative.invalid';

/** The href as Go's url.Parse sees it: resolved against the response URL, or relative (no host) without one. */
function hrefURL(e: Element): { url: URL; relative: boolean } | null {
  const href = e.rawAttr('href');
  if (href === undefined) return null;
  try {
    if (e.baseURL()) return { url: new URL(href, e.baseURL()), relative: false };
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return { url: new URL(href), relative: false };
    return { url: new URL(href, RELATIVE_BASE), relative: true };
  } catch {
    return null;
  }
}

const hrefPart =
  (part: (u: URL) => string, relative = ''): Accessor =>
  (e) => {
    const parsed = hrefURL(e);
    if (parsed === null) return '';
    return parsed.relative ? relative : part(parsed.url);
  };

const HREF: Record<string, Accessor> = {
  href: url('href'),
  rel: str('rel'),
  relList: (e) => e.splitAttr('rel'),
  target: str('target'),
  type: str('type'),
  download: str('download'),
  accessKey: str('accesskey'),
  hrefLang: str('hreflang'),
  referrerPolicy: oneOf('referrerpolicy', REFERRER, ''),
  text: (e) => e.textContent(),
  toString: url('href'),
  hash: (e) => hrefURL(e)?.url.hash ?? '',
  host: hrefPart((u) => u.host),
  hostname: hrefPart((u) => u.hostname),
  port: hrefPart((u) => u.port),
  username: hrefPart((u) => decodeURIComponent(u.username)),
  password: hrefPart((u) => decodeURIComponent(u.password)),
  origin: hrefPart((u) => u.origin),
  pathname: (e) => {
    const parsed = hrefURL(e);
    if (parsed === null) return '';
    return parsed.relative ? (e.rawAttr('href') ?? '').replace(/[?#].*$/, '') : decodeURIComponent(parsed.url.pathname);
  },
  protocol: hrefPart((u) => u.protocol.replace(/:$/, ''), ':'),
  search: (e) => hrefURL(e)?.url.search ?? '',
};

const FORM_FIELD: Record<string, Accessor> = {
  form: (e) => e.ownerForm(),
  formAction: (e) => {
    const action = e.formAttr('action');
    if (!e.baseURL()) return action ?? '';
    if (action === undefined || action === '') return e.baseURL();
    try {
      return new URL(action, e.baseURL()).toString();
    } catch {
      return action;
    }
  },
  formEnctype: (e) => {
    const v = e.formAttr('enctype');
    return v === 'multipart/form-data' || v === 'text/plain' ? v : 'application/x-www-form-urlencoded';
  },
  formMethod: (e) => (e.formAttr('method')?.toLowerCase() === 'post' ? 'post' : 'get'),
  formNoValidate: (e) => e.formAttr('novalidate') !== undefined,
  formTarget: (e) => e.formAttr('target') ?? '',
  labels: (e) => e.labelElements(),
  name: str('name'),
};

const TAGS: Record<string, Record<string, Accessor>> = {
  a: HREF,
  area: { ...HREF, href: str('href') },
  base: { href: (e) => e.attrURL('href', e.baseURL()), target: str('target') },
  button: {
    ...FORM_FIELD,
    accessKey: str('accesskey'),
    autofocus: bool('autofocus'),
    disabled: bool('disabled'),
    tabIndex: int('tabindex', 0),
    type: oneOf('type', ['button', 'menu', 'reset'], 'submit'),
    value: (e) => e.valueOrHTML(),
  },
  canvas: { width: int('width', 150), height: int('height', 150) },
  data: { value: str('value') },
  datalist: { options: (e) => e.findAll('option') },
  embed: { height: str('height'), width: str('width'), src: str('src'), type: str('type') },
  fieldset: {
    disabled: bool('disabled'),
    name: str('name'),
    form: (e) => e.ownerForm(),
    type: () => 'fieldset',
    elements: (e) => e.findAll('input,select,button,textarea'),
    validity: () => undefined,
  },
  form: {
    action: url('action'),
    name: str('name'),
    target: str('target'),
    enctype: oneOf('enctype', ['multipart/form-data', 'text/plain'], 'application/x-www-form-urlencoded'),
    encoding: oneOf('enctype', ['multipart/form-data', 'text/plain'], 'application/x-www-form-urlencoded'),
    acceptCharset: str('accept-charset'),
    autocomplete: oneOf('autocomplete', ['off'], 'on'),
    noValidate: bool('novalidate'),
    elements: (e) => e.findAll('input,select,button,textarea,fieldset'),
    length: (e) => e.findAll('input,select,button,textarea,fieldset').length,
    method: (e) => (e.attrString('method') === 'post' ? 'post' : 'get'),
  },
  iframe: {
    allowfullscreen: bool('allowfullscreen'),
    referrerPolicy: oneOf('referrerpolicy', REFERRER, ''),
    height: str('height'),
    width: str('width'),
    name: str('name'),
    src: url('src'),
  },
  img: {
    currentSrc: url('src'),
    sizes: str('sizes'),
    srcset: str('srcset'),
    alt: str('alt'),
    height: int('height', 0),
    width: int('width', 0),
    isMap: bool('ismap'),
    name: str('name'),
    src: url('src'),
    useMap: str('usemap'),
    referrerPolicy: oneOf('referrerpolicy', REFERRER, ''),
  },
  input: {
    ...FORM_FIELD,
    tabIndex: int('tabindex', 0),
    type: oneOf('type', INPUT_TYPES, 'text'),
    disabled: bool('disabled'),
    autofocus: bool('autofocus'),
    required: bool('required'),
    value: str('value'),
    checked: bool('checked'),
    defaultChecked: bool('checked'),
    alt: str('alt'),
    src: url('src'),
    height: str('height'),
    width: str('width'),
    accept: str('accept'),
    autocomplete: oneOf('autocomplete', ['off'], 'on'),
    maxLength: int('maxlength', -1),
    size: int('size', 0),
    pattern: str('pattern'),
    placeholder: str('placeholder'),
    readonly: bool('readonly'),
    min: str('min'),
    max: str('max'),
    defaultValue: str('value'),
    dirName: str('dirname'),
    accessKey: str('accesskey'),
    multiple: bool('multiple'),
    step: str('step'),
  },
  label: { htmlFor: str('for'), form: (e) => e.ownerForm(), control: (e) => e.byId(e.attrString('for')) },
  legend: { accessKey: str('accesskey'), form: (e) => e.ownerForm() },
  li: { value: int('value', 0), type: oneOf('type', ['1', 'a', 'A', 'i', 'I', 'disc', 'square', 'circle'], '') },
  link: {
    href: url('href'),
    hreflang: str('hreflang'),
    media: str('media'),
    rel: str('rel'),
    relList: (e) => e.splitAttr('rel'),
    target: str('target'),
    type: str('type'),
    referrerPolicy: oneOf('referrerpolicy', REFERRER, ''),
  },
  meta: { content: str('content'), name: str('name'), httpEquiv: oneOf('http-equiv', ['default-style', 'refresh'], 'content-type') },
  option: {
    disabled: (e) => e.hasAttribute('disabled') || e.closestAttr('optgroup', 'disabled'),
    form: (e) => e.ownerForm(),
    index: (e) => e.optionIndex(),
    label: (e) => e.rawAttr('label') ?? e.textContent(),
    text: (e) => e.textContent(),
    value: (e) => e.valueOrHTML(),
  },
  output: {
    form: (e) => e.ownerForm(),
    labels: (e) => e.labelElements(),
    value: (e) => e.textContent(),
    defaultValue: (e) => e.textContent(),
  },
  script: {
    text: (e) => e.textContent(),
    src: url('src'),
    type: str('type'),
    charset: str('charset'),
    async: bool('async'),
    defer: bool('defer'),
    noModule: bool('nomodule'),
  },
  select: {
    form: (e) => e.ownerForm(),
    labels: (e) => e.labelElements(),
    length: (e) => e.findAll('option').length,
    options: (e) => e.findAll('option'),
    selectedIndex: (e) => e.selectedOptionIndex(),
    selectedOptions: (e) => e.findAll('option[selected]'),
    size: (e) => (e.hasAttribute('multiple') ? 4 : 1),
    type: (e) => (e.hasAttribute('multiple') ? 'select-multiple' : 'select'),
    value: (e) => {
      const selected = e.findAll('option[selected]')[0];
      return selected === undefined ? '' : selected.valueOrHTML();
    },
    name: str('name'),
    disabled: bool('disabled'),
    multiple: bool('multiple'),
    required: bool('required'),
    autofocus: bool('autofocus'),
  },
  style: { type: (e) => e.attrString('type') || 'text/css', media: str('media') },
  table: {
    caption: (e) => e.childByTag('caption'),
    tHead: (e) => e.childByTag('thead'),
    tFoot: (e) => e.childByTag('tfoot'),
    rows: (e) => e.findAll('tr'),
    tBodies: (e) => e.findAll('tbody'),
  },
  textarea: {
    form: (e) => e.ownerForm(),
    labels: (e) => e.labelElements(),
    length: (e) => Buffer.byteLength(e.textContent()),
    name: str('name'),
    value: (e) => e.textContent(),
  },
  title: { text: (e) => e.textContent() },
  tr: {
    cells: (e) => e.findAll('th,td'),
    rowIndex: (e) => e.indexIn('table', 'tr'),
    sectionRowIndex: (e) => e.indexIn('thead,tbody,tfoot', 'tr'),
  },
  td: { cellIndex: (e) => e.indexIn('tr', 'th,td'), colSpan: int('colspan', 1), rowSpan: int('rowspan', 1), headers: str('headers') },
  th: { cellIndex: (e) => e.indexIn('tr', 'th,td'), colSpan: int('colspan', 1), rowSpan: int('rowspan', 1), headers: str('headers') },
  thead: { rows: (e) => e.findAll('tr') },
  tbody: { rows: (e) => e.findAll('tr') },
  tfoot: { rows: (e) => e.findAll('tr') },
  time: { dateTime: str('datetime') },
  ul: {},
  ol: { reversed: bool('reversed'), start: int('start', 1), type: oneOf('type', ['1', 'a', 'A', 'i', 'I'], '1') },
  progress: {
    max: (e) => {
      const n = Number.parseFloat(e.attrString('max'));
      return e.hasAttribute('max') && Number.isFinite(n) && n >= 0 ? n : 1;
    },
    value: (e) => e.progress(0),
    position: (e) => e.progress(-1),
    labels: (e) => e.labelElements(),
  },
  audio: {
    autoplay: bool('autoplay'),
    controls: bool('controls'),
    loop: bool('loop'),
    muted: bool('muted'),
    src: url('src'),
    currentSrc: str('src'),
    textTracks: (e) => e.findAll('track'),
  },
  video: {
    autoplay: bool('autoplay'),
    controls: bool('controls'),
    loop: bool('loop'),
    muted: bool('muted'),
    src: url('src'),
    currentSrc: str('src'),
    textTracks: (e) => e.findAll('track'),
  },
};

const NAMESPACES: Record<string, string> = { svg: 'http://www.w3.org/2000/svg', math: 'http://www.w3.org/1998/Math/MathML' };

export class Element {
  /** @internal */
  constructor(
    readonly node: AnyNode,
    /** The selection the element came from: k6 reads some values (textContent) from all of it. */
    readonly selection: Selection,
  ) {
    const extra = 'name' in node ? TAGS[node.name] : undefined;
    if (extra !== undefined)
      for (const [name, accessor] of Object.entries(extra))
        Object.defineProperty(this, name, { value: () => accessor(this), enumerable: false });
  }

  /** @internal */
  baseURL(): string {
    return this.selection.url;
  }
  /** @internal */
  rawAttr(name: string): string | undefined {
    return 'attribs' in this.node ? this.node.attribs[name] : undefined;
  }
  /** @internal */
  attrString(name: string): string {
    return this.rawAttr(name) ?? '';
  }
  /** @internal */
  attrURL(name: string, fallback: string): string {
    const value = this.rawAttr(name);
    if (!this.baseURL()) return value ?? '';
    if (value === undefined) return fallback;
    try {
      return new URL(value, this.baseURL()).toString();
    } catch {
      return fallback;
    }
  }
  /** @internal */
  splitAttr(name: string): string[] {
    const value = this.attrString(name);
    return value === '' ? [] : value.split(' ');
  }
  private sel(node: AnyNode): Selection {
    const s = this.selection;
    return new (s.constructor as new (...args: unknown[]) => Selection)(s.$, s.$(node), s.url);
  }
  private own(): Selection {
    return this.sel(this.node);
  }
  /** @internal */
  findAll(selector: string): Element[] {
    return this.own()
      .find(selector)
      .toArray()
      .map((s) => elementOf(s) as Element);
  }
  /** @internal */
  childByTag(tag: string): Element | undefined {
    return elementOf(this.own().children(tag));
  }
  /** @internal */
  byId(id: string): Element | undefined {
    if (id === '') return undefined;
    return elementOf(this.sel(this.root()).find(`[id="${id.replace(/"/g, '\\"')}"]`));
  }
  private root(): AnyNode {
    let node: AnyNode = this.node;
    while (node.parent) node = node.parent;
    return node;
  }
  /** @internal */
  ownerForm(): Element | undefined {
    const form = this.own().closest('form');
    if (form.size() > 0) return elementOf(form);
    const id = this.attrString('form');
    return id === '' ? undefined : this.byId(id);
  }
  /** @internal */
  formAttr(name: string): string | undefined {
    const own = this.rawAttr(`form${name}`);
    if (own !== undefined) return own;
    return this.ownerForm()?.rawAttr(name);
  }
  /** @internal */
  labelElements(): Element[] {
    const wrapping = this.own().closest('label').toArray();
    const id = this.attrString('id');
    const byFor =
      id === ''
        ? []
        : this.sel(this.root())
            .find(`label[for="${id.replace(/"/g, '\\"')}"]`)
            .toArray();
    return [...wrapping, ...byFor].map((s) => elementOf(s) as Element);
  }
  /** @internal */
  closestAttr(tag: string, attr: string): boolean {
    const found = this.own().parents(tag);
    return found.size() > 0 && found.attr(attr) !== undefined;
  }
  /** @internal */
  valueOrHTML(): string {
    return this.rawAttr('value') ?? this.own().html();
  }
  /** @internal */
  optionIndex(): number {
    const holder = this.own().parents('select,datalist');
    return holder.size() === 0 ? 0 : holder.find('option').index(this.own());
  }
  /** @internal */
  selectedOptionIndex(): number {
    const selected = this.own().find('option[selected]');
    return selected.size() === 0 ? -1 : this.own().find('option').index(selected.first());
  }
  /** @internal */
  indexIn(parentSelector: string, items: string): number {
    const parent = this.own().parents(parentSelector).first();
    return parent.size() === 0 ? -1 : parent.find(items).index(this.own());
  }
  /** @internal */
  progress(fallback: number): number {
    const value = Number.parseFloat(this.attrString('value'));
    if (!this.hasAttribute('value') || !Number.isFinite(value) || value < 0) return fallback;
    const max = Number.parseFloat(this.attrString('max'));
    return value / (this.hasAttribute('max') && Number.isFinite(max) && max >= 0 ? max : 1);
  }

  getAttribute(name: string): string | undefined {
    return this.rawAttr(name);
  }
  getAttributeNode(name: string): { name: string; value: string; ownerElement: Element } | undefined {
    const value = this.rawAttr(name);
    return value === undefined ? undefined : this.attributeNode(name, value);
  }
  private attributeNode(name: string, value: string) {
    const prefix = name.includes(':') ? name.split(':')[0] : '';
    return {
      name,
      value,
      ownerElement: this,
      localName: () => name,
      namespaceURI: () => NAMESPACES[prefix] ?? 'http://www.w3.org/1999/xhtml',
      prefix: () => prefix,
    };
  }
  hasAttribute(name: string): boolean {
    return this.rawAttr(name) !== undefined;
  }
  hasAttributes(): boolean {
    return 'attribs' in this.node && Object.keys(this.node.attribs).length > 0;
  }
  attributes(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if ('attribs' in this.node) for (const [name, value] of Object.entries(this.node.attribs)) out[name] = this.attributeNode(name, value);
    return out;
  }
  toString(): string {
    return this.node.type === 'tag' || this.node.type === 'script' || this.node.type === 'style'
      ? '[object html.Node]'
      : `[object ${this.nodeName()}]`;
  }
  hasChildNodes(): boolean {
    return 'children' in this.node && this.node.children.length > 0;
  }
  textContent(): string {
    return this.selection.text();
  }
  id(): string {
    return this.attrString('id');
  }
  isEqualNode(other: Element): boolean {
    return other instanceof Element && this.selection.html() === other.selection.html();
  }
  isSameNode(other: Element): boolean {
    return other instanceof Element && other.node === this.node;
  }
  getElementsByClassName(name: string): Element[] {
    return this.fromSelection(`.${name}`);
  }
  getElementsByTagName(name: string): Element[] {
    return this.fromSelection(name);
  }
  querySelector(selector: string): Element | undefined {
    return elementOf(this.selection.find(selector));
  }
  querySelectorAll(selector: string): Element[] {
    return this.fromSelection(selector);
  }
  private fromSelection(selector: string): Element[] {
    return this.selection
      .find(selector)
      .toArray()
      .map((s) => elementOf(s) as Element);
  }
  nodeName(): string {
    const node = this.node;
    switch (node.type) {
      case 'text':
        return '#text';
      case 'comment':
        return '#comment';
      case 'root':
        return '#document';
      case 'directive':
        return node.name.replace(/^!/, '').toLowerCase() === 'doctype' ? 'html' : node.name;
      default:
        return 'name' in node ? node.name : '';
    }
  }
  private nodeElement(node: AnyNode | null | undefined): Element | undefined {
    return node ? new Element(node, this.sel(node)) : undefined;
  }
  firstChild(): Element | undefined {
    return this.nodeElement('children' in this.node ? this.node.children[0] : undefined);
  }
  lastChild(): Element | undefined {
    return this.nodeElement('children' in this.node ? this.node.children.at(-1) : undefined);
  }
  firstElementChild(): Element | undefined {
    return elementOf(this.selection.children().first());
  }
  lastElementChild(): Element | undefined {
    return elementOf(this.selection.children().last());
  }
  previousSibling(): Element | undefined {
    return this.nodeElement(this.node.prev);
  }
  nextSibling(): Element | undefined {
    return this.nodeElement(this.node.next);
  }
  previousElementSibling(): Element | undefined {
    return elementOf(this.selection.prev());
  }
  nextElementSibling(): Element | undefined {
    return elementOf(this.selection.next());
  }
  parentNode(): Element | undefined {
    return this.nodeElement(this.node.parent);
  }
  parentElement(): Element | undefined {
    return elementOf(this.selection.parent());
  }
  childNodes(): Element[] {
    return this.selection
      .contents()
      .toArray()
      .map((s) => elementOf(s) as Element);
  }
  children(): Element[] {
    return this.selection
      .children()
      .toArray()
      .map((s) => elementOf(s) as Element);
  }
  childElementCount(): number {
    return this.selection.children().size();
  }
  classList(): string[] | undefined {
    const value = this.rawAttr('class');
    return value === undefined ? undefined : value.split(/\s+/).filter((c) => c !== '');
  }
  className(): string | undefined {
    return this.rawAttr('class');
  }
  lang(): string | undefined {
    return this.rawAttr('lang');
  }
  ownerDocument(): Element | undefined {
    const root = this.root();
    return root.type === 'root' ? this.nodeElement(root) : undefined;
  }
  namespaceURI(): string {
    const ns = 'namespace' in this.node ? String(this.node.namespace ?? '') : '';
    return ns.includes('svg') ? NAMESPACES.svg : ns.includes('MathML') ? NAMESPACES.math : 'http://www.w3.org/1999/xhtml';
  }
  isDefaultNamespace(): boolean {
    return this.namespaceURI() === 'http://www.w3.org/1999/xhtml';
  }
  innerHTML(): string {
    return this.selection.html();
  }
  nodeType(): number | undefined {
    switch (this.node.type) {
      case 'text':
        return 3;
      case 'root':
        return 9;
      case 'comment':
        return 8;
      case 'directive':
        return 10;
      case 'tag':
      case 'script':
      case 'style':
        return 1;
      default:
        return undefined;
    }
  }
  nodeValue(): string | undefined {
    return this.node.type === 'text' || this.node.type === 'comment' ? this.selection.text() : undefined;
  }
  contains(other: Element): boolean {
    if (!(other instanceof Element) || other.node === this.node) return false;
    for (let node = other.node.parent; node; node = node.parent) if (node === this.node) return true;
    return false;
  }
  matches(selector: string): boolean {
    return this.selection.is(selector);
  }
}

/** The first node of a selection as an Element (undefined for an empty selection), as k6's selToElement. */
export function elementOf(selection: Selection): Element | undefined {
  const node = selection.sel[0];
  return node === undefined ? undefined : new Element(node, selection);
}
