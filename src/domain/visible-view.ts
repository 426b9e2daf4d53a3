/**
 * Reads filtered by agency boundaries: the incident view and the lists a
 * route returns, cut down to what the caller may read. The rules are in
 * boundaries.ts; this module only applies them to the read models.
 *
 * Of an incident it takes part in, another agency keeps the shared picture
 * (the incident itself, its command, the agencies, the liaisons, the units on
 * it) and, of the rest, only the records it is a party to: its requests, the
 * orders to or from it, the conflicts it is in, the notifications to or from
 * it, the messages from it or to it (a message to a person by name: to that
 * person, not the rest of their agency). An agency that takes part in none of it is told the incident is not
 * there, the same answer as for an incident that does not exist, so that
 * asking reveals nothing.
 */
import { ConcordError } from '../errors.ts';
import {
  conflictAudienceOf,
  incidentAudienceOf,
  mayRead,
  messageAudienceOf,
  notificationAudienceOf,
  orderAudienceOf,
  requestAudienceOf,
  unitAudienceOf,
  type Caller,
} from './boundaries.ts';
import type { IncidentView } from './incident-view.ts';
import type { AssistanceRequest, Conflict, Incident, Message, Notification, Order, World } from './world.ts';

export function mayReadIncident(caller: Caller, incident: Pick<Incident, 'agencies'>): boolean {
  return mayRead(caller, incidentAudienceOf(incident));
}

export function mayReadUnit(caller: Caller, world: World, unit: string): boolean {
  return mayRead(caller, unitAudienceOf(world, unit));
}

export function mayReadRequest(caller: Caller, r: Pick<AssistanceRequest, 'from' | 'to'>): boolean {
  return mayRead(caller, requestAudienceOf(r));
}

export function mayReadOrder(caller: Caller, world: World, o: Pick<Order, 'issuer' | 'units' | 'people'>): boolean {
  return mayRead(caller, orderAudienceOf(world, o));
}

export function mayReadConflict(caller: Caller, world: World, c: Pick<Conflict, 'unit' | 'orders' | 'incident'>): boolean {
  return mayRead(caller, conflictAudienceOf(world, c));
}

export function mayReadMessage(caller: Caller, m: Pick<Message, 'from' | 'agencies' | 'people'>): boolean {
  return mayRead(caller, messageAudienceOf(m));
}

export function mayReadNotification(caller: Caller, n: Pick<Notification, 'recipient' | 'createdBy'>): boolean {
  return mayRead(caller, notificationAudienceOf(n));
}

/**
 * The incident, if the caller may read it. Unknown and not shared give the
 * same error, so a caller cannot learn that an incident exists from asking.
 */
export function requireVisibleIncident(world: World, caller: Caller, incidentId: string): Incident {
  const i = world.incidents[incidentId];
  if (i === undefined || !mayReadIncident(caller, i)) {
    throw new ConcordError('UNKNOWN_ENTITY', `incident ${incidentId} does not exist or is not shared with ${caller.agency}`, {
      kind: 'incident',
      id: incidentId,
    });
  }
  return i;
}

/**
 * incidentView (incident-view.ts) cut down for the caller. `world` is the
 * world the view was built from (the same moment), to look up the agencies
 * of units and orders.
 */
export function visibleIncidentView(view: IncidentView, caller: Caller, world: World): IncidentView {
  requireVisibleIncident(world, caller, view.incident.id);
  if (caller.role === 'reviewer') return view;
  return {
    ...view,
    requests: view.requests.filter((r) => mayReadRequest(caller, r)),
    orders: view.orders.filter((o) => {
      const order = world.orders[o.id];
      return order !== undefined && mayReadOrder(caller, world, order);
    }),
    conflicts: view.conflicts.filter((c) => mayReadConflict(caller, world, c)),
    messages: view.messages.filter((m) => {
      const message = world.messages[m.id];
      return message !== undefined && mayReadMessage(caller, message);
    }),
    notifications: view.notifications.filter((n) => mayReadNotification(caller, n)),
  };
}

// lists for the read routes: the records of the world the caller may read, in the order given

export function visibleIncidents(caller: Caller, incidents: Iterable<Incident>): Incident[] {
  return [...incidents].filter((i) => mayReadIncident(caller, i));
}

export function visibleUnits<U extends { readonly id: string }>(caller: Caller, world: World, units: Iterable<U>): U[] {
  return [...units].filter((u) => mayReadUnit(caller, world, u.id));
}

export function visibleRequests<R extends Pick<AssistanceRequest, 'from' | 'to'>>(caller: Caller, requests: Iterable<R>): R[] {
  return [...requests].filter((r) => mayReadRequest(caller, r));
}

export function visibleOrders<O extends Pick<Order, 'issuer' | 'units' | 'people'>>(caller: Caller, world: World, orders: Iterable<O>): O[] {
  return [...orders].filter((o) => mayReadOrder(caller, world, o));
}

export function visibleConflicts<C extends Pick<Conflict, 'unit' | 'orders' | 'incident'>>(caller: Caller, world: World, conflicts: Iterable<C>): C[] {
  return [...conflicts].filter((c) => mayReadConflict(caller, world, c));
}

export function visibleNotifications<N extends Pick<Notification, 'recipient' | 'createdBy'>>(caller: Caller, notifications: Iterable<N>): N[] {
  return [...notifications].filter((n) => mayReadNotification(caller, n));
}
