/**
 * When units committed to another agency's request stop serving it. This is
 * the moment of DESIGN.md's story, so every command that can cause it (a
 * withdraw, stand-down or recall order, a release from the incident, a
 * release by the requester, request.withdraw) goes through endService, and
 * none can end a commitment quietly:
 *
 * - let go by the requesting side (its own positions or its seat in the
 *   incident's command), it is a release, and the providing agency is told;
 * - ended by anyone else, it is a withdrawal: the request records who, on
 *   what authority, why and by which order, and the requesting agency (its
 *   liaison, the requester, its member of the incident's command) and the
 *   incident's command are told at once, urgently.
 */
import { agencyOf, incidentOf, isPositionOf } from './command.ts';
import { getRequest, type DecideContext } from './checks.ts';
import { makeEvent, type DomainEvent } from './events.ts';
import { agencyContacts, incidentCommandContacts, notify, requestingAgencyContacts } from './notifications.ts';
import { describeAuthority, type Actor, type Authority } from './values.ts';
import type { AssistanceRequest, Unit, World } from './world.ts';

/** an authority of the requesting agency: one of its positions, or its seat in the incident's command */
export function actsForRequester(world: World, r: AssistanceRequest): (a: Authority) => boolean {
  return (a) => agencyOf(world, a) === r.from && (isPositionOf(world, a, r.from) || incidentOf(a) === r.incident);
}

/** the requests the units are committed to, each with its units, in the order the units are given */
export function byCommitment(world: World, units: readonly Unit[]): Map<AssistanceRequest, Unit[]> {
  const out = new Map<AssistanceRequest, Unit[]>();
  for (const u of units) {
    if (u.commitment === undefined) continue;
    const r = getRequest(world, u.commitment);
    out.set(r, [...(out.get(r) ?? []), u]);
  }
  return out;
}

export interface EndOfService {
  readonly actor: Actor;
  readonly authority: Authority;
  readonly reason: string;
  /** the order that ended it, when an order did */
  readonly order?: string;
}

/** the events that end the units' service to the requests they are committed to (nothing for uncommitted units) */
export function endService(world: World, units: readonly Unit[], end: EndOfService, ctx: DecideContext): DomainEvent[] {
  const events: DomainEvent[] = [];
  const { actor, authority, reason, order } = end;
  for (const [r, pulled] of byCommitment(world, units)) {
    const ids = pulled.map((u) => u.id);
    const callsigns = pulled.map((u) => u.callsign).join(', ');
    if (actor.agency === r.from && actsForRequester(world, r)(authority)) {
      events.push(makeEvent('request.units_released', actor, r.incident, { request: r.id, units: ids, reason, authority }));
      events.push(
        ...notify(
          actor,
          [...agencyContacts(world, r.to, r.incident), ...incidentCommandContacts(world, r.incident)],
          {
            topic: 'request.units_released',
            incident: r.incident,
            request: r.id,
            units: ids,
            message: `${r.from} released ${callsigns} from request ${r.id}`,
            reason,
            urgent: false,
          },
          ctx,
        ),
      );
      continue;
    }
    events.push(
      makeEvent('request.units_withdrawn', actor, r.incident, { request: r.id, units: ids, reason, authority, ...(order !== undefined ? { order } : {}) }),
    );
    events.push(
      ...notify(
        actor,
        [...requestingAgencyContacts(world, r), ...incidentCommandContacts(world, r.incident)],
        {
          topic: 'request.units_withdrawn',
          incident: r.incident,
          request: r.id,
          ...(order !== undefined ? { order } : {}),
          units: ids,
          message: `${callsigns} withdrawn from request ${r.id} of ${r.from} by ${actor.person ?? actor.device ?? actor.agency} (${actor.agency}, ${describeAuthority(authority)})${order !== undefined ? `, order ${order}` : ''}`,
          reason,
          urgent: true,
        },
        ctx,
      ),
    );
  }
  return events;
}
