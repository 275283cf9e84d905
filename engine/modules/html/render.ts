// HTML serialisation as golang.org/x/net/html's Render, which k6's Selection.html() uses: void
// elements as `<br/>`, text and attribute values escaped with &amp; &#39; &lt; &gt; &#34; &#13;,
// raw-text elements (script, style, ...) written as they are.
import type { AnyNode } from 'domhandler';

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
const RAW_TEXT = new Set(['iframe', 'noembed', 'noframes', 'noscript', 'plaintext', 'script', 'style', 'xmp']);

export function goEscape(text: string): string {
  return text.replace(/[&'<>"\r]/g, (c) =>
    c === '&' ? '&amp;' : c === "'" ? '&#39;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&#34;' : '&#13;',
  );
}

function renderNode(node: AnyNode, out: string[]): void {
  switch (node.type) {
    case 'text':
      out.push(node.parent && 'name' in node.parent && RAW_TEXT.has(node.parent.name) ? node.data : goEscape(node.data));
      return;
    case 'comment':
      out.push(`<!--${node.data}-->`);
      return;
    case 'directive':
      out.push(`<${node.data}>`);
      return;
    case 'root':
      for (const child of node.children) renderNode(child, out);
      return;
    case 'tag':
    case 'script':
    case 'style': {
      out.push(`<${node.name}`);
      for (const [name, value] of Object.entries(node.attribs)) out.push(` ${name}="${goEscape(value)}"`);
      if (VOID.has(node.name)) {
        out.push('/>');
        return;
      }
      out.push('>');
      const first = node.children[0];
      if (
        (node.name === 'pre' || node.name === 'listing' || node.name === 'textarea') &&
        first?.type === 'text' &&
        first.data.startsWith('\n')
      )
        out.push('\n');
      for (const child of node.children) renderNode(child, out);
      out.push(`</${node.name}>`);
      return;
    }
    default:
      return;
  }
}

/** The markup of `nodes` (the inner HTML of an element when given its children). */
export function render(nodes: readonly AnyNode[]): string {
  const out: string[] = [];
  for (const node of nodes) renderNode(node, out);
  return out.join('');
}
