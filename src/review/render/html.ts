/**
 * A report document as one self-contained HTML page: every value escaped,
 * its one stylesheet inline (REPORT_STYLE: a server serving the page allows
 * exactly that style by its hash, and no script), nothing fetched. Prints
 * on Letter pages with the reference on each.
 */
import type { Block, ReportDocument } from './document.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** the page's only style, inline: allow it by its hash (CSP style-src 'sha256-…') */
export const REPORT_STYLE = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;color:#17191c;background:#fff;margin:2rem auto;max-width:60rem;padding:0 1rem;line-height:1.4;font-size:15px}',
  'h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.25rem;margin:1.6rem 0 .4rem}h3{font-size:1.05rem;margin:1.2rem 0 .3rem}',
  '.subtitle{color:#4a5260;margin:0 0 .4rem}.reference{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.78rem;color:#4a5260;overflow-wrap:anywhere;border-bottom:2px solid #4a5260;padding-bottom:.5rem}',
  '.muted{color:#4a5260}dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.4rem 0}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}',
  // a heading or a word is never split to make a column narrower (only ids, in mono, may break anywhere);
  // a table wider than the page scrolls on its own rather than the page
  '.table{overflow-x:auto;margin:.4rem 0 1rem}table{border-collapse:collapse;width:100%;font-size:.88rem}',
  'th,td{text-align:left;vertical-align:top;padding:.25rem .4rem;border-bottom:1px solid #c9ced6;overflow-wrap:break-word}th{background:#e8eaee;white-space:nowrap}',
  '.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.8rem;overflow-wrap:anywhere}.blank{border-bottom:1px solid #8a919c;height:1.6rem}',
  '@media print{body{margin:0;max-width:none;font-size:11pt}@page{size:letter;margin:.75in}}',
].join('');

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level + 1}>${escapeHtml(b.text)}</h${b.level + 1}>`;
    case 'paragraph':
      return `<p${b.muted ? ' class="muted"' : ''}>${escapeHtml(b.text).replaceAll('\n', '<br>')}</p>`;
    case 'facts':
      return `<dl>${b.rows.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
    case 'table': {
      const head = `<thead><tr>${b.columns.map((c) => `<th scope="col">${escapeHtml(c.title)}</th>`).join('')}</tr></thead>`;
      const rows =
        b.rows.length === 0
          ? `<tr><td colspan="${b.columns.length}" class="muted">${escapeHtml(b.empty)}</td></tr>`
          : b.rows
              .map((row) => `<tr>${row.map((cell, i) => `<td${b.columns[i]?.mono ? ' class="mono"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`)
              .join('');
      return `<div class="table"><table>${head}<tbody>${rows}</tbody></table></div>`;
    }
    case 'blank':
      return `<section aria-label="${escapeHtml(b.label)}"><h4>${escapeHtml(b.label)}</h4>${'<div class="blank"></div>'.repeat(b.lines)}</section>`;
  }
}

/** the report as a complete HTML document */
export function renderHtml(doc: ReportDocument): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${REPORT_STYLE}</style></head><body><main>`,
    `<h1>${escapeHtml(doc.title)}</h1>`,
    doc.subtitle !== undefined ? `<p class="subtitle">${escapeHtml(doc.subtitle)}</p>` : '',
    `<p class="reference">${escapeHtml(doc.reference)}</p>`,
    ...doc.blocks.map(block),
    '</main></body></html>',
    '',
  ].join('\n');
}
