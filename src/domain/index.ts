/** The domain's public surface, for the application layer. */
export type { Command, CommandOf, CommandType } from './commands.ts';
export { commandSchema, parseCommand } from './commands.ts';
export type { DomainEvent, EventBody, EventMeta, EventOf, EventType } from './events.ts';
export { EVENT_BODIES, EVENT_TYPES, parseDomainEvent } from './events.ts';
export type { Actor, Authority, DelegationScope, OrderRecipient, Recipient } from './values.ts';
export { describeAuthority } from './values.ts';
export type { DecideContext } from './decide.ts';
export { decide } from './decide.ts';
export type { RecordedEvent } from './project.ts';
export { applyEvent, foldEvents, foldUntil, Projection } from './project.ts';
export { dueEscalations, ESCALATION_DEVICE, isOverdue, nextEscalationDeadline, RESPONSE_SECONDS } from './deadlines.ts';
export { ALLOWED_FROM, FINAL_STATES } from './requests.ts';
export { contradicts } from './orders.ts';
export { incidentView } from './incident-view.ts';
export type { IncidentView, OrderView, RequestView } from './incident-view.ts';
export { heldAuthorities, holdersOf, positionsHeld, commandsPosition, commandsUnit } from './command.ts';
export * from './world.ts';
