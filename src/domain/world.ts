/**
 * The world: everything the domain knows, as plain data (records keyed by id,
 * arrays) so two worlds compare with assert.deepStrictEqual and print as JSON.
 * Built only by folding events (project.ts); never mutated once returned.
 * Times are the receive times of the events that set them.
 */
import type { AgencyKind, Directive, OperationKind, RequestCategory, RequestKind, UnitStatus, Urgency } from './vocabulary.ts';
import type { Verdict } from './verdict.ts';
import type { Actor, Authority, ClaimCheck, Coordinates, DelegationScope, InformationAsked, LegalBasis, OrderRecipient, Recipient } from './values.ts';

export interface Agency {
  readonly id: string;
  readonly name: string;
  readonly kind: AgencyKind;
  readonly jurisdiction: string;
  readonly registeredAt: string;
  /** seconds to acknowledge an urgent notification before it is re-sent up the chain; the default when unset (resends.ts) */
  readonly acknowledgeUrgentWithin?: number;
}

/** a post in an agency's standing chain of command */
export interface Position {
  readonly id: string;
  readonly agency: string;
  readonly title: string;
  /** the position above this one; absent at the top of the agency */
  readonly reportsTo?: string;
  readonly rank?: number;
  readonly handlesRequests?: boolean;
}

export interface Person {
  readonly id: string;
  readonly agency: string;
  readonly name: string;
}

/** a person holding a position over [from, until) */
export interface Appointment {
  readonly id: string;
  readonly person: string;
  readonly position: string;
  readonly from: string;
  readonly until?: string;
}

export interface UnitAssignment {
  readonly incident: string;
  readonly since: string;
  /** the request the unit came through, if any */
  readonly request?: string;
}

/** a unit's CAD status: since when (receive time), by whom, and the source's own time if it gave one */
export interface UnitStatusRecord {
  readonly status: UnitStatus;
  readonly since: string;
  readonly observed?: string;
  readonly by: Actor;
  readonly reason?: string;
  readonly authority?: Authority;
}

/** the latest fix of a unit's position: the newest by the source's time, whatever order fixes arrived in */
export interface UnitPosition extends Coordinates {
  readonly accuracy?: number;
  /** the source's time of the fix */
  readonly observed: string;
  /** the server's receive time of the report that carried it */
  readonly received: string;
  readonly by: Actor;
}

export interface Unit {
  readonly id: string;
  readonly agency: string;
  readonly type: string;
  readonly callsign: string;
  readonly members: readonly string[];
  readonly supervisor?: string;
  /** operational direction: the incident the unit is assigned to now */
  readonly assignment?: UnitAssignment;
  /** the request the unit is committed to now */
  readonly commitment?: string;
  /** the CAD status last set; absent until one is */
  readonly status?: UnitStatusRecord;
  readonly position?: UnitPosition;
}

export interface Delegation {
  readonly id: string;
  readonly grantor: string;
  readonly to: string;
  readonly scope: DelegationScope;
  readonly authority: Authority;
  /** when it was granted (its receive time); `from` may differ */
  readonly grantedAt: string;
  readonly from: string;
  readonly until?: string;
  readonly reason: string;
  readonly revoked?: { readonly at: string; readonly reason: string; readonly by: Actor };
}

export type CommandStructure =
  { readonly kind: 'single'; readonly commander: Required<Recipient> } | { readonly kind: 'unified'; readonly members: readonly Required<Recipient>[] };

export interface IncidentCommand {
  readonly structure: CommandStructure;
  readonly since: string;
  readonly reason: string;
  readonly by: Actor;
  readonly authority: Authority;
}

export interface Incident {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly coordinates?: Coordinates;
  readonly description?: string;
  readonly leadAgency: string;
  readonly status: 'open' | 'closed';
  readonly openedAt: string;
  readonly openedBy: Actor;
  readonly closed?: { readonly at: string; readonly reason: string; readonly by: Actor; readonly authority: Authority };
  readonly command?: IncidentCommand;
  /** earlier command structures, oldest first */
  readonly commandHistory: readonly IncidentCommand[];
  /** liaison officer (person id) per agency */
  readonly liaisons: Readonly<Record<string, string>>;
  /** participating agencies in the order they joined */
  readonly agencies: readonly string[];
}

export const REQUEST_STATES = [
  'sent',
  'received',
  'evaluated',
  'accepted',
  'partly_accepted',
  'declined',
  'provided',
  'partly_provided',
  'refused',
  'escalated',
  'units_committed',
  'on_scene',
  'withdrawn',
  'released',
  'closed',
  'cancelled',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** request states from which nothing more happens */
export const FINAL_STATES: readonly RequestState[] = ['closed', 'cancelled'];

/** one step of a request's history: every transition and decision, with who and on what authority */
export interface RequestStep {
  readonly action: string;
  readonly state: RequestState;
  readonly at: string;
  readonly index: number;
  readonly by: Actor;
  readonly authority?: Authority;
  readonly reason?: string;
}

export interface Commitment {
  readonly unit: string;
  readonly committedAt: string;
  readonly onSceneAt?: string;
  readonly ended?: { readonly kind: 'withdrawn' | 'released'; readonly at: string; readonly reason: string; readonly order?: string };
}

export interface Withdrawal {
  readonly units: readonly string[];
  readonly reason: string;
  readonly order?: string;
  readonly at: string;
  readonly by: Actor;
  readonly authority: Authority;
}

export interface Escalation {
  readonly from?: string;
  readonly to: string;
  readonly at: string;
  readonly reason: string;
  readonly by: Actor;
  readonly authority: Authority;
  readonly deadline: string;
}

export interface RequestAnswer {
  readonly kind: 'accepted' | 'partly_accepted' | 'declined' | 'provided' | 'partly_provided' | 'refused';
  readonly count?: number;
  readonly units?: readonly string[];
  /** for an information request: what was handed over, and what was held back */
  readonly provided?: string;
  readonly withheld?: string;
  readonly reason: string;
  readonly by: Actor;
  readonly authority: Authority;
  readonly at: string;
  readonly approval?: { readonly role: string; readonly authority: Authority };
}

export interface AssistanceRequest {
  readonly id: string;
  readonly incident: string;
  readonly from: string;
  readonly to: string;
  readonly requester?: string;
  readonly kind: RequestKind;
  readonly category: RequestCategory;
  readonly urgency: Urgency;
  readonly operation: OperationKind;
  readonly description: string;
  /** for a request for units */
  readonly unitsRequested?: number;
  /** for an information request */
  readonly information?: InformationAsked;
  readonly legalBasis?: LegalBasis;
  readonly location?: string;
  readonly coordinates?: Coordinates;
  readonly state: RequestState;
  readonly sentAt: string;
  /** the receiving agency's position answerable for the request now */
  readonly responsible?: string;
  /** when the request escalates if still unanswered; absent once answered */
  readonly deadline?: string;
  readonly responseSeconds: number;
  readonly verdict?: Verdict;
  readonly approval?: { readonly role: string; readonly reason: string; readonly by: Actor; readonly authority: Authority; readonly at: string };
  readonly answer?: RequestAnswer;
  readonly escalations: readonly Escalation[];
  readonly commitments: readonly Commitment[];
  readonly withdrawals: readonly Withdrawal[];
  readonly log: readonly RequestStep[];
}

export interface OrderAck {
  readonly recipient: OrderRecipient;
  readonly at: string;
  readonly by: Actor;
}

export interface Order {
  readonly id: string;
  readonly incident?: string;
  readonly issuer: Actor;
  readonly authority: Authority;
  readonly directive: Directive;
  readonly rationale: string;
  readonly target?: string;
  readonly details?: string;
  readonly units: readonly string[];
  readonly people: readonly string[];
  readonly issuedAt: string;
  readonly effectiveAt: string;
  readonly index: number;
  readonly supersedes: readonly string[];
  readonly status: 'active' | 'superseded';
  readonly supersededBy?: string;
  readonly acks: readonly OrderAck[];
  readonly task?: RequestCategory;
  readonly operation?: OperationKind;
  /** every concerned agency's verdict (issuer's agency first); empty when none had protocols in effect */
  readonly verdicts: readonly Verdict[];
  readonly approvals: readonly { readonly role: string; readonly authority: Authority }[];
}

export interface Conflict {
  readonly id: string;
  readonly incident?: string;
  readonly unit: string;
  readonly orders: readonly [string, string];
  readonly description: string;
  readonly detectedAt: string;
  readonly index: number;
  readonly status: 'open' | 'resolved';
  readonly resolution?: { readonly at: string; readonly reason: string; readonly by: Actor; readonly authority?: Authority };
}

/** what a notification tells its recipient: the event it is about and the records it concerns */
export interface NotificationContent {
  readonly topic: string;
  readonly incident?: string;
  readonly request?: string;
  readonly order?: string;
  readonly conflict?: string;
  readonly units?: readonly string[];
  readonly message: string;
  readonly reason?: string;
  readonly urgent: boolean;
}

export interface Notification extends NotificationContent {
  readonly id: string;
  readonly recipient: Recipient;
  /** the position of recipient.agency it is addressed to: for whoever holds it */
  readonly position?: string;
  /** the notification this one re-sends up the chain */
  readonly resends?: string;
  /** the notification that re-sent this one, unacknowledged, up the chain */
  readonly resentAs?: string;
  readonly status: 'created' | 'delivered' | 'acknowledged';
  readonly createdAt: string;
  readonly index: number;
  readonly createdBy: Actor;
  readonly deliveredAt?: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: Actor;
}

/** free text on an incident, from a person or device of an agency taking part, to agencies and people taking part */
export interface Message {
  readonly id: string;
  readonly incident: string;
  readonly from: Actor;
  readonly text: string;
  readonly agencies: readonly string[];
  readonly people: readonly string[];
  readonly sentAt: string;
  readonly index: number;
}

/** an entry of the ledger that bears on a claim, as someone linked it */
export interface ClaimLink {
  readonly entry: number;
  readonly relation: 'supports' | 'contradicts';
  readonly note?: string;
  readonly by: Actor;
  readonly at: string;
  readonly index: number;
}

/** one claim of a public statement */
export interface Claim {
  readonly id: string;
  readonly text: string;
  readonly check?: ClaimCheck;
  readonly by: Actor;
  readonly at: string;
  readonly index: number;
  readonly links: readonly ClaimLink[];
}

/** a public statement about an incident, recorded so that its claims can be held against the record */
export interface Statement {
  readonly id: string;
  readonly incident: string;
  readonly speaker: Recipient;
  readonly madeAt: string;
  readonly publishedIn: string;
  readonly text: string;
  readonly recordedBy: Actor;
  readonly recordedAt: string;
  readonly index: number;
  readonly claims: readonly Claim[];
}

export interface World {
  readonly agencies: Readonly<Record<string, Agency>>;
  readonly positions: Readonly<Record<string, Position>>;
  readonly people: Readonly<Record<string, Person>>;
  readonly appointments: Readonly<Record<string, Appointment>>;
  readonly units: Readonly<Record<string, Unit>>;
  readonly delegations: Readonly<Record<string, Delegation>>;
  readonly incidents: Readonly<Record<string, Incident>>;
  readonly requests: Readonly<Record<string, AssistanceRequest>>;
  readonly orders: Readonly<Record<string, Order>>;
  /**
   * each unit's standing orders, oldest first: active, and issued since the
   * unit's last change of assignment (an index kept by the projection, so
   * checking a new order for conflicts looks at these, not at every order
   * ever issued)
   */
  readonly unitOrders: Readonly<Record<string, readonly string[]>>;
  readonly conflicts: Readonly<Record<string, Conflict>>;
  readonly notifications: Readonly<Record<string, Notification>>;
  readonly messages: Readonly<Record<string, Message>>;
  readonly statements: Readonly<Record<string, Statement>>;
  /** ledger index of the last event folded in; -1 when none */
  readonly lastIndex: number;
  /** receive time of the last event folded in; null when none */
  readonly lastReceived: string | null;
}

export type Collection = {
  [K in keyof World]: World[K] extends Readonly<Record<string, infer _V>> ? (K extends 'lastReceived' ? never : K) : never;
}[keyof World];
export type EntityOf<K extends Collection> = World[K] extends Readonly<Record<string, infer V>> ? V : never;

/**
 * A collection of records by id, with no prototype: ids come from outside
 * ("constructor", "toString" are ids by the ledger's rule), and a lookup of
 * one that names nothing must find nothing, not Object.prototype's function.
 */
export function collection<V>(from?: Readonly<Record<string, V>>): Record<string, V> {
  return Object.assign(Object.create(null) as Record<string, V>, from);
}

const none = Object.freeze(collection<never>());

export const emptyWorld: World = Object.freeze({
  agencies: none,
  positions: none,
  people: none,
  appointments: none,
  units: none,
  delegations: none,
  incidents: none,
  requests: none,
  orders: none,
  unitOrders: none,
  conflicts: none,
  notifications: none,
  messages: none,
  statements: none,
  lastIndex: -1,
  lastReceived: null,
});
