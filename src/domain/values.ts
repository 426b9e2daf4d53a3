/**
 * Value shapes shared by commands, events and the world: ids, times, actors,
 * authorities, verdicts. Each is a zod schema (the single source of truth for
 * the runtime check) with its TypeScript type derived from it.
 */
import { z } from 'zod';
import { ID_RE, MAX_ID_LENGTH } from '../ledger/entry.ts';
import {
  AGENCY_KINDS,
  DIRECTIVES,
  INFORMATION_KINDS,
  OPERATION_KINDS,
  REQUEST_CATEGORIES,
  REQUEST_KINDS,
  UNIT_STATUSES,
  URGENCIES,
  WARRANT_KINDS,
} from './vocabulary.ts';
import type { Verdict } from './verdict.ts';

/** Deep readonly view of the plain data zod infers. */
export type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

// the ledger's id rule (entry actor and incident fields), so a command the domain accepts is one the ledger stores
export const idSchema = z.string().max(MAX_ID_LENGTH).regex(ID_RE, 'must be an id: a letter or digit, then letters, digits, ".", "_", ":" or "-"');
/**
 * RFC 3339 in UTC ("Z"), any sub-second precision. zod checks the calendar
 * (days per month, leap years, hours 00-23, no second 60), where Date.parse
 * would read 2026-02-30 as March 2; test/domain/values.test.ts holds it to that.
 */
export const timeSchema = z.iso.datetime();
export const textSchema = z.string().max(10_000);

export const agencyKindSchema = z.enum(AGENCY_KINDS);
export const requestKindSchema = z.enum(REQUEST_KINDS);
export const categorySchema = z.enum(REQUEST_CATEGORIES);
export const urgencySchema = z.enum(URGENCIES);
export const operationSchema = z.enum(OPERATION_KINDS);
export const directiveSchema = z.enum(DIRECTIVES);
export const unitStatusSchema = z.enum(UNIT_STATUSES);

/**
 * A point on the WGS84 ellipsoid (EPSG:4326, what GPS receivers and AVL
 * feeds report), in decimal degrees: latitude north, longitude east.
 */
export const coordinatesSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type Coordinates = DeepReadonly<z.output<typeof coordinatesSchema>>;

/** positions one report (an AVL feed's batch) may carry; a bigger feed sends several */
export const MAX_POSITIONS_PER_REPORT = 1000;

/** one fix of a unit's position, with the time its source took it */
export const positionFixSchema = z.strictObject({
  unit: idSchema,
  ...coordinatesSchema.shape,
  /** the radius, in metres, within which the source puts the unit */
  accuracy: z.number().min(0).max(1_000_000).optional(),
  /** when the source (GPS receiver, vehicle modem) took the fix, by its own clock */
  observed: timeSchema,
});
export type PositionFix = DeepReadonly<z.output<typeof positionFixSchema>>;

/** the longest message text, in UTF-16 code units: a few paragraphs, as a chat or CAD remark */
export const MAX_MESSAGE_LENGTH = 4000;
/** recipients of one message, of each kind */
export const MAX_MESSAGE_RECIPIENTS = 100;

/** the one who did it; recorded in the ledger entry's actor field */
export const actorSchema = z.strictObject({
  agency: idSchema,
  person: idSchema.optional(),
  device: idSchema.optional(),
});
export interface Actor {
  readonly agency: string;
  readonly person?: string;
  readonly device?: string;
}

/**
 * What a decision rests on. A position the actor holds, a delegation of a
 * position's authority, an incident command role (operational direction on that
 * incident), a delegation of that role, the agency's own administration (the
 * agency acting as itself, above its top position: it registers the agency and
 * keeps its organisation), or — for automatic escalation only — the response
 * deadline that passed.
 */
export const authoritySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('position'), position: idSchema }),
  z.strictObject({ kind: z.literal('delegation'), delegation: idSchema, position: idSchema }),
  z.strictObject({ kind: z.literal('incident_commander'), incident: idSchema }),
  z.strictObject({ kind: z.literal('unified_command'), incident: idSchema, agency: idSchema }),
  z.strictObject({ kind: z.literal('incident_delegation'), delegation: idSchema, incident: idSchema }),
  z.strictObject({ kind: z.literal('agency_administration'), agency: idSchema }),
  z.strictObject({ kind: z.literal('response_deadline'), deadline: timeSchema }),
]);
export type Authority = DeepReadonly<z.output<typeof authoritySchema>>;

/** what a delegation hands over: a position's authority, or operational direction on an incident */
export const delegationScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('position'), position: idSchema }),
  z.strictObject({ kind: z.literal('incident_command'), incident: idSchema }),
]);
export type DelegationScope = DeepReadonly<z.output<typeof delegationScopeSchema>>;

export const verdictSchema = z.strictObject({
  decision: z.enum(['permitted', 'prohibited', 'needs_approval']),
  approvalRole: idSchema.optional(),
  clauses: z.array(z.strictObject({ id: z.string().min(1), cite: z.string().optional(), summary: z.string().optional() })),
  agency: idSchema,
  policyVersion: z.string().min(1),
  evaluatedAt: timeSchema,
  note: z.string().optional(),
});
// compile-time check that the schema and the shared Verdict type agree both ways
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const verdictSchemaAgrees: Same<DeepReadonly<z.output<typeof verdictSchema>>, Verdict> = true;
void verdictSchemaAgrees;

/** a reference, a statute or a name in a legal basis: something a lawyer can look up */
const citation = z.string().trim().min(1).max(1000);

/**
 * The legal basis a request rests on, as structured facts the protocols read
 * (never tags in free text): the statute invoked, a warrant (its kind and
 * reference), a court order, the consent of the person concerned.
 */
export const legalBasisSchema = z.strictObject({
  statute: citation.optional(),
  warrant: z.strictObject({ kind: z.enum(WARRANT_KINDS), reference: citation }).optional(),
  courtOrder: z.strictObject({ reference: citation }).optional(),
  consent: z.boolean().optional(),
});
export type LegalBasis = DeepReadonly<z.output<typeof legalBasisSchema>>;

/** what an information request asks for, and whether that includes personal data */
export const informationSchema = z.strictObject({
  kind: z.enum(INFORMATION_KINDS),
  personalData: z.boolean(),
});
export type InformationAsked = DeepReadonly<z.output<typeof informationSchema>>;

/** who a notification is for: an agency, and a person in it where one is known */
export const recipientSchema = z.strictObject({ agency: idSchema, person: idSchema.optional() });
export type Recipient = DeepReadonly<z.output<typeof recipientSchema>>;

/**
 * What a claim of a public statement says about the record, in a form
 * Concord can check (review/claims.ts): that an agency was, or was not, told
 * of an order or a request (by a moment); that a request's units were, or
 * were not, serving it at a moment. `asserted` is what the claim says.
 */
export const claimCheckSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('notified'),
    agency: idSchema,
    order: idSchema.optional(),
    request: idSchema.optional(),
    by: timeSchema.optional(),
    asserted: z.boolean(),
  }),
  z.strictObject({ kind: z.literal('supported'), request: idSchema, at: timeSchema, asserted: z.boolean() }),
]);
export type ClaimCheck = DeepReadonly<z.output<typeof claimCheckSchema>>;

/** an order is addressed to units and/or people */
export const orderRecipientSchema = z.strictObject({ kind: z.enum(['unit', 'person']), id: idSchema });
export type OrderRecipient = DeepReadonly<z.output<typeof orderRecipientSchema>>;

export function sameAuthority(a: Authority, b: Authority): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

export function describeAuthority(a: Authority): string {
  switch (a.kind) {
    case 'position':
      return `position ${a.position}`;
    case 'delegation':
      return `delegation ${a.delegation} of position ${a.position}`;
    case 'incident_commander':
      return `incident commander of ${a.incident}`;
    case 'unified_command':
      return `unified command member for ${a.agency} on ${a.incident}`;
    case 'incident_delegation':
      return `delegation ${a.delegation} of command on ${a.incident}`;
    case 'agency_administration':
      return `the administration of ${a.agency}`;
    case 'response_deadline':
      return `response deadline ${a.deadline}`;
  }
}

export function describeActor(actor: Actor): string {
  const who = actor.person ?? actor.device ?? 'administration';
  return `${who} (${actor.agency})`;
}
