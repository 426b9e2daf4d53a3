/**
 * Organisations: agencies, their positions (the standing chain of command),
 * people and their appointments, units, and delegations of authority. Each
 * agency sets up its own organisation: what is registered belongs to the
 * actor's agency. Setup goes through the ledger like everything else, so the
 * state rebuilds from the ledger alone.
 */
import { ConcordError } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { authorityCommandsPosition, positionOf } from './command.ts';
import {
  checkActor,
  getPerson,
  getUnit,
  requireActorAgency,
  requireAuthority,
  requireNew,
  requirePersonActor,
  requireReason,
  unknown,
  type DecideContext,
} from './checks.ts';
import { makeEvent, type DomainEvent, type EventMeta, type EventOf } from './events.ts';
import { incidentCommandContacts, notify } from './notifications.ts';
import { isBefore } from './time.ts';
import type { Authority } from './values.ts';
import type { World } from './world.ts';
import { existing, type WorldWriter } from './writer.ts';

export type OrganisationCommand =
  | CommandOf<'agency.register'>
  | CommandOf<'position.establish'>
  | CommandOf<'person.register'>
  | CommandOf<'person.appoint'>
  | CommandOf<'person.relieve'>
  | CommandOf<'unit.register'>
  | CommandOf<'unit.update'>
  | CommandOf<'delegation.grant'>
  | CommandOf<'delegation.revoke'>;

export type OrganisationEvent =
  | EventOf<'agency.registered'>
  | EventOf<'position.established'>
  | EventOf<'person.registered'>
  | EventOf<'person.appointed'>
  | EventOf<'person.relieved'>
  | EventOf<'unit.registered'>
  | EventOf<'unit.updated'>
  | EventOf<'delegation.granted'>
  | EventOf<'delegation.revoked'>;

function requireOwnPosition(world: World, agency: string, position: string, what: string): void {
  const p = world.positions[position];
  if (p === undefined) throw unknown('position', position);
  if (p.agency !== agency) {
    throw new ConcordError('NOT_AUTHORISED', `${what}: position ${position} belongs to ${p.agency}, not ${agency}`);
  }
}

function requireOwnPeople(world: World, agency: string, people: readonly string[], what: string): void {
  for (const id of people) {
    const p = getPerson(world, id);
    if (p.agency !== agency) throw new ConcordError('NOT_AUTHORISED', `${what}: person ${id} belongs to ${p.agency}, not ${agency}`);
  }
}

export function decideOrganisation(world: World, cmd: OrganisationCommand, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  if (cmd.type === 'agency.register') {
    requireNew(world.agencies[cmd.agencyId] !== undefined, 'agency', cmd.agencyId);
    requireActorAgency(actor, cmd.agencyId, `registering agency ${cmd.agencyId}`);
    return [
      makeEvent('agency.registered', actor, undefined, {
        agency: cmd.agencyId,
        name: cmd.name,
        kind: cmd.kind,
        jurisdiction: cmd.jurisdiction,
      }),
    ];
  }
  checkActor(world, actor);
  switch (cmd.type) {
    case 'position.establish': {
      const id = cmd.positionId ?? ctx.newId('position');
      requireNew(world.positions[id] !== undefined, 'position', id);
      if (cmd.reportsTo !== undefined) requireOwnPosition(world, actor.agency, cmd.reportsTo, `position ${id} reports to`);
      return [
        makeEvent('position.established', actor, undefined, {
          position: id,
          agency: actor.agency,
          title: cmd.title,
          reportsTo: cmd.reportsTo,
          rank: cmd.rank,
          handlesRequests: cmd.handlesRequests,
        }),
      ];
    }
    case 'person.register': {
      const id = cmd.personId ?? ctx.newId('person');
      requireNew(world.people[id] !== undefined, 'person', id);
      return [makeEvent('person.registered', actor, undefined, { person: id, agency: actor.agency, name: cmd.name })];
    }
    case 'person.appoint': {
      requireOwnPeople(world, actor.agency, [cmd.personId], 'appointment');
      requireOwnPosition(world, actor.agency, cmd.positionId, 'appointment');
      const from = cmd.from ?? ctx.now;
      const overlapping = Object.values(world.appointments).find(
        (a) => a.person === cmd.personId && a.position === cmd.positionId && (a.until === undefined || isBefore(from, a.until)),
      );
      if (overlapping !== undefined) {
        throw new ConcordError(
          'INVALID_TRANSITION',
          `${cmd.personId} already holds ${cmd.positionId} (appointment ${overlapping.id}); relieve first`,
        );
      }
      const id = cmd.appointmentId ?? ctx.newId('appointment');
      requireNew(world.appointments[id] !== undefined, 'appointment', id);
      return [
        makeEvent('person.appointed', actor, undefined, {
          appointment: id,
          person: cmd.personId,
          position: cmd.positionId,
          from: cmd.from,
        }),
      ];
    }
    case 'person.relieve': {
      requireOwnPeople(world, actor.agency, [cmd.personId], 'relief');
      const reason = requireReason(cmd.reason, `relieving ${cmd.personId} of ${cmd.positionId}`);
      const at = cmd.until ?? ctx.now;
      const current = Object.values(world.appointments).find(
        (a) => a.person === cmd.personId && a.position === cmd.positionId && a.until === undefined,
      );
      if (current === undefined) {
        throw new ConcordError('INVALID_TRANSITION', `${cmd.personId} does not hold ${cmd.positionId}; nothing to relieve`);
      }
      if (isBefore(at, current.from)) {
        throw new ConcordError('BAD_INPUT', `relief at ${at} is before the appointment began (${current.from})`);
      }
      return [makeEvent('person.relieved', actor, undefined, { appointment: current.id, reason, until: cmd.until })];
    }
    case 'unit.register': {
      const id = cmd.unitId ?? ctx.newId('unit');
      requireNew(world.units[id] !== undefined, 'unit', id);
      const members = cmd.members ?? [];
      requireOwnPeople(world, actor.agency, members, `unit ${id}`);
      if (cmd.supervisor !== undefined) requireOwnPosition(world, actor.agency, cmd.supervisor, `unit ${id} supervisor`);
      return [
        makeEvent('unit.registered', actor, undefined, {
          unit: id,
          agency: actor.agency,
          type: cmd.unitType,
          callsign: cmd.callsign,
          members,
          supervisor: cmd.supervisor,
        }),
      ];
    }
    case 'unit.update': {
      const unit = getUnit(world, cmd.unitId);
      requireActorAgency(actor, unit.agency, `updating unit ${unit.id}`);
      if (cmd.members !== undefined) requireOwnPeople(world, actor.agency, cmd.members, `unit ${unit.id}`);
      if (cmd.supervisor !== undefined) requireOwnPosition(world, actor.agency, cmd.supervisor, `unit ${unit.id} supervisor`);
      return [
        makeEvent('unit.updated', actor, undefined, {
          unit: unit.id,
          type: cmd.unitType,
          callsign: cmd.callsign,
          members: cmd.members,
          supervisor: cmd.supervisor,
        }),
      ];
    }
    case 'delegation.grant':
      return decideGrant(world, cmd, ctx);
    case 'delegation.revoke': {
      const d = world.delegations[cmd.delegationId];
      if (d === undefined) throw unknown('delegation', cmd.delegationId);
      const reason = requireReason(cmd.reason, `revoking delegation ${d.id}`);
      if (d.revoked !== undefined) throw new ConcordError('INVALID_TRANSITION', `delegation ${d.id} is already revoked`);
      const person = requirePersonActor(actor, `revoking delegation ${d.id}`);
      if (person !== d.grantor) {
        requireAuthority(
          world,
          actor,
          ctx.now,
          undefined,
          (a) => {
            const p = positionOf(d.authority);
            return p !== undefined && authorityCommandsPosition(world, a, p);
          },
          `revoking delegation ${d.id} granted by ${d.grantor}`,
        );
      }
      return [makeEvent('delegation.revoked', actor, undefined, { delegation: d.id, reason })];
    }
  }
}

function decideGrant(world: World, cmd: CommandOf<'delegation.grant'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  getPerson(world, cmd.to);
  const reason = requireReason(cmd.reason, 'a delegation');
  const id = cmd.delegationId ?? ctx.newId('delegation');
  requireNew(world.delegations[id] !== undefined, 'delegation', id);
  const from = cmd.from ?? ctx.now;
  if (cmd.until !== undefined && !isBefore(from, cmd.until)) {
    throw new ConcordError('BAD_INPUT', `delegation ${id} ends (${cmd.until}) before it begins (${from})`);
  }
  const scope = cmd.scope;
  let covers: (a: Authority) => boolean;
  let what: string;
  if (scope.kind === 'position') {
    if (world.positions[scope.position] === undefined) throw unknown('position', scope.position);
    // only authority held in one's own right can be delegated, not a delegation of it
    covers = (a) => a.kind === 'position' && authorityCommandsPosition(world, a, scope.position);
    what = `delegating the authority of position ${scope.position}`;
  } else {
    if (world.incidents[scope.incident] === undefined) throw unknown('incident', scope.incident);
    covers = (a) => (a.kind === 'incident_commander' || a.kind === 'unified_command') && a.incident === scope.incident;
    what = `delegating command of incident ${scope.incident}`;
  }
  const authority = requireAuthority(world, actor, ctx.now, cmd.authority, covers, what);
  const granted = makeEvent('delegation.granted', actor, scope.kind === 'incident_command' ? scope.incident : undefined, {
    delegation: id,
    to: cmd.to,
    scope,
    from: cmd.from,
    until: cmd.until,
    reason,
    authority,
  });
  if (scope.kind !== 'incident_command') return [granted];
  const to = getPerson(world, cmd.to);
  return [
    granted,
    ...notify(actor, [...incidentCommandContacts(world, scope.incident), { agency: to.agency, person: to.id }], {
      topic: 'delegation.granted',
      incident: scope.incident,
      message: `${actor.person ?? actor.agency} delegated command of incident ${scope.incident} to ${to.id} (${to.agency})`,
      reason,
      urgent: false,
    }, ctx),
  ];
}

export function applyOrganisation(w: WorldWriter, e: OrganisationEvent, meta: EventMeta): void {
  const at = meta.received;
  switch (e.type) {
    case 'agency.registered': {
      const b = e.body;
      w.put('agencies', b.agency, { id: b.agency, name: b.name, kind: b.kind, jurisdiction: b.jurisdiction, registeredAt: at });
      return;
    }
    case 'position.established': {
      const b = e.body;
      w.put('positions', b.position, {
        id: b.position,
        agency: b.agency,
        title: b.title,
        ...(b.reportsTo !== undefined ? { reportsTo: b.reportsTo } : {}),
        ...(b.rank !== undefined ? { rank: b.rank } : {}),
        ...(b.handlesRequests !== undefined ? { handlesRequests: b.handlesRequests } : {}),
      });
      return;
    }
    case 'person.registered':
      w.put('people', e.body.person, { id: e.body.person, agency: e.body.agency, name: e.body.name });
      return;
    case 'person.appointed': {
      const b = e.body;
      w.put('appointments', b.appointment, { id: b.appointment, person: b.person, position: b.position, from: b.from ?? at });
      return;
    }
    case 'person.relieved': {
      const a = existing(w.world.appointments, e.body.appointment, 'appointment', e.type);
      w.put('appointments', a.id, { ...a, until: e.body.until ?? at });
      return;
    }
    case 'unit.registered': {
      const b = e.body;
      w.put('units', b.unit, {
        id: b.unit,
        agency: b.agency,
        type: b.type,
        callsign: b.callsign,
        members: b.members,
        ...(b.supervisor !== undefined ? { supervisor: b.supervisor } : {}),
      });
      return;
    }
    case 'unit.updated': {
      const b = e.body;
      const u = existing(w.world.units, b.unit, 'unit', e.type);
      w.put('units', u.id, {
        ...u,
        ...(b.type !== undefined ? { type: b.type } : {}),
        ...(b.callsign !== undefined ? { callsign: b.callsign } : {}),
        ...(b.members !== undefined ? { members: b.members } : {}),
        ...(b.supervisor !== undefined ? { supervisor: b.supervisor } : {}),
      });
      return;
    }
    case 'delegation.granted': {
      const b = e.body;
      const grantor = e.actor.person;
      if (grantor === undefined) throw new ConcordError('LEDGER_CORRUPT', `delegation.granted ${b.delegation} names no grantor`);
      w.put('delegations', b.delegation, {
        id: b.delegation,
        grantor,
        to: b.to,
        scope: b.scope,
        authority: b.authority,
        from: b.from ?? at,
        ...(b.until !== undefined ? { until: b.until } : {}),
        reason: b.reason,
      });
      return;
    }
    case 'delegation.revoked': {
      const d = existing(w.world.delegations, e.body.delegation, 'delegation', e.type);
      w.put('delegations', d.id, { ...d, revoked: { at, reason: e.body.reason, by: e.actor } });
      return;
    }
  }
}
