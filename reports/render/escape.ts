export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Text from the run (flow, request, resource and folder names, SLO labels) as inert Markdown: raw HTML
 * becomes entities and Markdown's own syntax characters are backslash-escaped, so a name such as
 * `<img src=x onerror=…>` or `[x](javascript:…)` shows as written and never renders as markup.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#!~])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}
