/**
 * The reads: incidents, requests, orders, conflicts, units and the
 * caller's notifications, each cut down to what the caller's agency may
 * read (src/domain/boundaries.ts and visible-view.ts hold the rules; this
 * file only asks them). Something the caller may not read is answered as
 * if it did not exist, so asking reveals nothing.
 *
 * Reading the inbox delivers: a notification addressed to the caller that
 * had not reached anyone of its recipient is marked delivered (an entry),
 * since a client of its recipient has now received it.
 */
import { z } from 'zod';
import type { CoordinationService } from '../app/coordination.ts';
import {
  incidentView,
  isRecipient,
  mayReadConflict,
  mayReadOrder,
  mayReadRequest,
  requireVisibleIncident,
  visibleIncidents,
  visibleIncidentView,
  visibleUnits,
  type AssistanceRequest,
  type Caller,
  type Conflict,
  type Notification,
  type Order,
  type World,
} from '../domain/index.ts';
import { idSchema, timeSchema } from '../domain/values.ts';
import { ConcordError } from '../errors.ts';
import { actorOf, callerOf, type Principal } from './principal.ts';
import { defineRoute, type AnyRoute } from './route.ts';

const byIncident = z.strictObject({ incident: idSchema.optional() });

function unknown(kind: string, id: string, caller: Principal): ConcordError {
  return new ConcordError('UNKNOWN_ENTITY', `${kind} ${id} does not exist or is not shared with ${caller.agency}`, { kind, id });
}

/** notifications addressed to the caller: to its agency, to the person, or to a post the person holds now */
export function inboxOf(coordination: CoordinationService, p: Principal): Notification[] {
  const world = coordination.world;
  const actor = actorOf(p);
  const now = coordination.now();
  return Object.values(world.notifications).filter((n) => isRecipient(world, actor, n, now));
}

export function queryRoutes(coordination: CoordinationService): AnyRoute[] {
  const world = (): World => coordination.world;

  /** GET /v1/<plural>[?incident=] and GET /v1/<plural>/:<kind>Id, each record shown only to whom `may` allows */
  function recordRoutes<R extends { readonly incident?: string }>(spec: {
    readonly kind: string;
    readonly plural: string;
    readonly listSummary: string;
    readonly oneSummary: string;
    readonly records: (w: World) => Readonly<Record<string, R>>;
    readonly may: (caller: Caller, w: World, record: R) => boolean;
  }): AnyRoute[] {
    const param = `${spec.kind}Id`;
    return [
      defineRoute({
        method: 'GET',
        url: `/v1/${spec.plural}`,
        tag: spec.kind,
        summary: spec.listSummary,
        access: 'read',
        query: byIncident,
        response: { status: 200, description: `the ${spec.plural}` },
        async handler({ query, principal }) {
          const w = world();
          const caller = callerOf(principal as Principal);
          const all = Object.values(spec.records(w)).filter((r) => (query.incident === undefined || r.incident === query.incident) && spec.may(caller, w, r));
          return { [spec.plural]: all };
        },
      }),
      defineRoute({
        method: 'GET',
        url: `/v1/${spec.plural}/:${param}`,
        tag: spec.kind,
        summary: spec.oneSummary,
        access: 'read',
        params: z.strictObject({ [param]: idSchema }),
        response: { status: 200, description: `the ${spec.kind}` },
        async handler({ params, principal }) {
          const w = world();
          const id = (params as Record<string, string>)[param] as string;
          const r = spec.records(w)[id];
          if (r === undefined || !spec.may(callerOf(principal as Principal), w, r)) throw unknown(spec.kind, id, principal as Principal);
          return r;
        },
      }),
    ];
  }

  return [
    defineRoute({
      method: 'GET',
      url: '/v1/incidents',
      tag: 'incident',
      summary: 'the incidents your agency takes part in',
      access: 'read',
      response: { status: 200, description: 'the incidents' },
      async handler({ principal }) {
        return { incidents: visibleIncidents(callerOf(principal as Principal), Object.values(world().incidents)) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/incidents/:incidentId',
      tag: 'incident',
      summary: 'an incident as your agency may see it: command, agencies, units, your requests, orders and notifications; now or `at` a past moment',
      access: 'read',
      params: z.strictObject({ incidentId: idSchema }),
      query: z.strictObject({ at: timeSchema.optional() }),
      response: { status: 200, description: 'the incident view' },
      async handler({ params, query, principal }) {
        const w = await coordination.worldAt(query.at);
        const caller = callerOf(principal as Principal);
        requireVisibleIncident(w, caller, params.incidentId);
        return visibleIncidentView(incidentView(w, params.incidentId), caller, w);
      },
    }),
    ...recordRoutes<AssistanceRequest>({
      kind: 'request',
      plural: 'requests',
      listSummary: 'the requests your agency sent or received (optionally of one incident)',
      oneSummary: 'a request your agency sent or received, with its verdicts and history',
      records: (w) => w.requests,
      may: (caller, _w, r) => mayReadRequest(caller, r),
    }),
    ...recordRoutes<Order>({
      kind: 'order',
      plural: 'orders',
      listSummary: 'the orders your agency issued or that concern its units or people (optionally of one incident)',
      oneSummary: 'an order your agency issued or that concerns its units or people',
      records: (w) => w.orders,
      may: mayReadOrder,
    }),
    ...recordRoutes<Conflict>({
      kind: 'conflict',
      plural: 'conflicts',
      listSummary: 'conflicts between orders over your units or orders, or in incidents your agency commands (optionally of one incident)',
      oneSummary: 'one conflict between orders',
      records: (w) => w.conflicts,
      may: mayReadConflict,
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/units',
      tag: 'unit',
      summary: "your agency's units, and the units on the incidents it takes part in",
      access: 'read',
      response: { status: 200, description: 'the units' },
      async handler({ principal }) {
        const w = world();
        return { units: visibleUnits(callerOf(principal as Principal), w, Object.values(w.units)) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/notifications',
      tag: 'notification',
      summary: 'your inbox: the notifications addressed to you or your agency; reading it marks new ones delivered',
      access: 'read',
      query: z.strictObject({ status: z.enum(['created', 'delivered', 'acknowledged']).optional() }),
      response: { status: 200, description: 'the notifications, newest first' },
      async handler({ query, principal }) {
        const p = principal as Principal;
        // a reviewer reads, it is no recipient: reading changes nothing
        if (!p.reviewer) await deliverInbox(coordination, p);
        const inbox = inboxOf(coordination, p)
          .filter((n) => query.status === undefined || n.status === query.status)
          .sort((a, b) => b.index - a.index);
        return { notifications: inbox };
      },
    }),
  ];
}

/** marks delivered the caller's notifications that reached nobody yet (each delivery an entry; none twice) */
export async function deliverInbox(coordination: CoordinationService, p: Principal, only?: readonly string[]): Promise<void> {
  const ids =
    only ??
    inboxOf(coordination, p)
      .filter((n) => n.status === 'created')
      .map((n) => n.id);
  if (ids.length > 0) await coordination.markDelivered(actorOf(p), ids);
}
