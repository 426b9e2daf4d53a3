/**
 * The report renderers: a document as PDF (read back by poppler's
 * pdftotext and pdftoppm, which bin/ensure-test-tools.js installs), HTML
 * and CSV (read back by csv-parse).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { ROOT } from '../../../bin/dist.js';
import { csvField, toCsv } from '../../../src/review/render/csv.ts';
import type { ReportDocument } from '../../../src/review/render/document.ts';
import { escapeHtml, renderHtml } from '../../../src/review/render/html.ts';
import { columnWidths, measure, renderPdf, toWinAnsi, wrap } from '../../../src/review/render/pdf.ts';

/** the WinAnsi codes of `text` */
const winAnsi = (text: string): number[] => [...toWinAnsi(text)].map((c) => c.charCodeAt(0));

const PDFTOTEXT = '/usr/bin/pdftotext';
const PDFTOPPM = '/usr/bin/pdftoppm';
const SHOTS = join(ROOT, 'test-results', 'reports');

const REFERENCE = 'checkpoint concord.example/city-pd 1234 root 3q2+7w== · bundle sha256:5f1c0a…';

function doc(rows: number): ReportDocument {
  return {
    title: 'After-action report: Harrison Street operation',
    subtitle: 'Incident inc-2026-0601-harrison, 1 June 2026, 20:40–22:15 CDT',
    reference: REFERENCE,
    created: '2026-12-02T17:00:00Z',
    blocks: [
      { kind: 'heading', level: 1, text: 'Summary' },
      {
        kind: 'paragraph',
        text: 'Fed-ICE asked City PD for perimeter support at 20:52. The request was accepted and two units were committed. Café owner José Núñez called 911 (“shots fired”).',
      },
      {
        kind: 'facts',
        rows: [
          ['Requested by', 'Supervisor Santos (fed-ice)'],
          ['Verdict', 'permitted with conditions: clauses 4.2, 4.3'],
        ],
      },
      {
        kind: 'table',
        columns: [{ title: 'Time', weight: 1.2 }, { title: 'Who' }, { title: 'What', weight: 3 }, { title: 'Entry', weight: 0.6, mono: true }],
        rows: Array.from({ length: rows }, (_, i) => [
          `21:${String(i % 60).padStart(2, '0')}:00 CDT`,
          'Chen (city-pd)',
          `decision ${i}: ${'the unit stays on the perimeter '.repeat(1 + (i % 3))}`,
          String(100 + i),
        ]),
        empty: 'No decisions.',
      },
      { kind: 'blank', label: 'Areas for improvement (for the reviewer)', lines: 3 },
    ],
  };
}

function pdfText(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'concord-pdf-'));
  try {
    writeFileSync(join(dir, 'r.pdf'), bytes);
    return execFileSync(PDFTOTEXT, ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('PDF rendering', () => {
  it('writes a well-formed file: every cross-reference offset points at its object', () => {
    const bytes = Buffer.from(renderPdf(doc(80)));
    const text = bytes.toString('latin1');
    assert.ok(text.startsWith('%PDF-1.4\n'));
    assert.ok(text.endsWith('%%EOF\n'));
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    assert.ok(text.slice(startxref).startsWith('xref\n0 '));
    const count = Number(/^xref\n0 (\d+)\n/.exec(text.slice(startxref))?.[1]);
    const entries = text
      .slice(startxref)
      .split('\n')
      .slice(3, 3 + count - 1);
    assert.equal(entries.length, count - 1);
    entries.forEach((e, i) => {
      assert.match(e, /^\d{10} 00000 n $/);
      assert.ok(text.slice(Number(e.slice(0, 10))).startsWith(`${i + 1} 0 obj\n`), `object ${i + 1}`);
    });
    // each content stream's /Length is its byte length
    for (const m of text.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
      const from = (m.index as number) + m[0].length;
      assert.equal(text.slice(from + Number(m[1]), from + Number(m[1]) + 10), '\nendstream');
    }
  });

  it('gives the same bytes for the same document', () => {
    assert.deepEqual(renderPdf(doc(30)), renderPdf(doc(30)));
    assert.notDeepEqual(renderPdf(doc(30)), renderPdf({ ...doc(30), created: '2026-12-02T17:00:01Z' }));
  });

  it('refuses a creation time that is not a time, and a table row of the wrong width', () => {
    assert.throws(() => renderPdf({ ...doc(1), created: 'yesterday' }), /not a time/);
    assert.throws(() => renderPdf({ ...doc(0), blocks: [{ kind: 'table', columns: [{ title: 'a' }], rows: [['x', 'y']], empty: '' }] }), /row 0 has 2 cells/);
  });

  it('encodes Latin-1 and typographic marks, drops accents it cannot write, and marks the rest', () => {
    assert.deepEqual(winAnsi('Café – “x”'), [67, 97, 102, 233, 32, 150, 32, 147, 120, 148]);
    assert.deepEqual(winAnsi('Nguyễn'), winAnsi('Nguyen'));
    assert.deepEqual(winAnsi('东'), [63]);
  });

  it('wraps at spaces within the width, and cuts only a word wider than a line', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-zA-Z]{1,30}$/), { minLength: 1, maxLength: 40 }), fc.integer({ min: 40, max: 500 }), (words, width) => {
        const lines = wrap(words.join(' '), 'regular', 10, width);
        // nothing lost or reordered: the lines hold the words' letters in order
        assert.equal(lines.map((l) => l.replaceAll(' ', '')).join(''), words.join(''));
        // every line fits, but a single letter wider than the line
        for (const l of lines) assert.ok(l.length <= 1 || measure(l, 'regular', 10) <= width, `${l} is wider than ${width}`);
        // and no line could have taken the next line's first word
        lines.slice(0, -1).forEach((l, i) => {
          const next = lines[i + 1] as string;
          const firstWord = next.split(' ')[0] as string;
          if (l.length > 0 && words.includes(firstWord)) assert.ok(measure(`${l} ${firstWord}`, 'regular', 10) > width);
        });
      }),
    );
  });

  it('gives a column room for its longest word when the others can spare it, and the page width in all', () => {
    const columns = [{ title: 'Request', mono: true }, { title: 'From' }, { title: 'Decision', weight: 3 }];
    const rows = [
      ['req-001', 'Federal Immigration Enforcement, Metro Field Office', 'declined: a perimeter in support of a civil enforcement action is prohibited'],
    ];
    const width = 300;
    const widths = columnWidths(columns, rows, width);
    assert.ok(Math.abs(widths.reduce((t, w) => t + w, 0) - width) < 1e-6);
    // "Enforcement" fits on a line of its column: wrap does not cut it
    assert.ok(wrap(rows[0]![1]!, 'regular', 8.2, widths[1]! - 6).includes('Enforcement,'));
    // more than the page holds: the weights stand
    // a table of more rows than a call takes arguments (a long incident's notices)
    assert.equal(
      columnWidths(
        columns,
        Array.from({ length: 300_000 }, () => rows[0]!),
        width,
      ).length,
      3,
    );
    const four = [{ title: 'a' }, { title: 'b' }, { title: 'c' }, { title: 'd', weight: 3 }];
    assert.deepEqual(columnWidths(four, [four.map(() => 'x'.repeat(200))], width), [50, 50, 50, 150]);
    fc.assert(
      fc.property(
        fc.array(fc.record({ title: fc.string({ maxLength: 12 }), weight: fc.double({ min: 0.3, max: 3, noNaN: true }), mono: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.string({ maxLength: 60 }), { maxLength: 8 }),
        (cols, cells) => {
          const ws = columnWidths(cols, [cols.map((_, i) => cells[i] ?? '')], 504);
          assert.ok(Math.abs(ws.reduce((t, w) => t + w, 0) - 504) < 1e-6);
          for (const w of ws) assert.ok(w > 0);
        },
      ),
    );
  });

  it('cuts a word wider than a line after its last separator that fits, else where the line is full', () => {
    const width = measure('city-pd.watch-comman', 'regular', 10);
    assert.deepEqual(wrap('position city-pd.watch-commander', 'regular', 10, width), ['position', 'city-pd.watch-', 'commander']);
    // no separator: as many characters as fit
    const cut = wrap('abcdefghijklmnopqrstuvwxyz', 'regular', 10, measure('abcdefghij', 'regular', 10));
    assert.equal(cut[0], 'abcdefghij');
    assert.equal(cut.join(''), 'abcdefghijklmnopqrstuvwxyz');
    // with separators anywhere, nothing is lost or reordered and every line fits
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z.\-/_:]{1,80}$/), fc.integer({ min: 20, max: 200 }), (word, w) => {
        const lines = wrap(word, 'regular', 10, w);
        assert.equal(lines.join(''), word);
        for (const l of lines) assert.ok(l.length <= 1 || measure(l, 'regular', 10) <= w, `${l} is wider than ${w}`);
      }),
    );
  });

  it(
    'is read back by pdftotext: the key facts, a table over several pages with its header on each, and page N of M',
    { skip: !existsSync(PDFTOTEXT) && `${PDFTOTEXT} is missing (npm test installs poppler-utils)` },
    () => {
      const text = pdfText(renderPdf(doc(120)));
      const pages = text.split('\f').filter((p) => p.trim() !== '');
      assert.ok(pages.length >= 3, `${pages.length} pages`);
      assert.match(text, /After-action report: Harrison Street operation/);
      assert.match(text, /José Núñez called 911 \(“shots fired”\)/);
      assert.match(text, /permitted with conditions: clauses 4\.2, 4\.3/);
      assert.match(text, /decision 119:/);
      pages.forEach((p, i) => {
        assert.match(p, new RegExp(`page ${i + 1} of ${pages.length}`));
        assert.match(p, /checkpoint concord\.example\/city-pd 1234/);
      });
      // the table's header starts each page the table goes on to
      for (const p of pages.slice(1, -1)) assert.match(p, /Time\s+Who\s+What\s+Entry/);
    },
  );

  it(
    'ends every page with the whole reference, even one of three lines (a real log origin, root and incident)',
    { skip: !existsSync(PDFTOTEXT) && `${PDFTOTEXT} is missing (npm test installs poppler-utils)` },
    () => {
      const reference =
        'Built from entries 0..151 of log concord.local/demo, covered by its signed checkpoint of size 152, root U627ilgBdXYPgJkxe0o1WWzk+xvPkOaeKu3gyE51hMs=. Entries and proofs: concord export bundle --incident inc-2026-0601-harrison';
      const pages = pdfText(renderPdf({ ...doc(120), reference }))
        .split('\f')
        .filter((p) => p.trim() !== '');
      assert.ok(pages.length >= 3);
      for (const p of pages) assert.match(p.replace(/\s+/g, ' '), /--incident inc-2026-0601-harrison/);
    },
  );

  it('renders its first page to PNG for the test output', { skip: !existsSync(PDFTOPPM) && `${PDFTOPPM} is missing (npm test installs poppler-utils)` }, () => {
    mkdirSync(SHOTS, { recursive: true });
    const pdf = join(SHOTS, 'render-sample.pdf');
    writeFileSync(pdf, renderPdf(doc(40)));
    execFileSync(PDFTOPPM, ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, join(SHOTS, 'render-sample-page1')]);
    assert.ok(existsSync(join(SHOTS, 'render-sample-page1.png')));
  });
});

describe('HTML rendering', () => {
  it('escapes every value and fetches nothing', () => {
    const html = renderHtml({
      ...doc(1),
      title: '<script>alert(1)</script>',
      blocks: [{ kind: 'table', columns: [{ title: 'a"b' }], rows: [["<img src=x onerror='x'>"]], empty: '' }],
    });
    assert.ok(!html.includes('<script>'));
    assert.ok(!html.includes('<img'));
    assert.match(html, /&lt;img src=x onerror=&#39;x&#39;&gt;/);
    assert.doesNotMatch(html, /<[^>]*\b(src|href)=/);
    assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
  });

  it('keeps every character the PDF cannot', () => {
    assert.match(renderHtml({ ...doc(0), subtitle: 'Nguyễn 东' }), /Nguyễn 东/);
  });
});

describe('CSV', () => {
  it('is read back by csv-parse exactly, whatever the fields hold', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 3, maxLength: 3 }), { maxLength: 20 }), (rows) => {
        const parsed = parse(toCsv(['a', 'b', 'c'], rows), { relax_column_count: false }) as string[][];
        assert.deepEqual(parsed[0], ['a', 'b', 'c']);
        assert.deepEqual(
          parsed.slice(1),
          rows.map((r) => r.map((f) => (/^[=+\-@\t\r]/.test(f) && !/^-?\d+(\.\d+)?$/.test(f) ? `'${f}` : f))),
        );
      }),
    );
  });

  it('never lets a spreadsheet run a field as a formula, but leaves numbers alone', () => {
    assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('-12.5'), '-12.5');
    assert.equal(csvField('plain'), 'plain');
  });

  it('refuses a row of the wrong width', () => {
    assert.throws(() => toCsv(['a', 'b'], [['x']]), /row 1 has 1 fields/);
  });
});
