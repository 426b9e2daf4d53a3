/**
 * The facts a protocol is evaluated on, and their mapping to a Cedar request.
 * TypeScript uses camelCase; files (request files, protocol tests) and Cedar
 * use snake_case, as the manifest does. The input schemas below convert.
 */
import { z } from 'zod';
import type { AgencyRef, AuthorityFacts, LegalBasisFacts, OrderFacts, RequestFacts } from '../domain/facts.ts';
import {
  AGENCY_KINDS,
  AUTHORITY_KINDS,
  DIRECTIVES,
  INFORMATION_KINDS,
  OPERATION_KINDS,
  REQUEST_CATEGORIES,
  REQUEST_KINDS,
  URGENCIES,
  WARRANT_KINDS,
} from '../domain/vocabulary.ts';
import { ConcordError } from '../errors.ts';
import { ORDER_ACTION_GROUP, orderAction, REQUEST_ACTION } from './cedar-schema.ts';
import type { CedarRequest, Context, EntityJson, EntityUidJson } from './cedar-engine.ts';
import { nameSchema } from './manifest.ts';

export type { AgencyRef, AuthorityFacts, LegalBasisFacts, OrderFacts, RequestFacts };

/** the authority kinds an order can rest on */
export const ORDER_AUTHORITY_KINDS = AUTHORITY_KINDS.filter((k): k is AuthorityFacts['kind'] => k !== 'agency_administration' && k !== 'response_deadline');

const agencyRefInput = z.strictObject({ id: nameSchema, kind: z.enum(AGENCY_KINDS) });
const citation = z.string().min(1);

const legalBasisInput = z.strictObject({
  statute: citation.optional(),
  warrant: z.strictObject({ kind: z.enum(WARRANT_KINDS), reference: citation }).optional(),
  court_order: z.strictObject({ reference: citation }).optional(),
  consent: z.boolean().default(false),
});

/** The fields of a request in files (snake_case). */
export const requestFactsFields = z
  .strictObject({
    id: z.string().min(1),
    from: agencyRefInput,
    to: agencyRefInput,
    kind: z.enum(REQUEST_KINDS).default('units'),
    category: z.enum(REQUEST_CATEGORIES),
    urgency: z.enum(URGENCIES),
    operation: z.enum(OPERATION_KINDS),
    officer_in_danger: z.boolean(),
    description: z.string().default(''),
    /** for a request for units */
    requested_units: z.int().min(1).max(100_000).optional(),
    /** for an information request */
    information_kind: z.enum(INFORMATION_KINDS).optional(),
    personal_data: z.boolean().default(false),
    legal_basis: legalBasisInput.default({ consent: false }),
  })
  .check((ctx) => {
    const r = ctx.value;
    const issue = (path: string, message: string): void => {
      ctx.issues.push({ code: 'custom', input: r, path: [path], message });
    };
    if (r.kind === 'units' && r.requested_units === undefined) issue('requested_units', 'a request for units says how many (requested_units)');
    if (r.kind !== 'units' && r.requested_units !== undefined) issue('requested_units', `a request for ${r.kind} asks for no units`);
    if (r.kind === 'information' && r.information_kind === undefined)
      issue('information_kind', 'an information request says what it asks for (information_kind)');
    if (r.kind !== 'information' && r.information_kind !== undefined) issue('information_kind', `a request for ${r.kind} is not an information request`);
  });

export function toRequestFacts(r: z.output<typeof requestFactsFields>): RequestFacts {
  const b = r.legal_basis;
  return {
    requestId: r.id,
    from: r.from,
    to: r.to,
    kind: r.kind,
    category: r.category,
    urgency: r.urgency,
    operation: r.operation,
    officerInDanger: r.officer_in_danger,
    description: r.description,
    requestedUnits: r.requested_units ?? 0,
    ...(r.information_kind !== undefined ? { informationKind: r.information_kind } : {}),
    personalData: r.personal_data,
    legalBasis: {
      ...(b.statute !== undefined ? { statute: b.statute } : {}),
      ...(b.warrant !== undefined ? { warrant: b.warrant } : {}),
      ...(b.court_order !== undefined ? { courtOrder: b.court_order } : {}),
      consent: b.consent,
    },
  };
}

/** A request in files (snake_case), converted to RequestFacts. */
export const requestFactsInput = requestFactsFields.transform(toRequestFacts);

/** An order in files (snake_case), converted to OrderFacts. */
export const orderFactsInput = z
  .strictObject({
    id: z.string().min(1),
    issuer: z.strictObject({
      agency: agencyRefInput,
      authority: z.strictObject({ kind: z.enum(ORDER_AUTHORITY_KINDS), agency: agencyRefInput.optional(), position: nameSchema.optional() }),
    }),
    directive: z.enum(DIRECTIVES),
    task: z.enum(REQUEST_CATEGORIES).optional(),
    operation: z.enum(OPERATION_KINDS).optional(),
    units: z.array(z.strictObject({ id: z.string().min(1), home: agencyRefInput })).default([]),
    people: z.array(z.strictObject({ id: z.string().min(1), agency: agencyRefInput })).default([]),
    related_request: z
      .strictObject({
        id: z.string().min(1),
        from: agencyRefInput,
        category: z.enum(REQUEST_CATEGORIES),
        operation: z.enum(OPERATION_KINDS),
      })
      .optional(),
  })
  .check((ctx) => {
    if (ctx.value.units.length + ctx.value.people.length === 0) {
      ctx.issues.push({ code: 'custom', input: ctx.value, path: ['units'], message: 'an order has at least one unit or person' });
    }
  })
  .transform((o): OrderFacts => {
    const a = o.issuer.authority;
    return {
      orderId: o.id,
      issuer: {
        agency: o.issuer.agency,
        // the authority's agency is the issuer's unless the file says otherwise
        authority: { kind: a.kind, agency: a.agency ?? o.issuer.agency, ...(a.position !== undefined ? { position: a.position } : {}) },
      },
      directive: o.directive,
      ...(o.task !== undefined ? { task: o.task } : {}),
      operation: o.operation ?? o.related_request?.operation ?? 'unknown',
      units: o.units,
      people: o.people,
      ...(o.related_request
        ? {
            relatedRequest: {
              requestId: o.related_request.id,
              from: o.related_request.from,
              category: o.related_request.category,
              operation: o.related_request.operation,
            },
          }
        : {}),
    };
  });

const ref = (type: string, id: string): EntityUidJson => ({ type, id });
const agencyValue = (id: string): { __entity: { type: string; id: string } } => ({ __entity: { type: 'Agency', id } });

const CATEGORIES: ReadonlySet<string> = new Set(REQUEST_CATEGORIES);
const URGENCY_WORDS: ReadonlySet<string> = new Set(URGENCIES);
const OPERATIONS: ReadonlySet<string> = new Set(OPERATION_KINDS);
const DIRECTIVE_WORDS: ReadonlySet<string> = new Set(DIRECTIVES);
const KINDS: ReadonlySet<string> = new Set(AGENCY_KINDS);
const REQUEST_KIND_WORDS: ReadonlySet<string> = new Set(REQUEST_KINDS);
const INFORMATION_WORDS: ReadonlySet<string> = new Set(INFORMATION_KINDS);
const WARRANT_WORDS: ReadonlySet<string> = new Set(WARRANT_KINDS);
const AUTHORITY_WORDS: ReadonlySet<string> = new Set(ORDER_AUTHORITY_KINDS);

/** Cedar sees plain strings, so a word outside the vocabulary is stopped here. */
function word(set: ReadonlySet<string>, value: string, what: string): string {
  if (!set.has(value)) throw new ConcordError('BAD_INPUT', `unknown ${what}: "${value}"`);
  return value;
}

function legalBasisToCedar(b: LegalBasisFacts): Context {
  return {
    ...(b.statute !== undefined ? { statute: b.statute } : {}),
    ...(b.warrant !== undefined ? { warrant: { kind: word(WARRANT_WORDS, b.warrant.kind, 'warrant kind'), reference: b.warrant.reference } } : {}),
    ...(b.courtOrder !== undefined ? { court_order: { reference: b.courtOrder.reference } } : {}),
    consent: b.consent,
  };
}

export function requestToCedar(facts: RequestFacts): CedarRequest {
  checkCount(facts);
  const context: Context = {
    request_id: facts.requestId,
    request_kind: word(REQUEST_KIND_WORDS, facts.kind, 'request kind'),
    category: word(CATEGORIES, facts.category, 'request category'),
    urgency: word(URGENCY_WORDS, facts.urgency, 'urgency'),
    operation: word(OPERATIONS, facts.operation, 'operation kind'),
    officer_in_danger: facts.officerInDanger,
    description: facts.description,
    requested_units: facts.requestedUnits,
    ...(facts.informationKind !== undefined ? { information_kind: word(INFORMATION_WORDS, facts.informationKind, 'information kind') } : {}),
    personal_data: facts.personalData,
    legal_basis: legalBasisToCedar(facts.legalBasis),
  };
  return {
    principal: ref('Agency', facts.from.id),
    action: ref('Action', REQUEST_ACTION),
    resource: ref('Agency', facts.to.id),
    context,
    entities: agencyEntities([facts.from, facts.to]),
  };
}

/** `deciding` is the agency whose protocols apply (the Cedar resource). */
export function orderToCedar(facts: OrderFacts, deciding: AgencyRef): CedarRequest {
  const homes = uniqueById(facts.units.map((u) => u.home));
  const recipients = uniqueById([...homes, ...facts.people.map((p) => p.agency)]);
  const related = facts.relatedRequest;
  const authority = facts.issuer.authority;
  const context: Context = {
    order_id: facts.orderId,
    directive: word(DIRECTIVE_WORDS, facts.directive, 'directive'),
    authority: {
      kind: word(AUTHORITY_WORDS, authority.kind, 'authority kind'),
      agency: agencyValue(authority.agency.id),
      ...(authority.position !== undefined ? { position: authority.position } : {}),
    },
    ...(facts.task !== undefined ? { task: word(CATEGORIES, facts.task, 'task (request category)') } : {}),
    operation: word(OPERATIONS, facts.operation, 'operation kind'),
    unit_ids: [...new Set(facts.units.map((u) => u.id))].sort(),
    unit_home_agencies: homes.map((a) => agencyValue(a.id)),
    recipient_agencies: recipients.map((a) => agencyValue(a.id)),
    own_units_only: homes.every((a) => a.id === facts.issuer.agency.id),
    ...(related
      ? {
          related_request: {
            request_id: related.requestId,
            from: agencyValue(related.from.id),
            category: word(CATEGORIES, related.category, 'request category'),
            operation: word(OPERATIONS, related.operation, 'operation kind'),
          },
        }
      : {}),
  };
  return {
    principal: ref('Agency', facts.issuer.agency.id),
    action: ref('Action', orderAction(facts.directive)),
    resource: ref('Agency', deciding.id),
    context,
    entities: [
      ...agencyEntities([facts.issuer.agency, authority.agency, deciding, ...recipients, ...(related ? [related.from] : [])]),
      // without a schema at evaluation time, the engine learns the action's
      // group from the entity data
      { uid: ref('Action', orderAction(facts.directive)), attrs: {}, parents: [ref('Action', ORDER_ACTION_GROUP)] },
    ],
  };
}

/** The Agency entities the request mentions; one agency with two kinds is a contradiction in the facts. */
function agencyEntities(agencies: readonly AgencyRef[]): EntityJson[] {
  return uniqueById(agencies).map((a) => ({
    uid: ref('Agency', a.id),
    attrs: { kind: word(KINDS, a.kind, 'agency kind') },
    parents: [],
  }));
}

function uniqueById(agencies: readonly AgencyRef[]): AgencyRef[] {
  const seen = new Map<string, AgencyRef>();
  for (const a of agencies) {
    const prior = seen.get(a.id);
    if (prior && prior.kind !== a.kind) {
      throw new ConcordError('BAD_INPUT', `agency ${a.id} is given as both ${prior.kind} and ${a.kind}`);
    }
    seen.set(a.id, a);
  }
  return [...seen.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/** a request for units asks for at least one; any other asks for none */
function checkCount(facts: RequestFacts): void {
  const n = facts.requestedUnits;
  const least = facts.kind === 'units' ? 1 : 0;
  if (!Number.isSafeInteger(n) || n < least || (facts.kind !== 'units' && n !== 0)) {
    throw new ConcordError(
      'BAD_INPUT',
      `requested unit count of a request for ${facts.kind} must be ${facts.kind === 'units' ? 'a positive integer' : '0'}, got ${n}`,
    );
  }
}
