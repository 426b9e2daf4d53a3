/**
 * The review reads (docs/review.md): an incident's merged timeline, who
 * knew what when, the trace of an order or a request, and the statements
 * of an incident against the record. Each is a read: any logged-in caller,
 * answered within the agency boundaries (a member reads what its agency may
 * read; a reviewer reads everything), and what the caller may not read is
 * answered as if it did not exist. The queries are app/review.ts's; a
 * handler only parses and maps.
 */
import { z } from 'zod';
import type { ReviewService } from '../app/review.ts';
import { idSchema, timeSchema } from '../domain/values.ts';
import { ConcordError } from '../errors.ts';
import { DEFAULT_PAGE_SIZE, DEFAULT_SKEW_SECONDS, MAX_PAGE_SIZE } from '../review/timeline.ts';
import { callerOf, type Principal } from './principal.ts';
import { defineRoute, type AnyRoute } from './route.ts';

/** an entry index in decimal digits (-1: before the first), nothing coerced */
const afterSchema = z
  .string()
  .regex(/^(?:-1|0|[1-9][0-9]{0,15})$/, 'after is -1 or the index of an entry (the `next` of the previous page), in decimal digits')
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER));
const limitSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,3}$/, `limit is a number of entries from 1 to ${MAX_PAGE_SIZE}`)
  .transform(Number)
  .pipe(z.number().max(MAX_PAGE_SIZE, `limit is at most ${MAX_PAGE_SIZE}`));
const skewSchema = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,5})(?:\.[0-9]{1,3})?$/, 'skew is a number of seconds, like 5 or 2.5')
  .transform(Number)
  .pipe(z.number().max(7 * 24 * 3600, 'skew is at most 604800 seconds'));

const timelineQuery = z.strictObject({
  after: afterSchema.optional(),
  limit: limitSchema.optional(),
  agency: idSchema.optional(),
  /** comma-separated types or prefixes: request,notification.acknowledged */
  type: z
    .string()
    .regex(/^[a-z_.]+(?:,[a-z_.]+)*$/, 'type is a comma-separated list of entry types or prefixes, like request,notification.acknowledged')
    .optional(),
  unit: idSchema.optional(),
  person: idSchema.optional(),
  from: timeSchema.optional(),
  until: timeSchema.optional(),
  skew: skewSchema.optional(),
});

const knewQuery = z
  .strictObject({
    person: idSchema.optional(),
    unit: idSchema.optional(),
    agency: idSchema.optional(),
    at: timeSchema.optional(),
    from: timeSchema.optional(),
    until: timeSchema.optional(),
  })
  .check((ctx) => {
    const v = ctx.value;
    const named = [v.person, v.unit, v.agency].filter((x) => x !== undefined).length;
    if (named !== 1) ctx.issues.push({ code: 'custom', input: v, path: ['person'], message: 'name exactly one subject: person, unit or agency' });
    const moment = v.at !== undefined;
    const period = v.from !== undefined || v.until !== undefined;
    if (moment === period)
      ctx.issues.push({ code: 'custom', input: v, path: ['at'], message: 'ask about a moment (at) or a period (from and until), one of the two' });
    else if (period && (v.from === undefined || v.until === undefined))
      ctx.issues.push({ code: 'custom', input: v, path: [v.from === undefined ? 'from' : 'until'], message: 'a period needs both from and until' });
  });

export function reviewRoutes(review: ReviewService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/incidents/:incidentId/timeline',
      tag: 'review',
      summary: `the merged timeline of an incident: every entry you may read, by server time, with the source's claimed time and skew flagged beyond \`skew\` seconds (default ${DEFAULT_SKEW_SECONDS}); filters; pages of \`limit\` (default ${DEFAULT_PAGE_SIZE}) from \`after\``,
      access: 'read',
      params: z.strictObject({ incidentId: idSchema }),
      query: timelineQuery,
      response: { status: 200, description: 'one page: items, and `next` (the `after` of the next page) unless it is the last' },
      async handler({ params, query, principal }) {
        return review.timeline(callerOf(principal as Principal), params.incidentId, {
          ...(query.after !== undefined ? { after: query.after } : {}),
          ...(query.limit !== undefined ? { limit: query.limit } : {}),
          ...(query.agency !== undefined ? { agency: query.agency } : {}),
          ...(query.type !== undefined ? { types: query.type.split(',') } : {}),
          ...(query.unit !== undefined ? { unit: query.unit } : {}),
          ...(query.person !== undefined ? { person: query.person } : {}),
          ...(query.from !== undefined ? { from: query.from } : {}),
          ...(query.until !== undefined ? { until: query.until } : {}),
          ...(query.skew !== undefined ? { skewSeconds: query.skew } : {}),
        });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/review/knew',
      tag: 'review',
      summary:
        'who knew what when: for a person, unit or agency, the facts delivered and acknowledged by a moment (`at`) and those still undelivered or unacknowledged; or, for a period (`from`, `until`), the first moment each fact reached them',
      access: 'read',
      query: knewQuery,
      response: { status: 200, description: 'the facts, each with its state, times and the entry that recorded it' },
      async handler({ query, principal }) {
        const caller = callerOf(principal as Principal);
        const subject =
          query.person !== undefined
            ? ({ kind: 'person', id: query.person } as const)
            : query.unit !== undefined
              ? ({ kind: 'unit', id: query.unit } as const)
              : ({ kind: 'agency', id: query.agency as string } as const);
        if (query.at !== undefined) return review.knewAt(caller, subject, query.at);
        if (query.from === undefined || query.until === undefined)
          throw new ConcordError('BAD_INPUT', 'a period needs both from and until', { field: 'query.from' });
        if (Date.parse(query.from) > Date.parse(query.until))
          throw new ConcordError('BAD_INPUT', `query.from: ${query.from} is after until ${query.until}`, { field: 'query.from' });
        return review.knewDuring(caller, subject, query.from, query.until);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/orders/:orderId/trace',
      tag: 'review',
      summary:
        'the decision trace of an order: its issuer and the authority it rested on (through which appointment, delegation or command role), the verdicts and clauses, the rationale, what it superseded, what followed, who was notified and when each acknowledged',
      access: 'read',
      params: z.strictObject({ orderId: idSchema }),
      response: { status: 200, description: 'the trace' },
      async handler({ params, principal }) {
        return review.traceOrder(callerOf(principal as Principal), params.orderId);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/requests/:requestId/trace',
      tag: 'review',
      summary:
        'the decision trace of a request: its verdict and clauses, each decision with its actor, authority and reason, its commitments and withdrawals, who was notified and when each acknowledged',
      access: 'read',
      params: z.strictObject({ requestId: idSchema }),
      response: { status: 200, description: 'the trace' },
      async handler({ params, principal }) {
        return review.traceRequest(callerOf(principal as Principal), params.requestId);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/incidents/:incidentId/statements',
      tag: 'review',
      summary:
        'the public statements about an incident, each claim beside the record: its check against the record, and the entries linked as supporting or contradicting it',
      access: 'read',
      params: z.strictObject({ incidentId: idSchema }),
      response: { status: 200, description: 'the statements' },
      async handler({ params, principal }) {
        return { statements: await review.statements(callerOf(principal as Principal), params.incidentId) };
      },
    }),
  ];
}
