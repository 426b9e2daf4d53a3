/**
 * The shapes the console reads from the server (GET /v1/incidents/:id and
 * friends, see /openapi.json), as far as the console uses them. They are
 * written here rather than imported from src/: the console knows the server
 * only through its HTTP answers.
 */

export interface Session {
  readonly kind: 'session';
  readonly agency: string;
  readonly person?: string;
  readonly login: string;
  readonly reviewer: boolean;
  readonly scope: 'read' | 'write';
  readonly csrfToken: string;
  /** the positions the person holds now, each with the positions and units it commands */
  readonly positions?: readonly HeldPosition[];
  /** every authority the person may rest a decision on now */
  readonly authorities?: readonly Authority[];
}

export interface HeldPosition {
  readonly id: string;
  readonly title: string;
  readonly agency: string;
  readonly reportsTo?: string;
  readonly positions: readonly string[];
  readonly units: readonly string[];
}

/** POST /v1/preview: what a command would do, decided as it would be and recorded nowhere */
export interface Preview {
  readonly type: string;
  readonly allowed: boolean;
  readonly refusal?: { readonly code: string; readonly status: number; readonly detail: string; readonly field?: string };
  readonly verdicts: readonly Verdict[];
  readonly events: readonly { readonly type: string }[];
  readonly notified: readonly { readonly agency: string; readonly person?: string; readonly urgent: boolean }[];
}

export interface PersonRef {
  readonly id: string;
  readonly name?: string;
  readonly agency: string;
}

export interface ActorRef {
  readonly agency: string;
  readonly person?: string;
  readonly device?: string;
  readonly name?: string;
}

export type Authority =
  | { readonly kind: 'position'; readonly position: string }
  | { readonly kind: 'delegation'; readonly delegation: string; readonly position: string }
  | { readonly kind: 'incident_commander'; readonly incident: string }
  | { readonly kind: 'unified_command'; readonly incident: string; readonly agency: string }
  | { readonly kind: string; readonly [k: string]: unknown };

export interface Clause {
  readonly id: string;
  readonly cite?: string;
  readonly summary?: string;
}

export interface Verdict {
  readonly decision: string;
  readonly approvalRole?: string;
  readonly clauses: readonly Clause[];
  readonly agency: string;
  readonly policyVersion: string;
  readonly evaluatedAt: string;
}

export interface Incident {
  readonly id: string;
  readonly name: string;
  readonly location?: string;
  readonly description?: string;
  readonly leadAgency: string;
  readonly status: string;
  readonly openedAt: string;
  readonly agencies: readonly string[];
}

export interface RequestLogItem {
  readonly action: string;
  readonly state: string;
  readonly at: string;
  readonly index: number;
  readonly by: ActorRef;
  readonly authority?: Authority;
  readonly reason?: string;
}

export interface CommittedUnit {
  readonly unit: string;
  readonly callsign?: string;
  readonly committedAt: string;
  readonly onSceneAt?: string;
  readonly status: string;
  readonly ended?: { readonly kind: string; readonly at: string; readonly reason?: string };
}

export interface AssistanceRequest {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly requester?: PersonRef;
  readonly kind: string;
  readonly category: string;
  readonly urgency: string;
  readonly operation: string;
  readonly description: string;
  readonly unitsRequested?: number;
  readonly location?: string;
  readonly state: string;
  /** what may be done to it in its state, whoever does it (the server's state machine) */
  readonly actions?: readonly string[];
  readonly sentAt: string;
  readonly responsible?: { readonly position: string; readonly title?: string; readonly holders: readonly PersonRef[] };
  readonly verdict?: Verdict;
  readonly units?: readonly CommittedUnit[];
  readonly log?: readonly RequestLogItem[];
}

export interface OrderAcknowledgement {
  readonly kind: string;
  readonly id: string;
  readonly name?: string;
  readonly acknowledged: boolean;
  readonly at?: string;
  readonly by?: ActorRef;
}

export interface Order {
  readonly id: string;
  readonly directive: string;
  readonly target?: string;
  readonly rationale: string;
  readonly issuer: ActorRef;
  readonly authority: Authority;
  readonly issuedAt: string;
  readonly status: string;
  readonly verdicts?: readonly Verdict[];
  readonly acknowledgements?: readonly OrderAcknowledgement[];
}

export interface IncidentUnit {
  readonly id: string;
  readonly callsign: string;
  readonly agency: string;
  readonly type?: string;
  readonly since?: string;
}

export interface UnitStatus {
  readonly status: string;
  /** when the node received it */
  readonly since: string;
  /** the source's own time of the change, when it gave one */
  readonly observed?: string;
  readonly reason?: string;
}

export interface Unit {
  readonly id: string;
  readonly agency: string;
  readonly type?: string;
  readonly callsign: string;
  readonly members?: readonly string[];
  readonly supervisor?: string;
  readonly status?: UnitStatus;
  readonly assignment?: { readonly incident: string; readonly since: string };
}

export interface Notification {
  readonly id: string;
  readonly recipient: { readonly agency: string; readonly person?: string; readonly position?: string };
  readonly incident?: string;
  readonly topic: string;
  readonly request?: string;
  readonly order?: string;
  readonly message: string;
  readonly urgent: boolean;
  readonly status: 'created' | 'delivered' | 'acknowledged';
  readonly reason?: string;
  readonly createdAt: string;
  readonly index: number;
  readonly deliveredAt?: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: ActorRef;
}

export interface IncidentView {
  readonly asOf: { readonly index: number; readonly received: string };
  readonly incident: Incident;
  readonly agencies: readonly { readonly id: string; readonly name: string; readonly kind?: string }[];
  readonly units: readonly IncidentUnit[];
  readonly requests: readonly AssistanceRequest[];
  readonly orders: readonly Order[];
  /** the notifications of the incident the caller's agency sent or was sent */
  readonly notifications?: readonly Notification[];
}
