/**
 * A report document as PDF 1.4: US Letter pages (as ICS and HSEEP forms
 * are), the standard fonts Helvetica, Helvetica-Bold and Courier (every
 * reader has them, nothing is embedded), text wrapped by the fonts' widths,
 * tables whose header comes again on each page, and on every page the
 * reference the reader verifies the report against and "page N of M".
 *
 * Deterministic: the same document gives the same bytes (the creation date
 * is the document's), so a report can be rebuilt and compared.
 *
 * Text is WinAnsi (Latin-1 and the usual typographic marks). A character
 * outside it is written without its accents where that leaves a Latin
 * letter (Nguyễn → Nguyen), else as "?"; the HTML and CSV renderings keep
 * every character.
 */
import type { Block, ReportDocument, TableColumn } from './document.ts';
import { COURIER_WIDTH, HELVETICA_BOLD_WIDTHS, HELVETICA_WIDTHS, WIN_ANSI_HIGH } from './font-metrics.ts';

export type Face = 'regular' | 'bold' | 'mono';
const FONT: Record<Face, string> = { regular: 'F1', bold: 'F2', mono: 'F3' };
const BASE_FONT: Record<Face, string> = { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier' };

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN = 54;
/** room kept at the foot of each page for the reference and the page number */
const FOOT = 34;
const WIDTH = PAGE_WIDTH - 2 * MARGIN;
const BOTTOM = MARGIN + FOOT - 20;
const BODY = 9.5;
const TABLE = 8.2;
const CELL_PAD = 3;

const QUESTION_MARK = 63;

/**
 * Text on its way to the page is a "WinAnsi string": a JS string whose
 * every character code is the WinAnsi code of a glyph (0..255), so the
 * common case, plain ASCII, is the text itself and costs one regex test. A
 * 100,000-entry after-action report sets over a million cells; as arrays of
 * codes, wrapping them cost more than the rest of the rendering.
 */
const PLAIN = /^[\x20-\x7e\xa0-\xff]*$/;

/** `text` as a WinAnsi string (see the module comment for what replaces a character outside WinAnsi) */
export function toWinAnsi(text: string): string {
  if (PLAIN.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const u = ch.codePointAt(0) as number;
    if ((u >= 32 && u <= 126) || (u >= 160 && u <= 255)) out += ch;
    else if (WIN_ANSI_HIGH.has(u)) out += String.fromCharCode(WIN_ANSI_HIGH.get(u) as number);
    else if (u === 9 || u === 10 || u === 13) out += ' ';
    else {
      const bare = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      const codes = bare !== ch && bare.length > 0 ? toWinAnsi(bare) : '';
      out += codes.length > 0 && !codes.includes('?') ? codes : '?';
    }
  }
  return out;
}

/** the width of a WinAnsi string in 1/1000 of the font size */
function units(s: string, face: Face, from = 0, to = s.length): number {
  if (face === 'mono') return (to - from) * COURIER_WIDTH;
  const widths = face === 'bold' ? HELVETICA_BOLD_WIDTHS : HELVETICA_WIDTHS;
  let w = 0;
  for (let i = from; i < to; i++) w += widths[s.charCodeAt(i) - 32] ?? 0;
  return w;
}

/** the width of a WinAnsi string in points */
export function measure(s: string, face: Face, size: number): number {
  return (units(s, face) * size) / 1000;
}

/**
 * `text` in lines (WinAnsi strings) no wider than `max` points: at spaces,
 * and inside a word only when it is wider than a line.
 */
/** the widest glyph of the three faces, in 1/1000 of the font size: a word of n characters is at most n times as wide */
const WIDEST_GLYPH = Math.max(COURIER_WIDTH, ...HELVETICA_WIDTHS, ...HELVETICA_BOLD_WIDTHS);

/** where a word too wide for a line is cut by preference: after one of these (ids, positions, clause numbers) */
const SEPARATORS = '-./_:';

export function wrap(text: string, face: Face, size: number, max: number): string[] {
  // widths compared in whole units of 1/1000 of the font size: no rounding decides a break
  const limit = Math.floor((max * 1000) / size + 1e-9);
  const space = units(' ', face);
  const lines: string[] = [];
  for (const raw of text.includes('\n') || text.includes('\r') ? text.split(/\r\n|\n|\r/) : [text]) {
    const paragraph = toWinAnsi(raw);
    // most cells are one short line
    if (units(paragraph, face) <= limit) {
      lines.push(paragraph);
      continue;
    }
    let line = '';
    let width = 0;
    let started = false;
    for (let from = 0; from <= paragraph.length;) {
      let to = paragraph.indexOf(' ', from);
      if (to === -1) to = paragraph.length;
      const w = units(paragraph, face, from, to);
      if (started && width + space + w <= limit) {
        line += ` ${paragraph.slice(from, to)}`;
        width += space + w;
      } else {
        if (started) lines.push(line);
        // a word wider than a line is cut, as many characters on each line as fit (at least one),
        // after the last separator among them where there is one (city-pd.watch- | commander)
        let rest = from;
        while (rest < to - 1 && units(paragraph, face, rest, to) > limit) {
          let n = rest + 1;
          let used = units(paragraph, face, rest, n);
          while (n < to - 1 && used + units(paragraph, face, n, n + 1) <= limit) {
            used += units(paragraph, face, n, n + 1);
            n++;
          }
          for (let k = n - 1; k > rest; k--) {
            if (SEPARATORS.includes(paragraph[k] as string)) {
              n = k + 1;
              break;
            }
          }
          lines.push(paragraph.slice(rest, n));
          rest = n;
        }
        line = paragraph.slice(rest, to);
        width = units(paragraph, face, rest, to);
        started = true;
      }
      from = to + 1;
    }
    lines.push(line);
  }
  return lines;
}

/** a PDF literal string of a WinAnsi string: ( ) \ escaped, anything outside printable ASCII in octal */
const LITERAL_PLAIN = /^[\x20-\x27\x2a-\x5b\x5d-\x7e]*$/;
function literal(s: string): string {
  if (LITERAL_PLAIN.test(s)) return `(${s})`;
  let out = '(';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40 || c === 41 || c === 92) out += `\\${s[i]}`;
    else if (c < 32 || c > 126) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += s[i];
  }
  return `${out})`;
}

/** a text string for the document information dictionary: UTF-16BE with its byte order mark */
function infoString(text: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return `<${hex}>`;
}

function pdfDate(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (!Number.isFinite(ms)) throw new Error(`report creation time ${JSON.stringify(rfc3339)} is not a time`);
  const d = new Date(ms).toISOString();
  return `D:${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}Z`;
}

const num = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** the pages being filled, top to bottom; `y` is the top of the next line */
class Layout {
  readonly pages: string[][] = [];
  y = 0;
  private readonly starts = new Map<string, string>();

  private get ops(): string[] {
    if (this.pages.length === 0) this.newPage();
    return this.pages[this.pages.length - 1] as string[];
  }

  newPage(): void {
    this.pages.push([]);
    this.y = PAGE_HEIGHT - MARGIN;
  }

  /** starts a new page unless `height` points fit above the foot */
  room(height: number): void {
    if (this.pages.length === 0 || this.y - height < BOTTOM) this.newPage();
  }

  left(): number {
    return this.y - BOTTOM;
  }

  text(x: number, baseline: number, codes: string, face: Face, size: number, gray = 0): void {
    if (codes.length === 0) return;
    // the few colour-font-size-column starts of a report, written once each (a big report sets millions of lines)
    const key = `${gray} ${face} ${size} ${x}`;
    let start = this.starts.get(key);
    if (start === undefined) {
      start = `BT ${num(gray)} g /${FONT[face]} ${num(size)} Tf ${num(x)} `;
      this.starts.set(key, start);
    }
    this.ops.push(`${start}${num(baseline)} Td ${literal(codes)} Tj ET`);
  }

  rule(x1: number, y: number, x2: number, gray: number, width: number): void {
    this.ops.push(`${num(gray)} G ${num(width)} w ${num(x1)} ${num(y)} m ${num(x2)} ${num(y)} l S`);
  }

  shade(x: number, y: number, w: number, h: number, gray: number): void {
    this.ops.push(`${num(gray)} g ${num(x)} ${num(y)} ${num(w)} ${num(h)} re f`);
  }

  /** lines of one style, each on the page it fits on */
  lines(lines: readonly string[], face: Face, size: number, leading: number, x = MARGIN, gray = 0): void {
    for (const line of lines) {
      this.room(leading);
      this.text(x, this.y - size, line, face, size, gray);
      this.y -= leading;
    }
  }
}

const HEADING: Record<1 | 2 | 3, { size: number; before: number }> = {
  1: { size: 14, before: 12 },
  2: { size: 12, before: 9 },
  3: { size: 10.5, before: 6 },
};

function heading(page: Layout, level: 1 | 2 | 3, text: string): void {
  const { size, before } = HEADING[level];
  const leading = size * 1.3;
  const lines = wrap(text, 'bold', size, WIDTH);
  // never the last thing on a page: keep room for it and two lines of what follows
  page.room(before + lines.length * leading + 2 * BODY * 1.35);
  if (page.y < PAGE_HEIGHT - MARGIN) page.y -= before;
  page.lines(lines, 'bold', size, leading);
  page.y -= 2;
}

function facts(page: Layout, rows: readonly (readonly [string, string])[]): void {
  const leading = BODY * 1.35;
  const labelWidth = Math.min(WIDTH * 0.35, Math.max(0, ...rows.map(([l]) => measure(toWinAnsi(l), 'bold', BODY))) + 12);
  for (const [label, value] of rows) {
    const labels = wrap(label, 'bold', BODY, labelWidth - 8);
    const values = wrap(value, 'regular', BODY, WIDTH - labelWidth);
    const n = Math.max(labels.length, values.length);
    for (let i = 0; i < n; i++) {
      page.room(leading);
      page.text(MARGIN, page.y - BODY, labels[i] ?? '', 'bold', BODY);
      page.text(MARGIN + labelWidth, page.y - BODY, values[i] ?? '', 'regular', BODY);
      page.y -= leading;
    }
  }
  page.y -= 4;
}

/**
 * The columns' widths: shares of the page by weight, but a column whose
 * longest word (its heading's or a cell's, up to a third of the page) would
 * not fit takes the room it needs from the columns with room to spare, when
 * the table has that much room; else the shares stand, and wrap cuts words.
 */
export function columnWidths(columns: readonly TableColumn[], rows: readonly (readonly string[])[], width: number): number[] {
  const total = columns.reduce((t, c) => t + (c.weight ?? 1), 0);
  const shares = columns.map((c) => (width * (c.weight ?? 1)) / total);
  const cap = width / 3 - 2 * CELL_PAD;
  const needs = columns.map((c, i) => {
    let widest = 0;
    const see = (text: string, face: Face): void => {
      for (const word of text.split(/\s+/)) {
        // a word no longer than the widest so far times the widest glyph cannot be wider: not measured
        if ((word.length * WIDEST_GLYPH * TABLE) / 1000 > widest) widest = Math.max(widest, measure(toWinAnsi(word), face, TABLE));
      }
    };
    see(c.title, 'bold');
    for (const row of rows) {
      if (widest >= cap) break;
      see(row[i] ?? '', c.mono ? 'mono' : 'regular');
    }
    return 2 * CELL_PAD + Math.min(cap, widest);
  });
  const short = needs.reduce((t, n, i) => t + Math.max(0, n - (shares[i] as number)), 0);
  const spare = needs.reduce((t, n, i) => t + Math.max(0, (shares[i] as number) - n), 0);
  if (short === 0 || short > spare) return shares;
  // the columns with room give up the same fraction of it
  return shares.map((share, i) => {
    const need = needs[i] as number;
    return need > share ? need : share - ((share - need) * short) / spare;
  });
}

function table(page: Layout, columns: readonly TableColumn[], rows: readonly (readonly string[])[], empty: string): void {
  const leading = TABLE * 1.3;
  const widths = columnWidths(columns, rows, WIDTH);
  const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((t, w) => t + w, 0));
  const face = (c: TableColumn): Face => (c.mono ? 'mono' : 'regular');
  const headerCells = columns.map((c, i) => wrap(c.title, 'bold', TABLE, (widths[i] as number) - 2 * CELL_PAD));
  const headerHeight = Math.max(...headerCells.map((l) => l.length)) * leading + 2 * CELL_PAD;
  const header = (): void => {
    page.shade(MARGIN, page.y - headerHeight, WIDTH, headerHeight, 0.9);
    headerCells.forEach((lines, i) =>
      lines.forEach((line, k) => page.text((xs[i] as number) + CELL_PAD, page.y - CELL_PAD - TABLE - k * leading, line, 'bold', TABLE)),
    );
    page.y -= headerHeight;
    page.rule(MARGIN, page.y, MARGIN + WIDTH, 0.4, 0.6);
  };
  page.room(headerHeight + leading + 2 * CELL_PAD);
  header();
  if (rows.length === 0) {
    page.lines(wrap(empty, 'regular', TABLE, WIDTH - 2 * CELL_PAD), 'regular', TABLE, leading, MARGIN + CELL_PAD, 0.35);
  }
  rows.forEach((row, r) => {
    if (row.length !== columns.length) throw new Error(`table row ${r} has ${row.length} cells for ${columns.length} columns`);
    const cells = row.map((text, i) => wrap(text, face(columns[i] as TableColumn), TABLE, (widths[i] as number) - 2 * CELL_PAD));
    let from = 0;
    const height = Math.max(1, ...cells.map((l) => l.length));
    while (from < height) {
      // as many of the row's lines as fit here; a row taller than the room left goes on over the page
      let fit = Math.floor((page.left() - 2 * CELL_PAD) / leading);
      if (fit < Math.min(height - from, 2)) {
        page.newPage();
        header();
        fit = Math.floor((page.left() - 2 * CELL_PAD) / leading);
      }
      const take = Math.min(fit, height - from);
      cells.forEach((lines, i) =>
        lines
          .slice(from, from + take)
          .forEach((line, k) => page.text((xs[i] as number) + CELL_PAD, page.y - CELL_PAD - TABLE - k * leading, line, face(columns[i] as TableColumn), TABLE)),
      );
      page.y -= take * leading + 2 * CELL_PAD;
      from += take;
      page.rule(MARGIN, page.y, MARGIN + WIDTH, 0.75, 0.4);
    }
  });
  page.y -= 8;
}

function block(page: Layout, b: Block): void {
  switch (b.kind) {
    case 'heading':
      heading(page, b.level, b.text);
      return;
    case 'paragraph':
      page.lines(wrap(b.text, 'regular', BODY, WIDTH), 'regular', BODY, BODY * 1.35, MARGIN, b.muted ? 0.35 : 0);
      page.y -= 5;
      return;
    case 'facts':
      facts(page, b.rows);
      return;
    case 'table':
      table(page, b.columns, b.rows, b.empty);
      return;
    case 'blank':
      page.room(BODY * 1.35 + 22 * Math.min(b.lines, 3));
      page.lines(wrap(b.label, 'bold', BODY, WIDTH), 'bold', BODY, BODY * 1.35);
      for (let i = 0; i < b.lines; i++) {
        page.room(22);
        page.y -= 22;
        page.rule(MARGIN, page.y, MARGIN + WIDTH, 0.55, 0.5);
      }
      page.y -= 8;
      return;
  }
}

/** the report as the bytes of a PDF file */
export function renderPdf(doc: ReportDocument): Uint8Array {
  const created = pdfDate(doc.created);
  const page = new Layout();
  page.lines(wrap(doc.title, 'bold', 18, WIDTH), 'bold', 18, 23);
  if (doc.subtitle !== undefined) page.lines(wrap(doc.subtitle, 'regular', 11, WIDTH), 'regular', 11, 15, MARGIN, 0.25);
  page.y -= 3;
  page.lines(wrap(doc.reference, 'mono', 7.5, WIDTH), 'mono', 7.5, 9.5, MARGIN, 0.25);
  page.y -= 4;
  page.rule(MARGIN, page.y, MARGIN + WIDTH, 0.3, 0.8);
  page.y -= 6;
  for (const b of doc.blocks) block(page, b);

  // the foot of every page, now that the pages are counted
  const count = page.pages.length;
  // three lines at most (the reference of a long origin and incident id takes three; two cut off its end)
  const footRef = wrap(doc.reference, 'mono', 6.5, WIDTH - 90).slice(0, 3);
  page.pages.forEach((ops, i) => {
    ops.push(`0.6 G 0.4 w ${MARGIN} ${MARGIN - 2} m ${MARGIN + WIDTH} ${MARGIN - 2} l S`);
    footRef.forEach((line, k) => ops.push(`BT 0.3 g /F3 6.5 Tf ${MARGIN} ${MARGIN - 12 - k * 8} Td ${literal(line)} Tj ET`));
    const label = toWinAnsi(`page ${i + 1} of ${count}`);
    const x = MARGIN + WIDTH - measure(label, 'regular', 8);
    ops.push(`BT 0.3 g /F1 8 Tf ${num(x)} ${MARGIN - 12} Td ${literal(label)} Tj ET`);
  });

  // objects: 1 catalog, 2 page tree, 3-5 fonts, 6 information, then each page's content and page
  const objects: string[] = [];
  const kids: number[] = [];
  objects[0] = '<< /Type /Catalog /Pages 2 0 R >>';
  (['regular', 'bold', 'mono'] as const).forEach((f, i) => {
    objects[2 + i] = `<< /Type /Font /Subtype /Type1 /BaseFont /${BASE_FONT[f]} /Encoding /WinAnsiEncoding >>`;
  });
  objects[5] = `<< /Title ${infoString(doc.title)} /Subject ${infoString(doc.reference)} /Producer (Concord) /CreationDate (${created}) >>`;
  for (const ops of page.pages) {
    const content = ops.join('\n');
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    const contentRef = objects.length;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents ${contentRef} 0 R >>`,
    );
    kids.push(objects.length);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;

  // written object by object into buffers (a report of thousands of pages is tens of megabytes: one string of it would be flattened and copied again)
  const parts: Buffer[] = [];
  let length = 0;
  const write = (text: string): void => {
    const b = Buffer.from(text, 'latin1');
    parts.push(b);
    length += b.length;
  };
  write('%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n');
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(length);
    write(`${i + 1} 0 obj\n${body}\nendobj\n`);
  });
  const xref = length;
  let tail = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) tail += `${String(o).padStart(10, '0')} 00000 n \n`;
  tail += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  write(tail);
  return Buffer.concat(parts, length);
}
