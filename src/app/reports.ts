/**
 * The review reports over a node (docs/review.md): after-action, ICS 214,
 * ICS 213RR and compliance, each as PDF, HTML or CSV. The reports
 * themselves are pure (review/reports.ts, rendered by review/render/); this
 * module hands them the world, the incident's entries as the caller may
 * read them, the statements against the record, and what they were built
 * on: the last entry of the world read, and a signed checkpoint covering it
 * (signed now if the newest entries were not yet covered).
 */
import type { Caller } from '../domain/boundaries.ts';
import type { Entry } from '../ledger/entry.ts';
import { toCsv } from '../review/render/csv.ts';
import { renderHtml } from '../review/render/html.ts';
import { renderPdf } from '../review/render/pdf.ts';
import {
  afterActionReport,
  checkTimeZone,
  complianceReport,
  ics213rrReport,
  ics214Report,
  type ActivitySubject,
  type ComplianceQuery,
  type Report,
  type ReportBasis,
} from '../review/reports.ts';
import { timelineItem, type TimelineItem } from '../review/timeline.ts';
import { requireVisibleIncident } from '../domain/visible-view.ts';
import { ConcordError } from '../errors.ts';
import { revealedEntries } from './revealed.ts';
import type { ReviewService, ReviewSource } from './review.ts';

export type ReportSpec =
  | { readonly kind: 'after-action'; readonly incident: string }
  | { readonly kind: 'ics-214'; readonly incident: string; readonly subject: ActivitySubject }
  | { readonly kind: 'ics-213rr'; readonly request: string }
  | { readonly kind: 'compliance'; readonly query: ComplianceQuery };

export const REPORT_KINDS = ['after-action', 'ics-214', 'ics-213rr', 'compliance'] as const;
export const REPORT_FORMATS = ['pdf', 'html', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderedReport {
  readonly contentType: string;
  /** a file name for it: kind, subject, checkpoint size */
  readonly filename: string;
  readonly body: Uint8Array | string;
  readonly basis: ReportBasis;
}

export interface ReportDeps {
  readonly review: ReviewService;
  readonly source: ReviewSource;
  readonly ledger: { readonly origin: string; checkpoint(): Promise<{ readonly size: number; readonly root: Uint8Array }> };
  readonly now: () => Date;
}

/** how often, and how long apart, a report asks again for a checkpoint covering the world it read */
const COVER_TRIES = 20;
const COVER_WAIT_MS = 10;

const CONTENT_TYPE: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};

export class ReportService {
  readonly #deps: ReportDeps;

  constructor(deps: ReportDeps) {
    this.#deps = deps;
  }

  /** what a report built now rests on: the world's last entry, and a signed checkpoint covering it */
  async #basis(bundle: string, timeZone: string | undefined): Promise<{ basis: ReportBasis; world: ReturnType<ReviewSource['world']> }> {
    if (timeZone !== undefined) checkTimeZone(timeZone);
    const world = this.#deps.source.world();
    // the world may run a commit ahead of what the store answers for: sign again once it has caught up
    let cp = await this.#deps.ledger.checkpoint();
    for (let tries = 0; cp.size <= world.lastIndex && tries < COVER_TRIES; tries++) {
      await new Promise((resolve) => setTimeout(resolve, COVER_WAIT_MS));
      cp = await this.#deps.ledger.checkpoint();
    }
    if (cp.size <= world.lastIndex)
      throw new ConcordError('LEDGER_CONTENDED', `no signed checkpoint covers entry ${world.lastIndex} yet (the latest is of size ${cp.size}); ask again`);
    return {
      world,
      basis: {
        origin: this.#deps.ledger.origin,
        asOfIndex: world.lastIndex,
        checkpoint: { size: cp.size, root: Buffer.from(cp.root).toString('base64') },
        bundle,
        created: this.#deps.now().toISOString(),
        ...(timeZone !== undefined ? { timeZone } : {}),
      },
    };
  }

  /** the incident's entries the caller may read, as timeline items, up to the world's last entry */
  async #items(caller: Caller, incident: string, upTo: number): Promise<TimelineItem[]> {
    const source = this.#deps.source;
    const visible = caller.role === 'reviewer' || source.readable === undefined ? () => true : await source.readable(caller);
    const items: TimelineItem[] = [];
    for await (const stored of revealedEntries(source.store, 0, upTo + 1, { incident })) {
      if (visible(stored.index)) items.push(timelineItem(JSON.parse(stored.text) as Entry));
    }
    return items;
  }

  async build(caller: Caller, spec: ReportSpec, timeZone?: string): Promise<Report & { readonly basis: ReportBasis }> {
    switch (spec.kind) {
      case 'after-action': {
        const { world, basis } = await this.#basis(`concord export bundle --incident ${spec.incident}`, timeZone);
        const statements = await this.#deps.review.statements(caller, spec.incident);
        return { ...afterActionReport(world, caller, spec.incident, statements, basis), basis };
      }
      case 'ics-214': {
        const { world, basis } = await this.#basis(`concord export bundle --incident ${spec.incident}`, timeZone);
        requireVisibleIncident(world, caller, spec.incident);
        const items = await this.#items(caller, spec.incident, basis.asOfIndex);
        return { ...ics214Report(world, caller, spec.incident, spec.subject, items, basis), basis };
      }
      case 'ics-213rr': {
        const incident = this.#deps.source.world().requests[spec.request]?.incident;
        const { world, basis } = await this.#basis(incident !== undefined ? `concord export bundle --incident ${incident}` : 'concord export bundle', timeZone);
        return { ...ics213rrReport(world, caller, spec.request, basis), basis };
      }
      case 'compliance': {
        const { world, basis } = await this.#basis('concord export bundle --all', timeZone);
        return { ...complianceReport(world, caller, spec.query, basis), basis };
      }
    }
  }

  async render(caller: Caller, spec: ReportSpec, format: ReportFormat, timeZone?: string): Promise<RenderedReport> {
    const report = await this.build(caller, spec, timeZone);
    const subject =
      spec.kind === 'after-action'
        ? spec.incident
        : spec.kind === 'ics-214'
          ? `${spec.incident}-${spec.subject.id}`
          : spec.kind === 'ics-213rr'
            ? spec.request
            : spec.query.to;
    const filename = `${spec.kind}-${subject}-at-${report.basis.checkpoint.size}.${format}`;
    const body = format === 'pdf' ? renderPdf(report.document) : format === 'html' ? renderHtml(report.document) : toCsv(report.csv.header, report.csv.rows);
    return { contentType: CONTENT_TYPE[format], filename, body, basis: report.basis };
  }
}
