/**
 * RFC 4180 CSV: CRLF line ends, every field quoted when it holds a quote,
 * comma or line break, quotes doubled. A field that a spreadsheet would run
 * as a formula (starting with = + - @, a tab or a carriage return, OWASP's
 * list) gets a leading apostrophe, unless it is a plain number: a report
 * opened in a spreadsheet never runs what an agency typed into a reason.
 */

const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  const safe = FORMULA.test(value) && !NUMBER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** the header line, then one line per row; every row must have as many fields as the header */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header, ...rows].map((row, i) => {
    if (row.length !== header.length) throw new Error(`CSV row ${i} has ${row.length} fields, the header ${header.length}`);
    return row.map(csvField).join(',');
  });
  return `${lines.join('\r\n')}\r\n`;
}
