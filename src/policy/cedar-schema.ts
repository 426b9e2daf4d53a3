/**
 * The Cedar schema every protocol set is validated against (strict mode), so a
 * misspelt attribute in a policy is a load error with a line number instead of
 * a rule that silently never matches. Words from the shared vocabulary
 * (categories, operations, ...) are Cedar Strings; vocabulary-lint.ts checks
 * that every literal a policy compares them with is a known word.
 *
 * Strings rather than Cedar enumerated entity types: the engine parses every
 * entity reference in a request with its full parser, which halved the
 * verdict rate; the schema is applied once, when a protocol set is loaded.
 *
 * Requests:  principal = requesting Agency, resource = receiving Agency,
 *            action = Action::"request_assistance".
 * Orders:    principal = issuer's Agency, resource = the deciding Agency,
 *            action = Action::"issue_order::<directive>", each a member of
 *            the group Action::"issue_order".
 */
import type { SchemaJson, TypeOfAttribute } from '@cedar-policy/cedar-wasm/nodejs';
import { DIRECTIVES, type Directive } from '../domain/vocabulary.ts';

export const REQUEST_ACTION = 'request_assistance';
export const ORDER_ACTION_GROUP = 'issue_order';

export function orderAction(directive: Directive): string {
  return `${ORDER_ACTION_GROUP}::${directive}`;
}

/**
 * The schema as people read it (docs/protocols.md shows the same). The engine
 * is given CEDAR_SCHEMA below, the same schema in Cedar's JSON form, because
 * converting the text costs Cedar a few hundred milliseconds at every load;
 * a test holds the two equal.
 */
export const CEDAR_SCHEMA_TEXT = `
entity Agency = { kind: String };

type Warrant = { kind: String, reference: String };

type CourtOrder = { reference: String };

type LegalBasis = {
  statute?: String,
  warrant?: Warrant,
  court_order?: CourtOrder,
  consent: Bool,
};

type OrderAuthority = {
  kind: String,
  agency: Agency,
  position?: String,
};

type RelatedRequest = {
  request_id: String,
  from: Agency,
  category: String,
  operation: String,
};

action ${REQUEST_ACTION} appliesTo {
  principal: Agency,
  resource: Agency,
  context: {
    request_id: String,
    request_kind: String,
    category: String,
    urgency: String,
    operation: String,
    officer_in_danger: Bool,
    description: String,
    requested_units: Long,
    information_kind?: String,
    personal_data: Bool,
    legal_basis: LegalBasis,
  },
};

action ${ORDER_ACTION_GROUP};

action
  ${DIRECTIVES.map((d) => JSON.stringify(orderAction(d))).join(',\n  ')}
  in [${ORDER_ACTION_GROUP}] appliesTo {
  principal: Agency,
  resource: Agency,
  context: {
    order_id: String,
    directive: String,
    authority: OrderAuthority,
    task?: String,
    operation: String,
    unit_ids: Set<String>,
    unit_home_agencies: Set<Agency>,
    recipient_agencies: Set<Agency>,
    own_units_only: Bool,
    related_request?: RelatedRequest,
  },
};
`;

type Attribute = TypeOfAttribute<string>;
const string: Attribute = { type: 'String' };
const bool: Attribute = { type: 'Boolean' };
const long: Attribute = { type: 'Long' };
const agency: Attribute = { type: 'Entity', name: 'Agency' };
const setOf = (element: Attribute): Attribute => ({ type: 'Set', element });
const optional = (a: Attribute): Attribute => ({ ...a, required: false });
const common = (name: string): Attribute => ({ type: name });
const record = (attributes: Record<string, Attribute>): { type: 'Record'; attributes: Record<string, Attribute> } => ({
  type: 'Record',
  attributes,
});
const appliesTo = (context: Record<string, Attribute>) => ({
  principalTypes: ['Agency'],
  resourceTypes: ['Agency'],
  context: record(context),
});

export const CEDAR_SCHEMA: SchemaJson<string> = {
  '': {
    commonTypes: {
      Warrant: record({ kind: string, reference: string }),
      CourtOrder: record({ reference: string }),
      LegalBasis: record({
        statute: optional(string),
        warrant: optional(common('Warrant')),
        court_order: optional(common('CourtOrder')),
        consent: bool,
      }),
      OrderAuthority: record({ kind: string, agency, position: optional(string) }),
      RelatedRequest: record({ request_id: string, from: agency, category: string, operation: string }),
    },
    entityTypes: {
      Agency: { shape: record({ kind: string }) },
    },
    actions: {
      [REQUEST_ACTION]: {
        appliesTo: appliesTo({
          request_id: string,
          request_kind: string,
          category: string,
          urgency: string,
          operation: string,
          officer_in_danger: bool,
          description: string,
          requested_units: long,
          information_kind: optional(string),
          personal_data: bool,
          legal_basis: common('LegalBasis'),
        }),
      },
      // the group: applies to no request itself
      [ORDER_ACTION_GROUP]: { appliesTo: { principalTypes: [], resourceTypes: [] } },
      ...Object.fromEntries(
        DIRECTIVES.map((d) => [
          orderAction(d),
          {
            memberOf: [{ type: 'Action', id: ORDER_ACTION_GROUP }],
            appliesTo: appliesTo({
              order_id: string,
              directive: string,
              authority: common('OrderAuthority'),
              task: optional(string),
              operation: string,
              unit_ids: setOf(string),
              unit_home_agencies: setOf(agency),
              recipient_agencies: setOf(agency),
              own_units_only: bool,
              related_request: optional(common('RelatedRequest')),
            }),
          },
        ]),
      ),
    },
  },
};
