/**
 * A report as a document: a title, the reference a reader verifies it
 * against, and blocks of text and tables. Every report (after-action,
 * ICS 214, ICS 213RR, compliance) is built as one of these and rendered the
 * same way to HTML (html.ts) and PDF (pdf.ts); its tables also go to CSV
 * (csv.ts). Pure data: no layout, no I/O.
 */

export interface TableColumn {
  readonly title: string;
  /** share of the width (1 by default) */
  readonly weight?: number;
  /** set in a fixed-width face: hashes, indexes, ids */
  readonly mono?: boolean;
}

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string; readonly muted?: boolean }
  /** label: value lines, the labels in a column of their own */
  | { readonly kind: 'facts'; readonly rows: readonly (readonly [label: string, value: string])[] }
  | {
      readonly kind: 'table';
      readonly columns: readonly TableColumn[];
      readonly rows: readonly (readonly string[])[];
      /** what to say when there are no rows */
      readonly empty: string;
    }
  /** ruled lines left for a reviewer to fill in by hand (an after-action report's areas for improvement) */
  | { readonly kind: 'blank'; readonly label: string; readonly lines: number };

export interface ReportDocument {
  readonly title: string;
  readonly subtitle?: string;
  /**
   * what a reader checks the report against, on every page: the signed
   * checkpoint it was built on and the bundle that proves its entries
   */
  readonly reference: string;
  /** when it was built (RFC 3339): the PDF's creation date, so the same input gives the same bytes */
  readonly created: string;
  readonly blocks: readonly Block[];
}
