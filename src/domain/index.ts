/** The domain's public surface, for the application layer. */
export type { Command, CommandOf, CommandType } from './commands.ts';
export { commandSchema, parseCommand } from './commands.ts';
export type { DomainEvent, EventBody, EventMeta, EventOf, EventType } from './events.ts';
export { EVENT_BODIES, EVENT_TYPES, parseDomainEvent } from './events.ts';
export type { Actor, Authority, Coordinates, DelegationScope, OrderRecipient, PositionFix, Recipient } from './values.ts';
export { describeAuthority, MAX_MESSAGE_LENGTH, MAX_MESSAGE_RECIPIENTS, MAX_POSITIONS_PER_REPORT } from './values.ts';
export { OFF_REQUEST_STATUSES, UNIT_STATUSES, type UnitStatus } from './vocabulary.ts';
export { MAX_SOURCE_CLOCK_AHEAD_SECONDS } from './units.ts';
export type { DecideContext } from './decide.ts';
export type { AgencyRef, AuthorityFacts, LegalBasisFacts, OrderFacts, Protocols, RequestFacts } from './facts.ts';
export { PROTOCOLS_DEVICE, requestFacts } from './request-decisions.ts';
export { orderFacts, concernedAgencies } from './orders.ts';
export { decide } from './decide.ts';
export type { RecordedEvent } from './project.ts';
export { applyEvent, Draft, foldEvents, foldUntil, Projection } from './project.ts';
export {
  acknowledgeUrgentWithin,
  DEFAULT_ACKNOWLEDGE_URGENT_SECONDS,
  dueEscalations,
  dueNotificationEscalations,
  ESCALATION_DEVICE,
  isOverdue,
  nextDue,
  nextEscalationDeadline,
  notificationDeadline,
  pendingDeadlines,
  requestDeadline,
  RESPONSE_SECONDS,
} from './deadlines.ts';
export type { Deadline } from './deadlines.ts';
export { isRecipient } from './notifications.ts';
export { ALLOWED_FROM, FINAL_STATES } from './requests.ts';
export { contradicts } from './orders.ts';
export { incidentView } from './incident-view.ts';
export type { IncidentView, MessageView, OrderView, RequestView } from './incident-view.ts';
export { heldAuthorities, holdersOf, positionsHeld, commandsPosition, commandsUnit, standingOf, type HeldPosition } from './command.ts';
export * from './world.ts';
export type { Audience, Caller, LedgerEntryLike } from './boundaries.ts';
export {
  audienceOf,
  conflictAudienceOf,
  incidentAudienceOf,
  mayRead,
  mayWrite,
  memberCaller,
  messageAudienceOf,
  notificationAudienceOf,
  orderAudienceOf,
  requestAudienceOf,
  statementAudienceOf,
  unitAudienceOf,
  unitPictureAudience,
} from './boundaries.ts';
export {
  mayReadConflict,
  mayReadIncident,
  mayReadMessage,
  mayReadNotification,
  mayReadOrder,
  mayReadRequest,
  mayReadUnit,
  requireVisibleIncident,
  visibleConflicts,
  visibleIncidents,
  visibleIncidentView,
  visibleNotifications,
  visibleOrders,
  visibleRequests,
  visibleUnits,
} from './visible-view.ts';
