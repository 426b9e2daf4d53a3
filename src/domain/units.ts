/**
 * Units in the field, as the live picture shows them: their CAD status and
 * their positions. Both belong to the unit's own agency; no other agency
 * sets or reports them.
 *
 * Status. The unit's agency sets it: a device of it (the car's terminal, the
 * CAD), a member of the unit, or a person on a position that commands the
 * unit (whose authority is recorded). A status in which a unit serves no
 * request (available, out of service, returning) set on a unit committed to
 * another agency's request ends its service there. That is a withdrawal,
 * and DESIGN.md's story forbids a quiet one: it goes through the same
 * endService as every other end of service (commitments.ts), so it needs a
 * person on a position commanding the unit and a reason, the request
 * records who, on what authority and why, and the requesting agency is told
 * at once, urgently. A device or a member without such a position cannot do
 * it: their status change is refused, and the unit's chain withdraws it (by
 * this command or request.withdraw).
 *
 * Positions. WGS84 fixes from an AVL feed or a device, in batches: a report
 * is recorded whole or refused whole, as one entry per incident its units
 * are on. Each fix keeps its source's time
 * (`observed`) beside the entry's receive time, so clock skew shows; the
 * world keeps each unit's newest fix by the source's time, so a fix that
 * arrives late does not hide a newer one.
 */
import { ConcordError } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { authorityCommandsUnit, positionOf } from './command.ts';
import {
  checkActor,
  getRequest,
  getUnit,
  meaningful,
  requireActorAgency,
  requireAuthority,
  requireFieldActor,
  requireReason,
  type DecideContext,
} from './checks.ts';
import { endService } from './commitments.ts';
import { makeEvent, type DomainEvent, type EventMeta, type EventOf } from './events.ts';
import { addSeconds, isBefore } from './time.ts';
import { describeActor, type Authority, type PositionFix } from './values.ts';
import { OFF_REQUEST_STATUSES } from './vocabulary.ts';
import type { AssistanceRequest, Unit, World } from './world.ts';
import { existing, type WorldWriter } from './writer.ts';

export type UnitCommand = CommandOf<'unit.set_status'> | CommandOf<'unit.report_positions'>;
export type UnitEvent = EventOf<'unit.status_changed'> | EventOf<'unit.positions_reported'>;

/**
 * How far ahead of the server's clock a source's time may be. Device clocks
 * drift, and the skew is kept visible rather than corrected; but a fix
 * stamped far in the future would stand as the unit's latest position until
 * that time came, hiding every real one, so it is refused.
 */
export const MAX_SOURCE_CLOCK_AHEAD_SECONDS = 300;

function requireObservedNotAhead(observed: string, now: string, what: string): void {
  const limit = addSeconds(now, MAX_SOURCE_CLOCK_AHEAD_SECONDS);
  if (isBefore(limit, observed)) {
    throw new ConcordError(
      'BAD_INPUT',
      `${what}: observed ${observed} is more than ${MAX_SOURCE_CLOCK_AHEAD_SECONDS} s after the server's time ${now}; the source's clock is wrong`,
      { observed, now },
    );
  }
}

export function decideUnit(world: World, cmd: UnitCommand, ctx: DecideContext): DomainEvent[] {
  checkActor(world, cmd.actor);
  return cmd.type === 'unit.set_status' ? decideSetStatus(world, cmd, ctx) : decideReportPositions(world, cmd, ctx);
}

function decideSetStatus(world: World, cmd: CommandOf<'unit.set_status'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const unit = getUnit(world, cmd.unitId);
  const doing = `setting unit ${unit.callsign} (${unit.id}) ${cmd.status}`;
  requireActorAgency(actor, unit.agency, doing);
  requireFieldActor(actor, doing);
  if (unit.status?.status === cmd.status) {
    throw new ConcordError('COMMAND_INCONSISTENT', `unit ${unit.id} is already ${cmd.status} (since ${unit.status.since})`);
  }
  if (cmd.observed !== undefined) requireObservedNotAhead(cmd.observed, ctx.now, doing);
  const serving = unit.commitment === undefined ? undefined : getRequest(world, unit.commitment);
  if (serving !== undefined && OFF_REQUEST_STATUSES.includes(cmd.status)) {
    return withdrawByStatus(world, cmd, unit, serving, ctx);
  }
  const authority = statusAuthority(world, cmd, unit, ctx.now, doing);
  const reason = meaningful(cmd.reason);
  return [makeEvent('unit.status_changed', actor, unit.assignment?.incident, { unit: unit.id, status: cmd.status, reason, observed: cmd.observed, authority })];
}

/**
 * Who may set an ordinary status: a device of the unit's agency and a member
 * of the unit rest on what they are (no authority recorded); anyone else of
 * the agency needs a position commanding the unit, which is recorded. A
 * member who names an authority is held to it.
 */
function statusAuthority(world: World, cmd: CommandOf<'unit.set_status'>, unit: Unit, now: string, doing: string): Authority | undefined {
  const actor = cmd.actor;
  if (actor.person === undefined) return undefined;
  if (cmd.authority === undefined && unit.members.includes(actor.person)) return undefined;
  return requireAuthority(world, actor, now, cmd.authority, (a) => authorityCommandsUnit(world, a, unit), doing, 'NOT_IN_CHAIN_OF_COMMAND');
}

/**
 * A status off the request on a committed unit: the status, the withdrawal
 * with its notices (commitments.ts), and, as a withdraw order from the
 * unit's chain does, the unit taken off the incident.
 */
function withdrawByStatus(world: World, cmd: CommandOf<'unit.set_status'>, unit: Unit, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const doing = `setting unit ${unit.callsign} (${unit.id}) ${cmd.status} while it is committed to request ${r.id} of ${r.from} (a withdrawal from it)`;
  if (actor.person === undefined) {
    throw new ConcordError(
      'NOT_AUTHORISED',
      `${doing}: ${describeActor(actor)} is a device; a person on a position commanding the unit withdraws it, with a reason`,
      { request: r.id, unit: unit.id },
    );
  }
  const authority = requireAuthority(world, actor, ctx.now, cmd.authority, (a) => authorityCommandsUnit(world, a, unit), doing, 'NOT_IN_CHAIN_OF_COMMAND');
  const reason = requireReason(cmd.reason, doing);
  const events: DomainEvent[] = [
    makeEvent('unit.status_changed', actor, unit.assignment?.incident ?? r.incident, {
      unit: unit.id,
      status: cmd.status,
      reason,
      observed: cmd.observed,
      authority,
    }),
    ...endService(world, [unit], { actor, authority, reason }, ctx),
  ];
  if (unit.assignment !== undefined && positionOf(authority) !== undefined) {
    events.push(makeEvent('incident.unit_released', actor, unit.assignment.incident, { unit: unit.id, reason, authority }));
  }
  return events;
}

/**
 * One event per incident the reported units are on (and one for units on
 * none), each on that incident: an entry is what a reader is shown or not
 * shown whole, and the agencies taking part in an incident share the
 * positions of the units on it, not those of the reporting agency's other
 * units. Fixes keep their order within each event.
 */
function decideReportPositions(world: World, cmd: CommandOf<'unit.report_positions'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireFieldActor(actor, 'reporting unit positions');
  const byIncident = new Map<string | undefined, PositionFix[]>();
  cmd.positions.forEach((fix, i) => {
    const unit = getUnit(world, fix.unit);
    const what = `position ${i} (unit ${unit.id})`;
    requireActorAgency(actor, unit.agency, `reporting the ${what}`);
    requireObservedNotAhead(fix.observed, ctx.now, what);
    const incident = unit.assignment?.incident;
    const group = byIncident.get(incident);
    if (group === undefined) byIncident.set(incident, [fix]);
    else group.push(fix);
  });
  return [...byIncident].map(([incident, positions]) => makeEvent('unit.positions_reported', actor, incident, { positions }));
}

export function applyUnit(w: WorldWriter, e: UnitEvent, meta: EventMeta): void {
  const at = meta.received;
  if (e.type === 'unit.status_changed') {
    const b = e.body;
    const u = existing(w.world.units, b.unit, 'unit', e.type);
    w.put('units', u.id, {
      ...u,
      status: {
        status: b.status,
        since: at,
        ...(b.observed !== undefined ? { observed: b.observed } : {}),
        by: e.actor,
        ...(b.reason !== undefined ? { reason: b.reason } : {}),
        ...(b.authority !== undefined ? { authority: b.authority } : {}),
      },
    });
    return;
  }
  for (const fix of e.body.positions) {
    const u = existing(w.world.units, fix.unit, 'unit', e.type);
    // the newest by the source's time; on a tie the fix already kept stands
    if (u.position !== undefined && !isBefore(u.position.observed, fix.observed)) continue;
    w.put('units', u.id, {
      ...u,
      position: {
        lat: fix.lat,
        lon: fix.lon,
        ...(fix.accuracy !== undefined ? { accuracy: fix.accuracy } : {}),
        observed: fix.observed,
        received: at,
        by: e.actor,
      },
    });
  }
}
