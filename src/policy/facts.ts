/**
 * The facts a protocol is evaluated on, and their mapping to a Cedar request.
 * TypeScript uses camelCase; files (request files, protocol tests) and Cedar
 * use snake_case, as the manifest does. The input schemas below convert.
 */
import { z } from 'zod';
import {
  AGENCY_KINDS,
  DIRECTIVES,
  OPERATION_KINDS,
  REQUEST_CATEGORIES,
  URGENCIES,
  type AgencyKind,
  type Directive,
  type OperationKind,
  type RequestCategory,
  type Urgency,
} from '../domain/vocabulary.ts';
import { ConcordError } from '../errors.ts';
import { ORDER_ACTION_GROUP, orderAction, REQUEST_ACTION } from './cedar-schema.ts';
import type { CedarRequest, Context, EntityJson, EntityUidJson } from './cedar-engine.ts';
import { nameSchema } from './manifest.ts';

export interface AgencyRef {
  readonly id: string;
  readonly kind: AgencyKind;
}

/** An assistance request, as the receiving agency's protocols see it. */
export interface RequestFacts {
  readonly requestId: string;
  /** the requesting agency (Cedar principal) */
  readonly from: AgencyRef;
  /** the receiving agency, whose protocols decide (Cedar resource) */
  readonly to: AgencyRef;
  readonly category: RequestCategory;
  readonly urgency: Urgency;
  /** the operation the requesting agency is conducting */
  readonly operation: OperationKind;
  /** the requester reports an officer in immediate danger */
  readonly officerInDanger: boolean;
  readonly description: string;
  readonly requestedUnits: number;
}

/** An order, as the deciding agency's protocols see it. */
export interface OrderFacts {
  readonly orderId: string;
  readonly issuer: { readonly agency: AgencyRef; readonly position: string };
  readonly directive: Directive;
  readonly units: readonly { readonly id: string; readonly home: AgencyRef }[];
  /** the request the target units serve, if any */
  readonly relatedRequest?: {
    readonly requestId: string;
    /** the agency that asked for the units */
    readonly from: AgencyRef;
    readonly category: RequestCategory;
    readonly operation: OperationKind;
  };
}

const agencyRefInput = z.strictObject({ id: nameSchema, kind: z.enum(AGENCY_KINDS) });

/** The fields of a request in files (snake_case). */
export const requestFactsFields = z.strictObject({
  id: z.string().min(1),
  from: agencyRefInput,
  to: agencyRefInput,
  category: z.enum(REQUEST_CATEGORIES),
  urgency: z.enum(URGENCIES),
  operation: z.enum(OPERATION_KINDS),
  officer_in_danger: z.boolean(),
  description: z.string().default(''),
  requested_units: z.int().min(1).max(100_000),
});

export function toRequestFacts(r: z.output<typeof requestFactsFields>): RequestFacts {
  return {
    requestId: r.id,
    from: r.from,
    to: r.to,
    category: r.category,
    urgency: r.urgency,
    operation: r.operation,
    officerInDanger: r.officer_in_danger,
    description: r.description,
    requestedUnits: r.requested_units,
  };
}

/** A request in files (snake_case), converted to RequestFacts. */
export const requestFactsInput = requestFactsFields.transform(toRequestFacts);

/** An order in files (snake_case), converted to OrderFacts. */
export const orderFactsInput = z
  .strictObject({
    id: z.string().min(1),
    issuer: z.strictObject({ agency: agencyRefInput, position: nameSchema }),
    directive: z.enum(DIRECTIVES),
    units: z.array(z.strictObject({ id: z.string().min(1), home: agencyRefInput })).min(1),
    related_request: z
      .strictObject({
        id: z.string().min(1),
        from: agencyRefInput,
        category: z.enum(REQUEST_CATEGORIES),
        operation: z.enum(OPERATION_KINDS),
      })
      .optional(),
  })
  .transform(
    (o): OrderFacts => ({
      orderId: o.id,
      issuer: o.issuer,
      directive: o.directive,
      units: o.units,
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
    }),
  );

const ref = (type: string, id: string): EntityUidJson => ({ type, id });
const agencyValue = (id: string): { __entity: { type: string; id: string } } => ({ __entity: { type: 'Agency', id } });

const CATEGORIES: ReadonlySet<string> = new Set(REQUEST_CATEGORIES);
const URGENCY_WORDS: ReadonlySet<string> = new Set(URGENCIES);
const OPERATIONS: ReadonlySet<string> = new Set(OPERATION_KINDS);
const DIRECTIVE_WORDS: ReadonlySet<string> = new Set(DIRECTIVES);
const KINDS: ReadonlySet<string> = new Set(AGENCY_KINDS);

/** Cedar sees plain strings, so a word outside the vocabulary is stopped here. */
function word(set: ReadonlySet<string>, value: string, what: string): string {
  if (!set.has(value)) throw new ConcordError('BAD_INPUT', `unknown ${what}: "${value}"`);
  return value;
}

export function requestToCedar(facts: RequestFacts): CedarRequest {
  checkCount(facts.requestedUnits);
  const context: Context = {
    request_id: facts.requestId,
    category: word(CATEGORIES, facts.category, 'request category'),
    urgency: word(URGENCY_WORDS, facts.urgency, 'urgency'),
    operation: word(OPERATIONS, facts.operation, 'operation kind'),
    officer_in_danger: facts.officerInDanger,
    description: facts.description,
    requested_units: facts.requestedUnits,
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
  const related = facts.relatedRequest;
  const context: Context = {
    order_id: facts.orderId,
    directive: word(DIRECTIVE_WORDS, facts.directive, 'directive'),
    issuer_position: facts.issuer.position,
    unit_ids: [...new Set(facts.units.map((u) => u.id))].sort(),
    unit_home_agencies: homes.map((a) => agencyValue(a.id)),
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
      ...agencyEntities([facts.issuer.agency, deciding, ...homes, ...(related ? [related.from] : [])]),
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

function checkCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ConcordError('BAD_INPUT', `requested unit count must be a positive integer, got ${n}`);
  }
}
