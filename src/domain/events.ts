/**
 * Domain events: the facts Concord records, one ledger entry each. Plain JSON
 * data (no undefined, no Date; times are RFC 3339 UTC strings). Types are
 * `<noun>.<past-verb>`; the zod schemas below are the single source of truth
 * for both the TypeScript types and the check applied when an event is read
 * back from the ledger.
 *
 * The time of an event is not in its body: it is the ledger's receive time
 * (EventMeta.received). Bodies carry a time only when the user states one
 * that differs from it (an appointment that began last year, an order
 * effective in ten minutes).
 */
import { z } from 'zod';
import { ConcordError } from '../errors.ts';
import {
  actorSchema,
  agencyKindSchema,
  authoritySchema,
  categorySchema,
  claimCheckSchema,
  coordinatesSchema,
  delegationScopeSchema,
  directiveSchema,
  idSchema,
  informationSchema,
  legalBasisSchema,
  MAX_MESSAGE_LENGTH,
  MAX_MESSAGE_RECIPIENTS,
  MAX_POSITIONS_PER_REPORT,
  operationSchema,
  positionFixSchema,
  requestKindSchema,
  orderRecipientSchema,
  recipientSchema,
  textSchema,
  timeSchema,
  unitStatusSchema,
  urgencySchema,
  verdictSchema,
  type Actor,
  type DeepReadonly,
} from './values.ts';

/** ledger index and the server receive time — the authoritative time of the event */
export interface EventMeta {
  readonly index: number;
  readonly received: string;
}

const reason = z.string().trim().min(1).max(10_000);
const ids = z.array(idSchema);
const count = z.number().int().min(1).max(10_000);
/** seconds the receiving side has to answer before the request escalates */
const responseSeconds = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 3600);

/**
 * seconds an agency gives its people to acknowledge an urgent notification
 * before it is re-sent one position up its chain (resends.ts)
 */
export const acknowledgeSecondsSchema = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 3600);

const approvalSchema = z.strictObject({ role: idSchema, authority: authoritySchema });

/**
 * A request's shape follows its kind: a request for units says how many, an
 * information request what it asks for; neither carries the other's field.
 * Shared by the command and the event, so the rule is written once.
 */
export function requestShapeIssue(r: {
  readonly kind: string;
  readonly unitsRequested?: number | undefined;
  readonly information?: unknown;
}): { path: string; message: string } | undefined {
  if (r.kind === 'units' && r.unitsRequested === undefined) return { path: 'unitsRequested', message: 'a request for units says how many (unitsRequested)' };
  if (r.kind !== 'units' && r.unitsRequested !== undefined) return { path: 'unitsRequested', message: `a request for ${r.kind} asks for no units` };
  if (r.kind === 'information' && r.information === undefined)
    return { path: 'information', message: 'an information request says what it asks for (information: { kind, personalData })' };
  if (r.kind !== 'information' && r.information !== undefined) return { path: 'information', message: `a request for ${r.kind} is not an information request` };
  return undefined;
}

/** event type → body schema */
export const EVENT_BODIES = {
  // organisation
  'agency.registered': z.strictObject({
    agency: idSchema,
    name: textSchema,
    kind: agencyKindSchema,
    jurisdiction: textSchema,
  }),
  /** an agency's own settings, set by its administration or a holder of its top position */
  'agency.configured': z.strictObject({
    agency: idSchema,
    acknowledgeUrgentWithin: acknowledgeSecondsSchema,
    authority: authoritySchema,
  }),
  'position.established': z.strictObject({
    position: idSchema,
    agency: idSchema,
    title: textSchema,
    reportsTo: idSchema.optional(),
    rank: z.number().int().optional(),
    /** the desk that receives assistance requests addressed to the agency */
    handlesRequests: z.boolean().optional(),
    authority: authoritySchema,
  }),
  'person.registered': z.strictObject({ person: idSchema, agency: idSchema, name: textSchema, authority: authoritySchema }),
  'person.appointed': z.strictObject({
    appointment: idSchema,
    person: idSchema,
    position: idSchema,
    /** when the appointment began, if not at the event's receive time */
    from: timeSchema.optional(),
    authority: authoritySchema,
  }),
  'person.relieved': z.strictObject({ appointment: idSchema, reason, until: timeSchema.optional(), authority: authoritySchema }),
  'unit.registered': z.strictObject({
    unit: idSchema,
    agency: idSchema,
    type: textSchema,
    callsign: textSchema,
    members: ids,
    /** the position that supervises the unit; everything at or above it in the chain commands the unit */
    supervisor: idSchema.optional(),
    authority: authoritySchema,
  }),
  'unit.updated': z.strictObject({
    unit: idSchema,
    type: textSchema.optional(),
    callsign: textSchema.optional(),
    members: ids.optional(),
    supervisor: idSchema.optional(),
    authority: authoritySchema,
  }),
  'unit.status_changed': z.strictObject({
    unit: idSchema,
    status: unitStatusSchema,
    reason: reason.optional(),
    /** the source's own time of the change, when it gave one (the receive time is the entry's) */
    observed: timeSchema.optional(),
    /** the position it rests on, when a person of the unit's chain set it (not a member or a device) */
    authority: authoritySchema.optional(),
  }),
  /** one AVL batch: each fix keeps its source's time beside the entry's receive time */
  'unit.positions_reported': z.strictObject({ positions: z.array(positionFixSchema).min(1).max(MAX_POSITIONS_PER_REPORT) }),
  'delegation.granted': z.strictObject({
    delegation: idSchema,
    to: idSchema,
    scope: delegationScopeSchema,
    from: timeSchema.optional(),
    until: timeSchema.optional(),
    reason,
    authority: authoritySchema,
  }),
  'delegation.revoked': z.strictObject({
    delegation: idSchema,
    reason,
    /** absent when the grantor revokes their own delegation */
    authority: authoritySchema.optional(),
  }),

  // incidents
  'incident.opened': z.strictObject({
    name: textSchema,
    location: textSchema,
    coordinates: coordinatesSchema.optional(),
    leadAgency: idSchema,
    description: textSchema.optional(),
  }),
  'incident.updated': z.strictObject({
    name: textSchema.optional(),
    location: textSchema.optional(),
    coordinates: coordinatesSchema.optional(),
    description: textSchema.optional(),
  }),
  'incident.closed': z.strictObject({ reason, authority: authoritySchema }),
  'incident.command_established': z.strictObject({
    structure: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('single'), commander: recipientSchema.required() }),
      z.strictObject({ kind: z.literal('unified'), members: z.array(recipientSchema.required()).min(2) }),
    ]),
    reason,
    authority: authoritySchema,
  }),
  'incident.liaison_designated': z.strictObject({ agency: idSchema, person: idSchema, authority: authoritySchema }),
  'incident.unit_assigned': z.strictObject({
    unit: idSchema,
    /** the request the unit was committed to, when it came through one */
    request: idSchema.optional(),
    authority: authoritySchema,
    reason: reason.optional(),
  }),
  'incident.unit_released': z.strictObject({
    unit: idSchema,
    reason,
    authority: authoritySchema,
    /** the recall or withdrawal order, when the home agency pulled the unit */
    order: idSchema.optional(),
  }),

  // assistance requests
  'request.sent': z
    .strictObject({
      request: idSchema,
      from: idSchema,
      to: idSchema,
      requester: idSchema.optional(),
      kind: requestKindSchema,
      category: categorySchema,
      urgency: urgencySchema,
      operation: operationSchema,
      description: textSchema,
      /** for a request for units: how many */
      unitsRequested: count.optional(),
      /** for an information request: what it asks for */
      information: informationSchema.optional(),
      legalBasis: legalBasisSchema.optional(),
      location: textSchema.optional(),
      coordinates: coordinatesSchema.optional(),
      /** the receiving agency's position first responsible for answering */
      responsible: idSchema.optional(),
      responseSeconds,
    })
    .check((ctx) => {
      const issue = requestShapeIssue(ctx.value);
      if (issue !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, path: [issue.path], message: issue.message });
    }),
  'request.received': z.strictObject({ request: idSchema }),
  'request.evaluated': z.strictObject({ request: idSchema, verdict: verdictSchema }),
  'request.approved': z.strictObject({ request: idSchema, role: idSchema, reason, authority: authoritySchema }),
  'request.accepted': z.strictObject({
    request: idSchema,
    reason,
    authority: authoritySchema,
    approval: approvalSchema.optional(),
  }),
  'request.partly_accepted': z.strictObject({
    request: idSchema,
    /** how many units the receiving agency agreed to send */
    count,
    units: ids.optional(),
    reason,
    authority: authoritySchema,
    approval: approvalSchema.optional(),
  }),
  'request.declined': z.strictObject({ request: idSchema, reason, authority: authoritySchema }),
  'request.provided': z.strictObject({
    request: idSchema,
    /** what was handed over, in words */
    provided: textSchema,
    reason,
    authority: authoritySchema,
    approval: approvalSchema.optional(),
  }),
  'request.partly_provided': z.strictObject({
    request: idSchema,
    provided: textSchema,
    /** what was held back, in words */
    withheld: textSchema.optional(),
    reason,
    authority: authoritySchema,
    approval: approvalSchema.optional(),
  }),
  'request.refused': z.strictObject({ request: idSchema, reason, authority: authoritySchema }),
  'request.escalated': z.strictObject({
    request: idSchema,
    from: idSchema.optional(),
    to: idSchema,
    reason,
    authority: authoritySchema,
    responseSeconds,
  }),
  'request.units_committed': z.strictObject({
    request: idSchema,
    units: ids.min(1),
    authority: authoritySchema,
    reason: reason.optional(),
  }),
  'request.units_on_scene': z.strictObject({ request: idSchema, units: ids.min(1) }),
  'request.units_withdrawn': z.strictObject({
    request: idSchema,
    units: ids.min(1),
    reason,
    authority: authoritySchema,
    order: idSchema.optional(),
  }),
  'request.units_released': z.strictObject({
    request: idSchema,
    units: ids.min(1),
    reason,
    authority: authoritySchema,
  }),
  'request.closed': z.strictObject({ request: idSchema, reason, authority: authoritySchema }),
  'request.cancelled': z.strictObject({ request: idSchema, reason, authority: authoritySchema }),

  // orders
  'order.issued': z.strictObject({
    order: idSchema,
    authority: authoritySchema,
    directive: directiveSchema,
    rationale: reason,
    units: ids,
    people: ids,
    /** where or what: the location for move, the task for assign */
    target: textSchema.optional(),
    details: textSchema.optional(),
    effectiveAt: timeSchema.optional(),
    supersedes: ids,
    /** what the order directs the units to do, in request-category words */
    task: categorySchema.optional(),
    /** the operation the order serves, as the issuer stated it */
    operation: operationSchema.optional(),
    /**
     * the verdict of every agency concerned whose protocols were in effect:
     * the issuer's agency first, then each agency whose units or people
     * receive the order
     */
    verdicts: z.array(verdictSchema),
    /** for each needs_approval verdict: the issuer's authority that satisfies its approval role */
    approvals: z.array(approvalSchema),
  }),
  'order.acknowledged': z.strictObject({ order: idSchema, recipient: orderRecipientSchema }),
  'order.conflict_detected': z.strictObject({
    conflict: idSchema,
    unit: idSchema,
    orders: z.tuple([idSchema, idSchema]),
    description: textSchema,
  }),
  'conflict.resolved': z.strictObject({ conflict: idSchema, reason, authority: authoritySchema }),

  // messages
  'message.sent': z.strictObject({
    message: idSchema,
    text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH),
    /** recipients: agencies (their desks) and people, each taking part in the incident */
    agencies: ids.max(MAX_MESSAGE_RECIPIENTS),
    people: ids.max(MAX_MESSAGE_RECIPIENTS),
  }),

  // notifications
  'notification.created': z.strictObject({
    notification: idSchema,
    recipient: recipientSchema,
    /** the event type that caused it */
    topic: z.string().min(1),
    request: idSchema.optional(),
    order: idSchema.optional(),
    conflict: idSchema.optional(),
    units: ids.optional(),
    message: textSchema,
    reason: reason.optional(),
    urgent: z.boolean(),
    /**
     * the position the notice is addressed to (recipient.agency's): whoever
     * holds it when they read it may acknowledge it
     */
    position: idSchema.optional(),
    /** the notification this one re-sends up the chain, unacknowledged past its deadline */
    resends: idSchema.optional(),
  }),
  'notification.delivered': z.strictObject({ notification: idSchema }),
  'notification.acknowledged': z.strictObject({ notification: idSchema }),

  // public statements about an incident, their claims, and the entries that bear on each claim (statements.ts)
  'statement.recorded': z.strictObject({
    statement: idSchema,
    /** who made the statement: an agency, and its spokesperson where one is named */
    speaker: recipientSchema,
    /** when it was made, as published */
    madeAt: timeSchema,
    /** where it was published: a press release, a briefing, a post */
    publishedIn: z.string().trim().min(1).max(1000),
    text: reason,
  }),
  'claim.recorded': z.strictObject({
    statement: idSchema,
    claim: idSchema,
    text: reason,
    check: claimCheckSchema.optional(),
  }),
  'claim.linked': z.strictObject({
    statement: idSchema,
    claim: idSchema,
    /** the ledger index of the entry that bears on the claim */
    entry: z.number().int().min(0),
    relation: z.enum(['supports', 'contradicts']),
    note: textSchema.optional(),
  }),
} as const;

type Bodies = typeof EVENT_BODIES;
export type EventType = keyof Bodies;
export const EVENT_TYPES = Object.keys(EVENT_BODIES) as EventType[];

export type EventBody<T extends EventType> = DeepReadonly<z.output<Bodies[T]>>;

/** one event; discriminated on `type` */
export type DomainEvent = {
  [T in EventType]: {
    readonly type: T;
    readonly actor: Actor;
    /** the incident the event belongs to, when it belongs to one */
    readonly incident?: string;
    readonly body: EventBody<T>;
  };
}[EventType];

export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** build an event; `incident` is left out when undefined so the event stays plain JSON */
export function makeEvent<T extends EventType>(type: T, actor: Actor, incident: string | undefined, body: EventBody<T>): EventOf<T> {
  const event = incident === undefined ? { type, actor, body } : { type, actor, incident, body };
  return event as unknown as EventOf<T>;
}

function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_BODIES, type);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** validate an event read back from the ledger; anything malformed means the stored data is corrupt */
export function parseDomainEvent(type: string, actor: unknown, incident: unknown, body: unknown): DomainEvent {
  if (!isEventType(type)) throw new ConcordError('LEDGER_CORRUPT', `unknown domain event type "${type}"`);
  const a = actorSchema.safeParse(actor);
  if (!a.success) throw new ConcordError('LEDGER_CORRUPT', `${type}: bad actor: ${describeIssues(a.error)}`);
  if (incident !== undefined && incident !== null && !idSchema.safeParse(incident).success) {
    throw new ConcordError('LEDGER_CORRUPT', `${type}: bad incident id`);
  }
  const b = EVENT_BODIES[type].safeParse(body);
  if (!b.success) throw new ConcordError('LEDGER_CORRUPT', `${type}: bad body: ${describeIssues(b.error)}`);
  const inc = typeof incident === 'string' ? incident : undefined;
  return makeEvent(type, a.data, inc, b.data as EventBody<typeof type>);
}
