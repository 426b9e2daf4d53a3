/**
 * The words users pick from: kinds of agency, request categories, urgency
 * levels, operation kinds and order directives. Shared by the domain state
 * machines, the policy facts and (later) the API schemas.
 */
export const AGENCY_KINDS = ['local', 'county', 'state', 'federal', 'tribal', 'other'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

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

/** urgency levels; each has a response deadline (domain/requests decides the durations) */
export const URGENCIES = ['immediate', 'urgent', 'routine'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** the kind of operation the requesting agency is conducting, which protocols often turn on */
export const OPERATION_KINDS = [
  'emergency_response',
  'public_order',
  'criminal_enforcement',
  'civil_immigration_enforcement',
  'other',
  'unknown',
] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export const DIRECTIVES = ['assign', 'move', 'hold', 'withdraw', 'stand_down', 'recall', 'resume', 'other'] as const;
export type Directive = (typeof DIRECTIVES)[number];
