/**
 * The review reports (docs/review.md) as files: GET /v1/reports/<kind> with
 * format=pdf|html|csv. Reads, within the agency boundaries like every read
 * (a reviewer's report holds every record). A PDF or CSV comes as an
 * attachment; the HTML page inline, under a Content-Security-Policy that
 * allows its one inline style by hash and nothing else (no script, nothing
 * fetched). Each answer names the checkpoint it was built on in
 * `concord-checkpoint-size`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { REPORT_FORMATS, type RenderedReport, type ReportService, type ReportSpec } from '../app/reports.ts';
import { idSchema, timeSchema } from '../domain/values.ts';
import { AGENCY_KINDS } from '../domain/vocabulary.ts';
import { REPORT_STYLE } from '../review/render/html.ts';
import { callerOf, type Principal } from './principal.ts';
import { defineRoute, type AnyRoute, type RouteContext } from './route.ts';

const HTML_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(REPORT_STYLE).digest('base64')}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`;

const common = {
  format: z.enum(REPORT_FORMATS, { message: `format is one of ${REPORT_FORMATS.join(', ')}` }).default('pdf'),
  /** IANA time zone the times are shown in; checked by the report (UTC by default) */
  tz: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/, 'tz is an IANA time zone, like America/Chicago or UTC')
    .optional(),
};

function send(ctx: RouteContext<unknown, unknown, unknown>, r: RenderedReport): Buffer | string {
  const { reply } = ctx;
  reply.type(r.contentType);
  reply.header('concord-checkpoint-size', String(r.basis.checkpoint.size));
  reply.header('cache-control', 'no-store');
  if (r.contentType.startsWith('text/html')) {
    reply.header('content-security-policy', HTML_CSP);
    reply.header('content-disposition', `inline; filename="${r.filename}"`);
  } else {
    reply.header('content-disposition', `attachment; filename="${r.filename}"`);
  }
  return typeof r.body === 'string' ? r.body : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
}

const FILE = { status: 200, description: 'the report as PDF, HTML or CSV (format)', contentType: 'application/pdf' } as const;

export function reportRoutes(reports: ReportService): AnyRoute[] {
  const run = async (ctx: RouteContext<unknown, { format: (typeof REPORT_FORMATS)[number]; tz?: string }, unknown>, spec: ReportSpec) =>
    send(ctx, await reports.render(callerOf(ctx.principal as Principal), spec, ctx.query.format, ctx.query.tz));
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/reports/after-action',
      tag: 'review',
      summary:
        'the after-action report of an incident (HSEEP shape): overview, summary, key decisions, requests and verdicts, commitments and withdrawals, orders, notifications and acknowledgements, conflicts, statements against the record, areas for improvement left to fill',
      access: 'read',
      query: z.strictObject({ incident: idSchema, ...common }),
      response: FILE,
      handler: (ctx) => run(ctx, { kind: 'after-action', incident: ctx.query.incident }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/reports/ics-214',
      tag: 'review',
      summary: 'the ICS 214 activity log of a unit or a person on an incident',
      access: 'read',
      query: z
        .strictObject({ incident: idSchema, unit: idSchema.optional(), person: idSchema.optional(), ...common })
        .refine((q) => (q.unit === undefined) !== (q.person === undefined), { message: 'name one unit or one person', path: ['unit'] }),
      response: FILE,
      handler: (ctx) =>
        run(ctx, {
          kind: 'ics-214',
          incident: ctx.query.incident,
          subject: ctx.query.unit !== undefined ? { kind: 'unit', id: ctx.query.unit } : { kind: 'person', id: ctx.query.person as string },
        }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/reports/ics-213rr',
      tag: 'review',
      summary: 'the ICS 213RR of one resource request: what was asked, the verdict and its clauses, approval, answer, units committed, history',
      access: 'read',
      query: z.strictObject({ request: idSchema, ...common }),
      response: FILE,
      handler: (ctx) => run(ctx, { kind: 'ics-213rr', request: ctx.query.request }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/reports/compliance',
      tag: 'review',
      summary:
        'the requests an agency received from one agency or a kind of agency over a period, with category, legal facts, verdict and clauses, decision, reason and units (a member reports on its own agency)',
      access: 'read',
      query: z
        .strictObject({
          to: idSchema.optional(),
          fromAgency: idSchema.optional(),
          fromKind: z.enum(AGENCY_KINDS, { message: `fromKind is one of ${AGENCY_KINDS.join(', ')}` }).optional(),
          from: timeSchema,
          until: timeSchema,
          ...common,
        })
        .refine((q) => (q.fromAgency === undefined) !== (q.fromKind === undefined), {
          message: 'name the senders: fromAgency or fromKind, one of the two',
          path: ['fromAgency'],
        })
        .refine((q) => Date.parse(q.from) < Date.parse(q.until), { message: 'the period must end after it begins', path: ['until'] }),
      response: FILE,
      handler: (ctx) => {
        const q = ctx.query;
        const to = q.to ?? (ctx.principal as Principal).agency;
        return run(ctx, {
          kind: 'compliance',
          query: {
            to,
            from: q.from,
            until: q.until,
            ...(q.fromAgency !== undefined ? { fromAgency: q.fromAgency } : {}),
            ...(q.fromKind !== undefined ? { fromKind: q.fromKind } : {}),
          },
        });
      },
    }),
  ];
}
