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
  delegationScopeSchema,
  directiveSchema,
  idSchema,
  operationSchema,
  textSchema,
  timeSchema,
  urgencySchema,
  verdictSchema,
  type DeepReadonly,
} from './values.ts';

const reason = textSchema; // emptiness is checked by decide, which names the right error code
const ids = z.array(idSchema);
const authority = authoritySchema.optional();

function command<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.strictObject({ type: z.literal(type), actor: actorSchema, ...shape });
}

export const commandSchema = z.discriminatedUnion('type', [
  // organisation (an agency sets up its own organisation: actor.agency owns what it registers)
  command('agency.register', { agencyId: idSchema, name: textSchema, kind: agencyKindSchema, jurisdiction: textSchema }),
  command('position.establish', {
    positionId: idSchema.optional(),
    title: textSchema,
    reportsTo: idSchema.optional(),
    rank: z.number().int().optional(),
    handlesRequests: z.boolean().optional(),
  }),
  command('person.register', { personId: idSchema.optional(), name: textSchema }),
  command('person.appoint', {
    appointmentId: idSchema.optional(),
    personId: idSchema,
    positionId: idSchema,
    from: timeSchema.optional(),
  }),
  command('person.relieve', { personId: idSchema, positionId: idSchema, reason, until: timeSchema.optional() }),
  command('unit.register', {
    unitId: idSchema.optional(),
    /** the kind of unit ("patrol car", "bike team"); `type` is the command's own tag */
    unitType: textSchema,
    callsign: textSchema,
    members: ids.optional(),
    supervisor: idSchema.optional(),
  }),
  command('unit.update', {
    unitId: idSchema,
    unitType: textSchema.optional(),
    callsign: textSchema.optional(),
    members: ids.optional(),
    supervisor: idSchema.optional(),
  }),
  command('delegation.grant', {
    delegationId: idSchema.optional(),
    to: idSchema,
    scope: delegationScopeSchema,
    from: timeSchema.optional(),
    until: timeSchema.optional(),
    reason,
    authority,
  }),
  command('delegation.revoke', { delegationId: idSchema, reason }),

  // incidents
  command('incident.open', {
    incidentId: idSchema.optional(),
    name: textSchema,
    location: textSchema,
    description: textSchema.optional(),
  }),
  command('incident.update', {
    incidentId: idSchema,
    name: textSchema.optional(),
    location: textSchema.optional(),
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
  command('incident.designate_liaison', { incidentId: idSchema, personId: idSchema }),
  command('incident.assign_unit', { incidentId: idSchema, unitId: idSchema, reason: reason.optional(), authority }),
  command('incident.release_unit', { incidentId: idSchema, unitId: idSchema, reason, authority }),

  // assistance requests
  command('request.send', {
    requestId: idSchema.optional(),
    incidentId: idSchema,
    to: idSchema,
    category: categorySchema,
    urgency: urgencySchema,
    operation: operationSchema,
    description: textSchema,
    unitsRequested: z.number().int().min(1).max(10_000),
    location: textSchema.optional(),
    /** the receiving agency's position to address; defaults to its request desk */
    toPosition: idSchema.optional(),
  }),
  command('request.receive', { requestId: idSchema }),
  command('request.evaluate', { requestId: idSchema, verdict: verdictSchema }),
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
    /** the recipients' agency's protocols on this order, evaluated by the app (src/policy) */
    verdict: verdictSchema.optional(),
  }),
  command('order.acknowledge', { orderId: idSchema, unit: idSchema.optional(), person: idSchema.optional() }),
  command('conflict.resolve', { conflictId: idSchema, reason, authority }),

  // notifications
  command('notification.deliver', { notificationId: idSchema }),
  command('notification.acknowledge', { notificationId: idSchema }),
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
