/**
 * Incidents and their organisation in ICS terms: open, update, close; a single
 * incident commander or a unified command with one member per agency; liaison
 * officers; units assigned to the incident. Assignment hands operational
 * direction to the incident's command; the home agency keeps administrative
 * control (see orders.ts: it can always recall), and only the incident's
 * command releases a unit back to it here.
 */
import { ConcordError } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { agencyOf, authorityCommandsPosition, authorityCommandsUnit, incidentOf, isPositionOf, positionsHeld } from './command.ts';
import {
  checkActor,
  getOpenIncident,
  getPerson,
  getUnit,
  requireActorAgency,
  requireAuthority,
  requireNew,
  meaningful,
  requireAgencyAuthority,
  requireReason,
  type DecideContext,
} from './checks.ts';
import { makeEvent, type DomainEvent, type EventMeta, type EventOf } from './events.ts';
import { endService } from './commitments.ts';
import { agencyContacts, incidentCommandContacts, notify } from './notifications.ts';
import type { Authority, Recipient } from './values.ts';
import { FINAL_STATES, type CommandStructure, type Incident, type Person, type Unit, type World } from './world.ts';
import { existing, type WorldWriter } from './writer.ts';

export type IncidentCommand =
  | CommandOf<'incident.open'>
  | CommandOf<'incident.update'>
  | CommandOf<'incident.close'>
  | CommandOf<'incident.establish_command'>
  | CommandOf<'incident.designate_liaison'>
  | CommandOf<'incident.assign_unit'>
  | CommandOf<'incident.release_unit'>;

export type IncidentEvent =
  | EventOf<'incident.opened'>
  | EventOf<'incident.updated'>
  | EventOf<'incident.closed'>
  | EventOf<'incident.command_established'>
  | EventOf<'incident.liaison_designated'>
  | EventOf<'incident.unit_assigned'>
  | EventOf<'incident.unit_released'>;

/** operational direction on this incident: its commander, a UC member, or a delegate of theirs */
export function directsIncident(a: Authority, incident: string): boolean {
  return incidentOf(a) === incident;
}

/**
 * Who sets up or changes an incident's command, and closes the incident: its
 * command in their own right (the incident commander, a unified command
 * member; not a delegate); before any command is set up, a position of the
 * lead agency; after that, a position of the lead agency at or above one held
 * by the lead agency's member of the command (a superior takes over). A
 * junior cannot replace the command that directs them.
 */
function commandsIncident(world: World, incident: Incident, now: string): (a: Authority) => boolean {
  const structure = incident.command?.structure;
  const members = structure === undefined ? [] : structure.kind === 'single' ? [structure.commander] : structure.members;
  const leadHolds = members.filter((m) => m.agency === incident.leadAgency).flatMap((m) => positionsHeld(world, m.person, now));
  return (a) => {
    if ((a.kind === 'incident_commander' || a.kind === 'unified_command') && a.incident === incident.id) return true;
    if (!isPositionOf(world, a, incident.leadAgency)) return false;
    return structure === undefined || leadHolds.some((p) => authorityCommandsPosition(world, a, p));
  };
}

function everyone(world: World, incident: Incident): Recipient[] {
  return incident.agencies.flatMap((agency) => agencyContacts(world, agency, incident.id));
}

function describeStructure(s: CommandStructure): string {
  return s.kind === 'single'
    ? `incident commander ${s.commander.person} (${s.commander.agency})`
    : `unified command ${s.members.map((m) => `${m.person} (${m.agency})`).join(', ')}`;
}

export function decideIncident(world: World, cmd: IncidentCommand, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  checkActor(world, actor);
  switch (cmd.type) {
    case 'incident.open': {
      const id = cmd.incidentId ?? ctx.newId('incident');
      requireNew(world.incidents[id] !== undefined, 'incident', id);
      return [
        makeEvent('incident.opened', actor, id, {
          name: cmd.name,
          location: cmd.location,
          coordinates: cmd.coordinates,
          leadAgency: actor.agency,
          description: cmd.description,
        }),
      ];
    }
    case 'incident.update': {
      const incident = getOpenIncident(world, cmd.incidentId);
      if (!incident.agencies.includes(actor.agency)) {
        throw new ConcordError('NOT_AUTHORISED', `${actor.agency} does not take part in incident ${incident.id}`);
      }
      const changes = [
        cmd.name !== undefined ? `name: ${cmd.name}` : undefined,
        cmd.location !== undefined ? `location: ${cmd.location}` : undefined,
        cmd.coordinates !== undefined ? `coordinates: ${cmd.coordinates.lat}, ${cmd.coordinates.lon}` : undefined,
        cmd.description !== undefined ? `description: ${cmd.description}` : undefined,
      ].filter((x) => x !== undefined);
      if (changes.length === 0) throw new ConcordError('COMMAND_INCONSISTENT', `nothing to update on incident ${incident.id}`);
      return [
        makeEvent('incident.updated', actor, incident.id, {
          name: cmd.name,
          location: cmd.location,
          coordinates: cmd.coordinates,
          description: cmd.description,
        }),
        ...notify(
          actor,
          everyone(world, incident),
          {
            topic: 'incident.updated',
            incident: incident.id,
            message: `incident ${incident.id} updated: ${changes.join('; ')}`,
            urgent: false,
          },
          ctx,
        ),
      ];
    }
    case 'incident.close': {
      const incident = getOpenIncident(world, cmd.incidentId);
      const authority = requireAuthority(world, actor, ctx.now, cmd.authority, commandsIncident(world, incident, ctx.now), `closing incident ${incident.id}`);
      const open = Object.values(world.requests)
        .filter((r) => r.incident === incident.id && !FINAL_STATES.includes(r.state))
        .map((r) => `${r.id} (${r.state})`);
      if (open.length > 0) {
        throw new ConcordError('INVALID_TRANSITION', `incident ${incident.id} still has open requests: ${open.join(', ')}; close or cancel them first`);
      }
      const reason = requireReason(cmd.reason, `closing incident ${incident.id}`);
      return [
        makeEvent('incident.closed', actor, incident.id, { reason, authority }),
        ...notify(
          actor,
          everyone(world, incident),
          {
            topic: 'incident.closed',
            incident: incident.id,
            message: `incident ${incident.id} closed`,
            reason,
            urgent: false,
          },
          ctx,
        ),
      ];
    }
    case 'incident.establish_command': {
      const incident = getOpenIncident(world, cmd.incidentId);
      const structure = resolveStructure(world, cmd.structure, ctx.now);
      const authority = requireAuthority(
        world,
        actor,
        ctx.now,
        cmd.authority,
        commandsIncident(world, incident, ctx.now),
        `establishing command of incident ${incident.id}`,
      );
      const reason = requireReason(cmd.reason, `establishing command of incident ${incident.id}`);
      const members = structure.kind === 'single' ? [structure.commander] : structure.members;
      return [
        makeEvent('incident.command_established', actor, incident.id, { structure, reason, authority }),
        ...notify(
          actor,
          [...members, ...everyone(world, incident)],
          {
            topic: 'incident.command_established',
            incident: incident.id,
            message: `command of incident ${incident.id}: ${describeStructure(structure)}`,
            reason,
            urgent: false,
          },
          ctx,
        ),
      ];
    }
    case 'incident.designate_liaison': {
      const incident = getOpenIncident(world, cmd.incidentId);
      const person = getPerson(world, cmd.personId);
      // the liaison receives the agency's notices on the incident (withdrawals among them): the agency
      // names them, by its administration, a position, or its seat in the incident's command; never a device
      const authority = requireAgencyAuthority(
        world,
        actor,
        person.agency,
        ctx.now,
        cmd.authority,
        (a) => isPositionOf(world, a, person.agency) || (directsIncident(a, incident.id) && agencyOf(world, a) === person.agency),
        `designating ${person.id} as ${person.agency}'s liaison officer on incident ${incident.id}`,
      );
      return [
        makeEvent('incident.liaison_designated', actor, incident.id, { agency: person.agency, person: person.id, authority }),
        ...notify(
          actor,
          incidentCommandContacts(world, incident.id),
          {
            topic: 'incident.liaison_designated',
            incident: incident.id,
            message: `${person.id} is the liaison officer of ${person.agency} on incident ${incident.id}`,
            urgent: false,
          },
          ctx,
        ),
      ];
    }
    case 'incident.assign_unit': {
      const incident = getOpenIncident(world, cmd.incidentId);
      const unit = getUnit(world, cmd.unitId);
      requireActorAgency(actor, unit.agency, `assigning unit ${unit.id}`);
      if (unit.assignment !== undefined) {
        throw new ConcordError('INVALID_TRANSITION', `unit ${unit.id} is already assigned to incident ${unit.assignment.incident}`);
      }
      const authority = requireAuthority(
        world,
        actor,
        ctx.now,
        cmd.authority,
        (a) => authorityCommandsUnit(world, a, unit),
        `assigning unit ${unit.id}`,
        'NOT_IN_CHAIN_OF_COMMAND',
      );
      const reason = meaningful(cmd.reason);
      return [
        makeEvent('incident.unit_assigned', actor, incident.id, { unit: unit.id, authority, reason }),
        ...notify(
          actor,
          incidentCommandContacts(world, incident.id),
          {
            topic: 'incident.unit_assigned',
            incident: incident.id,
            units: [unit.id],
            message: `${unit.agency} assigned unit ${unit.callsign} (${unit.id}) to incident ${incident.id}`,
            urgent: false,
          },
          ctx,
        ),
      ];
    }
    case 'incident.release_unit': {
      const incident = getOpenIncident(world, cmd.incidentId);
      const unit = getUnit(world, cmd.unitId);
      if (unit.assignment?.incident !== incident.id) {
        throw new ConcordError('INVALID_TRANSITION', `unit ${unit.id} is not assigned to incident ${incident.id}`);
      }
      const authority = requireAuthority(
        world,
        actor,
        ctx.now,
        cmd.authority,
        (a) => directsIncident(a, incident.id),
        `releasing unit ${unit.id} from incident ${incident.id} (the incident's command releases units)`,
      );
      const reason = requireReason(cmd.reason, `releasing unit ${unit.id}`);
      // a unit committed to a request stops serving it: a release if the requesting side lets it go, else a withdrawal
      const events: DomainEvent[] = endService(world, [unit], { actor, authority, reason }, ctx);
      events.push(makeEvent('incident.unit_released', actor, incident.id, { unit: unit.id, reason, authority }));
      events.push(
        ...notify(
          actor,
          agencyContacts(world, unit.agency, incident.id),
          {
            topic: 'incident.unit_released',
            incident: incident.id,
            ...(unit.commitment !== undefined ? { request: unit.commitment } : {}),
            units: [unit.id],
            message: `incident ${incident.id} released unit ${unit.callsign} (${unit.id}) back to ${unit.agency}`,
            reason,
            urgent: false,
          },
          ctx,
        ),
      );
      return events;
    }
  }
}

/**
 * The people named to command, each of whom must hold a position in their
 * agency: someone with no post cannot speak for their agency in the command.
 */
function resolveStructure(
  world: World,
  s: CommandOf<'incident.establish_command'>['structure'],
  now: string,
): EventOf<'incident.command_established'>['body']['structure'] {
  const ranked = (id: string): Person => {
    const p = getPerson(world, id);
    if (positionsHeld(world, p.id, now).length === 0) {
      throw new ConcordError('NOT_AUTHORISED', `${p.id} holds no position in ${p.agency} and cannot be in the incident's command for it`);
    }
    return p;
  };
  if (s.kind === 'single') {
    const p = ranked(s.commander);
    return { kind: 'single', commander: { agency: p.agency, person: p.id } };
  }
  const members = s.members.map(ranked);
  const agencies = new Set(members.map((m) => m.agency));
  if (members.length < 2 || agencies.size !== members.length) {
    throw new ConcordError('COMMAND_INCONSISTENT', 'a unified command has one member from each of at least two agencies');
  }
  return { kind: 'unified', members: members.map((m) => ({ agency: m.agency, person: m.id })) };
}

function withAgencies(incident: Incident, agencies: readonly string[]): Incident {
  const missing = agencies.filter((a) => !incident.agencies.includes(a));
  return missing.length === 0 ? incident : { ...incident, agencies: [...incident.agencies, ...new Set(missing)] };
}

/** record that agencies take part in an incident (requests, liaison, command, units) */
export function joinIncident(w: WorldWriter, incident: string, agencies: readonly string[], eventType: string): void {
  const i = existing(w.world.incidents, incident, 'incident', eventType);
  const next = withAgencies(i, agencies);
  if (next !== i) w.put('incidents', i.id, next);
}

/**
 * A unit's assignment changed: the orders it had were spent by that change,
 * so they leave its standing orders (world.unitOrders) and no later order is
 * checked against them.
 */
function changeAssignment(w: WorldWriter, unit: Unit): void {
  w.put('units', unit.id, unit);
  if ((w.world.unitOrders[unit.id]?.length ?? 0) > 0) w.put('unitOrders', unit.id, []);
}

export function applyIncident(w: WorldWriter, e: IncidentEvent, meta: EventMeta): void {
  const at = meta.received;
  const id = e.incident;
  if (id === undefined) throw new ConcordError('LEDGER_CORRUPT', `${e.type} names no incident`);
  if (e.type === 'incident.opened') {
    const b = e.body;
    w.put('incidents', id, {
      id,
      name: b.name,
      location: b.location,
      ...(b.coordinates !== undefined ? { coordinates: b.coordinates } : {}),
      ...(b.description !== undefined ? { description: b.description } : {}),
      leadAgency: b.leadAgency,
      status: 'open',
      openedAt: at,
      openedBy: e.actor,
      commandHistory: [],
      liaisons: {},
      agencies: [b.leadAgency],
    });
    return;
  }
  const incident = existing(w.world.incidents, id, 'incident', e.type);
  switch (e.type) {
    case 'incident.updated': {
      const b = e.body;
      w.put('incidents', id, {
        ...incident,
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.location !== undefined ? { location: b.location } : {}),
        ...(b.coordinates !== undefined ? { coordinates: b.coordinates } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
      });
      return;
    }
    case 'incident.closed': {
      w.put('incidents', id, {
        ...incident,
        status: 'closed',
        closed: { at, reason: e.body.reason, by: e.actor, authority: e.body.authority },
      });
      // closing ends every assignment to the incident: the units return to their agencies
      for (const u of Object.values(w.world.units)) {
        if (u.assignment?.incident === id) {
          const { assignment: _ended, ...rest } = u;
          changeAssignment(w, rest);
        }
      }
      return;
    }
    case 'incident.command_established': {
      const structure = e.body.structure;
      const members = structure.kind === 'single' ? [structure.commander] : structure.members;
      const next: Incident = {
        ...incident,
        command: { structure, since: at, reason: e.body.reason, by: e.actor, authority: e.body.authority },
        commandHistory: incident.command === undefined ? incident.commandHistory : [...incident.commandHistory, incident.command],
      };
      w.put(
        'incidents',
        id,
        withAgencies(
          next,
          members.map((m) => m.agency),
        ),
      );
      return;
    }
    case 'incident.liaison_designated': {
      const next = { ...incident, liaisons: { ...incident.liaisons, [e.body.agency]: e.body.person } };
      w.put('incidents', id, withAgencies(next, [e.body.agency]));
      return;
    }
    case 'incident.unit_assigned': {
      const u = existing(w.world.units, e.body.unit, 'unit', e.type);
      changeAssignment(w, { ...u, assignment: { incident: id, since: at, ...(e.body.request !== undefined ? { request: e.body.request } : {}) } });
      w.put('incidents', id, withAgencies(incident, [u.agency]));
      return;
    }
    case 'incident.unit_released': {
      const u = existing(w.world.units, e.body.unit, 'unit', e.type);
      const { assignment: _ended, ...rest } = u;
      changeAssignment(w, rest);
      return;
    }
  }
}
