/**
 * Commands: what a user (or the deadline clock) asks the domain to do. The
 * domain's `decide` turns an accepted command into events or refuses it with a
 * ConcordError. Ids are explicit where the user names things (scenario files
 * name their agencies, people, units, requests, orders); where a command leaves
 * an id out, decide takes one from DecideContext.newId.
 *
 * `authority` is optional on every decision: when given, decide checks the
 * actor holds it and that it covers the action; when left out, decide derives
 * the first authority the actor holds that covers it and records that.
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
  textSchema,
  timeSchema,
  unitStatusSchema,
  urgencySchema,
  type DeepReadonly,
} from './values.ts';
import { acknowledgeSecondsSchema, requestShapeIssue } from './events.ts';

const reason = textSchema; // emptiness is checked by decide, which names the right error code
const ids = z.array(idSchema);
const authority = authoritySchema.optional();

function command<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.strictObject({ type: z.literal(type), actor: actorSchema, ...shape });
}

export const commandSchema = z.discriminatedUnion('type', [
  // organisation (an agency sets up its own organisation: actor.agency owns what it registers)
  command('agency.register', { agencyId: idSchema, name: textSchema, kind: agencyKindSchema, jurisdiction: textSchema }),
  /** an agency's own settings (the actor's agency is the one configured) */
  command('agency.configure', { acknowledgeUrgentWithin: acknowledgeSecondsSchema, authority }),
  command('position.establish', {
    positionId: idSchema.optional(),
    title: textSchema,
    reportsTo: idSchema.optional(),
    rank: z.number().int().optional(),
    handlesRequests: z.boolean().optional(),
    authority,
  }),
  command('person.register', { personId: idSchema.optional(), name: textSchema, authority }),
  command('person.appoint', {
    appointmentId: idSchema.optional(),
    personId: idSchema,
    positionId: idSchema,
    from: timeSchema.optional(),
    authority,
  }),
  command('person.relieve', { personId: idSchema, positionId: idSchema, reason, until: timeSchema.optional(), authority }),
  command('unit.register', {
    unitId: idSchema.optional(),
    /** the kind of unit ("patrol car", "bike team"); `type` is the command's own tag */
    unitType: textSchema,
    callsign: textSchema,
    members: ids.optional(),
    supervisor: idSchema.optional(),
    authority,
  }),
  command('unit.update', {
    unitId: idSchema,
    unitType: textSchema.optional(),
    callsign: textSchema.optional(),
    members: ids.optional(),
    supervisor: idSchema.optional(),
    authority,
  }),
  /**
   * a unit's CAD status, set by the unit's own agency: its device, a member,
   * or a position commanding it (units.ts). On a unit committed to another
   * agency's request, a status off the request is a withdrawal and needs
   * the reason and authority one needs.
   */
  command('unit.set_status', {
    unitId: idSchema,
    status: unitStatusSchema,
    reason: reason.optional(),
    /** when the status changed by the source's clock (a terminal in the car), if it says */
    observed: timeSchema.optional(),
    authority,
  }),
  /** positions from an AVL feed or a device, for units of the actor's agency; recorded together or not at all */
  command('unit.report_positions', { positions: z.array(positionFixSchema).min(1).max(MAX_POSITIONS_PER_REPORT) }),
  command('delegation.grant', {
    delegationId: idSchema.optional(),
    to: idSchema,
    scope: delegationScopeSchema,
    from: timeSchema.optional(),
    until: timeSchema.optional(),
    reason,
    authority,
  }),
  command('delegation.revoke', { delegationId: idSchema, reason, authority }),

  // incidents
  command('incident.open', {
    incidentId: idSchema.optional(),
    name: textSchema,
    location: textSchema,
    /** where the incident is, as a point on the map, beside the address text */
    coordinates: coordinatesSchema.optional(),
    description: textSchema.optional(),
  }),
  command('incident.update', {
    incidentId: idSchema,
    name: textSchema.optional(),
    location: textSchema.optional(),
    coordinates: coordinatesSchema.optional(),
    description: textSchema.optional(),
  }),
  command('incident.close', { incidentId: idSchema, reason, authority }),
  command('incident.establish_command', {
    incidentId: idSchema,
    structure: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('single'), commander: idSchema }),
      z.strictObject({ kind: z.literal('unified'), members: ids }),
    ]),
    reason,
    authority,
  }),
  command('incident.designate_liaison', { incidentId: idSchema, personId: idSchema, authority }),
  command('incident.assign_unit', { incidentId: idSchema, unitId: idSchema, reason: reason.optional(), authority }),
  command('incident.release_unit', { incidentId: idSchema, unitId: idSchema, reason, authority }),

  // assistance requests
  command('request.send', {
    requestId: idSchema.optional(),
    incidentId: idSchema,
    to: idSchema,
    /** units (when left out), information, or other help */
    kind: requestKindSchema.optional(),
    category: categorySchema,
    urgency: urgencySchema,
    operation: operationSchema,
    description: textSchema,
    /** for a request for units: how many */
    unitsRequested: z.number().int().min(1).max(10_000).optional(),
    /** for an information request: what it asks for */
    information: informationSchema.optional(),
    /** the statute, warrant, court order or consent the request rests on */
    legalBasis: legalBasisSchema.optional(),
    location: textSchema.optional(),
    /** where the help is needed, as a point on the map */
    coordinates: coordinatesSchema.optional(),
    /** the receiving agency's position to address; defaults to its request desk */
    toPosition: idSchema.optional(),
  }).check((ctx) => {
    const issue = requestShapeIssue({ ...ctx.value, kind: ctx.value.kind ?? 'units' });
    if (issue !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, path: [issue.path], message: issue.message });
  }),
  command('request.receive', { requestId: idSchema }),
  /** evaluate the request now against the receiving agency's protocols in effect (the verdict is computed, never given) */
  command('request.evaluate', { requestId: idSchema }),
  command('request.approve', { requestId: idSchema, reason, authority }),
  command('request.accept', { requestId: idSchema, reason, authority }),
  command('request.accept_partly', {
    requestId: idSchema,
    count: z.number().int().min(1).max(10_000),
    units: ids.optional(),
    reason,
    authority,
  }),
  command('request.decline', { requestId: idSchema, reason, authority }),
  command('request.provide', { requestId: idSchema, provided: textSchema, reason, authority }),
  command('request.provide_partly', { requestId: idSchema, provided: textSchema, withheld: textSchema.optional(), reason, authority }),
  command('request.refuse', { requestId: idSchema, reason, authority }),
  command('request.escalate', {
    requestId: idSchema,
    reason,
    authority,
    /** set by dueEscalations: the escalation rests on the passed deadline, not on a person */
    automatic: z.boolean().optional(),
  }),
  command('request.commit', { requestId: idSchema, units: ids, reason: reason.optional(), authority }),
  command('request.report_on_scene', { requestId: idSchema, units: ids }),
  command('request.withdraw', {
    requestId: idSchema,
    /** default: every unit still committed */
    units: ids.optional(),
    reason,
    authority,
    /** the id of the withdrawal order this issues */
    orderId: idSchema.optional(),
  }),
  command('request.release', { requestId: idSchema, units: ids.optional(), reason, authority }),
  command('request.close', { requestId: idSchema, reason, authority }),
  command('request.cancel', { requestId: idSchema, reason, authority }),

  // orders
  command('order.issue', {
    orderId: idSchema.optional(),
    incidentId: idSchema.optional(),
    directive: directiveSchema,
    units: ids.optional(),
    people: ids.optional(),
    rationale: reason,
    target: textSchema.optional(),
    details: textSchema.optional(),
    effectiveAt: timeSchema.optional(),
    supersedes: ids.optional(),
    authority,
    /** what the order directs the units to do, in request-category words (protocols often turn on it) */
    task: categorySchema.optional(),
    /** the operation the order serves; default: that of the request the units serve */
    operation: operationSchema.optional(),
  }),
  command('order.acknowledge', { orderId: idSchema, unit: idSchema.optional(), person: idSchema.optional() }),
  /** a conflict is named by its id, or by the two orders it is between (every open conflict between them) */
  command('conflict.resolve', {
    conflictId: idSchema.optional(),
    orders: z.tuple([idSchema, idSchema]).optional(),
    reason,
    authority,
  }).check((ctx) => {
    if ((ctx.value.conflictId === undefined) === (ctx.value.orders === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: ['conflictId'],
        message: 'name the conflict: conflictId, or orders (the two orders it is between)',
      });
    }
  }),

  // messages
  /** free text on an incident to agencies and people taking part in it (at least one recipient) */
  command('message.send', {
    messageId: idSchema.optional(),
    incidentId: idSchema,
    text: z.string().max(MAX_MESSAGE_LENGTH),
    agencies: ids.max(MAX_MESSAGE_RECIPIENTS).optional(),
    people: ids.max(MAX_MESSAGE_RECIPIENTS).optional(),
  }),

  // notifications
  command('notification.deliver', { notificationId: idSchema }),
  command('notification.acknowledge', { notificationId: idSchema }),
  /** re-send an urgent notification nobody acknowledged in time one position up its recipient agency's chain (dueNotificationEscalations) */
  command('notification.resend', { notificationId: idSchema }),

  // statements and claims (statements.ts)
  /** record a public statement about an incident: who made it, when, where it was published, its text */
  command('statement.record', {
    statementId: idSchema.optional(),
    incidentId: idSchema,
    speaker: z.strictObject({ agency: idSchema, person: idSchema.optional() }),
    madeAt: timeSchema,
    publishedIn: z.string().max(1000),
    text: textSchema,
  }),
  /** one claim of a statement, in words, and (optionally) in a form Concord checks against the record */
  command('claim.record', { statementId: idSchema, claimId: idSchema.optional(), text: textSchema, check: claimCheckSchema.optional() }),
  /** an entry of the ledger that supports or contradicts a claim */
  command('claim.link', {
    statementId: idSchema,
    claimId: idSchema,
    entry: z.number().int().min(0),
    relation: z.enum(['supports', 'contradicts']),
    note: textSchema.optional(),
  }),
]);

export type Command = DeepReadonly<z.output<typeof commandSchema>>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/** validate a command from outside (API body, scenario step); throws BAD_INPUT naming the field */
export function parseCommand(input: unknown): Command {
  const r = commandSchema.safeParse(input);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const where = first === undefined || first.path.length === 0 ? '(root)' : first.path.join('.');
  throw new ConcordError('BAD_INPUT', `invalid command at ${where}: ${first?.message ?? 'invalid'}`, {
    issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}
