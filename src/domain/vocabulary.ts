/**
 * The words users pick from: kinds of agency, kinds and categories of
 * request, urgency levels, operation kinds, what an information request asks
 * for, warrant kinds and order directives. Shared by the domain state
 * machines, the policy facts and (later) the API schemas.
 */

/** `private`: event security, campus security and the like, which protocols often treat apart */
export const AGENCY_KINDS = ['local', 'county', 'state', 'federal', 'tribal', 'private', 'other'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

/** what a request asks for: units to send, information to hand over, or something else */
export const REQUEST_KINDS = ['units', 'information', 'other'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_CATEGORIES = [
  'officer_in_danger',
  'crowd_safety',
  'traffic_control',
  'perimeter',
  'transport',
  'medical',
  'investigation_support',
  'enforcement_support',
  'other',
] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];

/** what an information request asks for */
export const INFORMATION_KINDS = ['records', 'footage', 'database_check', 'other'] as const;
export type InformationKind = (typeof INFORMATION_KINDS)[number];

/** who issued a warrant: a judge, or an agency itself (an administrative warrant) */
export const WARRANT_KINDS = ['judicial', 'administrative'] as const;
export type WarrantKind = (typeof WARRANT_KINDS)[number];

/** urgency levels; each has a response deadline (domain/requests decides the durations) */
export const URGENCIES = ['immediate', 'urgent', 'routine'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** the kind of operation the requesting agency is conducting, which protocols often turn on */
export const OPERATION_KINDS = ['emergency_response', 'public_order', 'criminal_enforcement', 'civil_immigration_enforcement', 'other', 'unknown'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export const DIRECTIVES = ['assign', 'move', 'hold', 'withdraw', 'stand_down', 'recall', 'resume', 'other'] as const;
export type Directive = (typeof DIRECTIVES)[number];

/** directives that end a unit's service to the request it is committed to */
export const ENDING_DIRECTIVES: readonly Directive[] = ['withdraw', 'stand_down', 'recall'];

/** the kinds of authority a decision can rest on (values.ts gives each its fields) */
export const AUTHORITY_KINDS = [
  'position',
  'delegation',
  'incident_commander',
  'unified_command',
  'incident_delegation',
  'agency_administration',
  'response_deadline',
] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];

/** a unit's status, in the words of computer-aided dispatch (CAD) */
export const UNIT_STATUSES = ['available', 'dispatched', 'en_route', 'on_scene', 'out_of_service', 'returning'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/**
 * statuses in which a unit serves no request: set on a unit committed to
 * one, they end its service there, which is a withdrawal (units.ts)
 */
export const OFF_REQUEST_STATUSES: readonly UnitStatus[] = ['available', 'out_of_service', 'returning'];
