/**
 * Organisations: agencies, their positions (the standing chain of command),
 * people and their appointments, units, and delegations of authority. Setup
 * goes through the ledger like everything else, so the state rebuilds from
 * the ledger alone.
 *
 * Every change rests on an authority over what it changes, recorded in its
 * event: the agency's administration (the agency acting as itself, with no
 * person or device named: it registers the agency and keeps its
 * organisation), or a person's position (or a delegation of one) that
 * commands the position or unit concerned. Appointing or relieving needs a
 * position above the one filled; nobody appoints themselves. A device
 * changes nothing here. Every order and decision stands on this.
 */
import { ConcordError } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { agencyOf, authorityCommandsPosition, authorityCommandsUnit, chainAbove, incidentOf, isPositionOf, positionOf } from './command.ts';
import { checkActor, getPerson, getUnit, requireAgencyAuthority, requireAuthority, requireNew, requireReason, unknown, type DecideContext } from './checks.ts';
import { makeEvent, type DomainEvent, type EventMeta, type EventOf } from './events.ts';
import { incidentCommandContacts, notify } from './notifications.ts';
import { isBefore } from './time.ts';
import { describeActor, type Authority } from './values.ts';
import type { Delegation, World } from './world.ts';
import { existing, type WorldWriter } from './writer.ts';

export type OrganisationCommand =
  | CommandOf<'agency.register'>
  | CommandOf<'agency.configure'>
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
  | EventOf<'agency.configured'>
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
    throw new ConcordError('AGENCY_MISMATCH', `${what}: position ${position} belongs to ${p.agency}, not ${agency}`);
  }
}

function requireOwnPeople(world: World, agency: string, people: readonly string[], what: string): void {
  for (const id of people) {
    const p = getPerson(world, id);
    if (p.agency !== agency) throw new ConcordError('AGENCY_MISMATCH', `${what}: person ${id} belongs to ${p.agency}, not ${agency}`);
  }
}

/**
 * Filling or emptying a post: the person and the post are of the actor's
 * agency, and the authority is the administration or a position (held or
 * delegated) strictly above the post in its chain.
 */
function authorityOverPost(world: World, cmd: CommandOf<'person.appoint'> | CommandOf<'person.relieve'>, now: string, doing: string): Authority {
  const own = cmd.actor.agency;
  requireOwnPeople(world, own, [cmd.personId], doing);
  requireOwnPosition(world, own, cmd.positionId, doing);
  const above = (a: Authority): boolean => {
    const p = positionOf(a);
    return p !== undefined && chainAbove(world, cmd.positionId).includes(p);
  };
  return requireAgencyAuthority(world, cmd.actor, own, now, cmd.authority, above, `${doing} (a position above it does)`);
}

export function decideOrganisation(world: World, cmd: OrganisationCommand, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  if (cmd.type === 'agency.register') {
    requireNew(world.agencies[cmd.agencyId] !== undefined, 'agency', cmd.agencyId);
    if (actor.agency !== cmd.agencyId || actor.person !== undefined || actor.device !== undefined) {
      throw new ConcordError(
        'NOT_AUTHORISED',
        `registering agency ${cmd.agencyId} is for its administration (actor { agency: ${cmd.agencyId} }, no person or device)`,
      );
    }
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
    case 'agency.configure':
      return decideConfigure(world, cmd, ctx);
    case 'position.establish':
      return decideEstablish(world, cmd, ctx);
    case 'person.register': {
      const own = actor.agency;
      const id = cmd.personId ?? ctx.newId('person');
      requireNew(world.people[id] !== undefined, 'person', id);
      const authority = requireAgencyAuthority(
        world,
        actor,
        own,
        ctx.now,
        cmd.authority,
        (a) => isPositionOf(world, a, own),
        `registering person ${id} in ${own}`,
      );
      return [makeEvent('person.registered', actor, undefined, { person: id, agency: own, name: cmd.name, authority })];
    }
    case 'person.appoint':
      return decideAppoint(world, cmd, ctx);
    case 'person.relieve':
      return decideRelieve(world, cmd, ctx);
    case 'unit.register':
      return decideRegisterUnit(world, cmd, ctx);
    case 'unit.update':
      return decideUpdateUnit(world, cmd, ctx);
    case 'delegation.grant':
      return decideGrant(world, cmd, ctx);
    case 'delegation.revoke':
      return decideRevoke(world, cmd, ctx);
  }
}

/**
 * An agency's settings bind the whole agency (how long its people have to
 * acknowledge an urgent notice before it goes up its chain): its
 * administration sets them, or whoever holds (or is delegated) a position at
 * its top; nobody of another agency.
 */
function decideConfigure(world: World, cmd: CommandOf<'agency.configure'>, ctx: DecideContext): DomainEvent[] {
  const own = cmd.actor.agency;
  const authority = requireAgencyAuthority(
    world,
    cmd.actor,
    own,
    ctx.now,
    cmd.authority,
    (a) => {
      const p = positionOf(a);
      return p !== undefined && world.positions[p]?.agency === own && world.positions[p]?.reportsTo === undefined;
    },
    `configuring ${own} (its administration or a position at its top does)`,
  );
  return [makeEvent('agency.configured', cmd.actor, undefined, { agency: own, acknowledgeUrgentWithin: cmd.acknowledgeUrgentWithin, authority })];
}

function decideEstablish(world: World, cmd: CommandOf<'position.establish'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const own = actor.agency;
  const id = cmd.positionId ?? ctx.newId('position');
  requireNew(world.positions[id] !== undefined, 'position', id);
  const reportsTo = cmd.reportsTo;
  if (reportsTo !== undefined) requireOwnPosition(world, own, reportsTo, `position ${id} reports to`);
  const authority = requireAgencyAuthority(
    world,
    actor,
    own,
    ctx.now,
    cmd.authority,
    (a) => reportsTo !== undefined && authorityCommandsPosition(world, a, reportsTo),
    reportsTo === undefined ? `establishing ${id} at the top of ${own} (that is for its administration)` : `establishing position ${id} under ${reportsTo}`,
  );
  return [
    makeEvent('position.established', actor, undefined, {
      position: id,
      agency: own,
      title: cmd.title,
      reportsTo,
      rank: cmd.rank,
      handlesRequests: cmd.handlesRequests,
      authority,
    }),
  ];
}

function decideAppoint(world: World, cmd: CommandOf<'person.appoint'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const doing = `appointing ${cmd.personId} to ${cmd.positionId}`;
  getPerson(world, cmd.personId);
  if (world.positions[cmd.positionId] === undefined) throw unknown('position', cmd.positionId);
  const from = cmd.from ?? ctx.now;
  const overlapping = Object.values(world.appointments).find(
    (a) => a.person === cmd.personId && a.position === cmd.positionId && (a.until === undefined || isBefore(from, a.until)),
  );
  if (overlapping !== undefined) {
    throw new ConcordError('INVALID_TRANSITION', `${cmd.personId} already holds ${cmd.positionId} (appointment ${overlapping.id}); relieve first`);
  }
  const id = cmd.appointmentId ?? ctx.newId('appointment');
  requireNew(world.appointments[id] !== undefined, 'appointment', id);
  if (actor.person === cmd.personId) {
    throw new ConcordError('NOT_AUTHORISED', `${cmd.personId} cannot appoint themselves to ${cmd.positionId}; a position above it appoints`);
  }
  const authority = authorityOverPost(world, cmd, ctx.now, doing);
  return [makeEvent('person.appointed', actor, undefined, { appointment: id, person: cmd.personId, position: cmd.positionId, from: cmd.from, authority })];
}

function decideRelieve(world: World, cmd: CommandOf<'person.relieve'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const doing = `relieving ${cmd.personId} of ${cmd.positionId}`;
  getPerson(world, cmd.personId);
  if (world.positions[cmd.positionId] === undefined) throw unknown('position', cmd.positionId);
  const current = Object.values(world.appointments).find((a) => a.person === cmd.personId && a.position === cmd.positionId && a.until === undefined);
  if (current === undefined) {
    throw new ConcordError('INVALID_TRANSITION', `${cmd.personId} does not hold ${cmd.positionId}; nothing to relieve`);
  }
  const at = cmd.until ?? ctx.now;
  if (isBefore(at, current.from)) {
    throw new ConcordError('COMMAND_INCONSISTENT', `relief at ${at} is before the appointment began (${current.from})`);
  }
  const authority = authorityOverPost(world, cmd, ctx.now, doing);
  const reason = requireReason(cmd.reason, doing);
  return [makeEvent('person.relieved', actor, undefined, { appointment: current.id, reason, until: cmd.until, authority })];
}

function decideRegisterUnit(world: World, cmd: CommandOf<'unit.register'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const own = actor.agency;
  const id = cmd.unitId ?? ctx.newId('unit');
  requireNew(world.units[id] !== undefined, 'unit', id);
  const members = cmd.members ?? [];
  requireOwnPeople(world, own, members, `unit ${id}`);
  const supervisor = cmd.supervisor;
  if (supervisor !== undefined) requireOwnPosition(world, own, supervisor, `unit ${id} supervisor`);
  const unit = { id, agency: own, type: cmd.unitType, callsign: cmd.callsign, members, ...(supervisor !== undefined ? { supervisor } : {}) };
  const authority = requireAgencyAuthority(
    world,
    actor,
    own,
    ctx.now,
    cmd.authority,
    (a) => authorityCommandsUnit(world, a, unit),
    `registering unit ${id} under ${supervisor ?? `the top of ${own}`}`,
  );
  return [
    makeEvent('unit.registered', actor, undefined, { unit: id, agency: own, type: cmd.unitType, callsign: cmd.callsign, members, supervisor, authority }),
  ];
}

function decideUpdateUnit(world: World, cmd: CommandOf<'unit.update'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const unit = getUnit(world, cmd.unitId);
  const own = unit.agency;
  if (cmd.members !== undefined) requireOwnPeople(world, own, cmd.members, `unit ${unit.id}`);
  const supervisor = cmd.supervisor;
  if (supervisor !== undefined) requireOwnPosition(world, own, supervisor, `unit ${unit.id} supervisor`);
  if (cmd.unitType === undefined && cmd.callsign === undefined && cmd.members === undefined && supervisor === undefined) {
    throw new ConcordError('COMMAND_INCONSISTENT', `nothing to update on unit ${unit.id}`);
  }
  // whoever moves a unit must command it where it is and where it goes
  const authority = requireAgencyAuthority(
    world,
    actor,
    own,
    ctx.now,
    cmd.authority,
    (a) => authorityCommandsUnit(world, a, unit) && (supervisor === undefined || authorityCommandsPosition(world, a, supervisor)),
    `updating unit ${unit.id}${supervisor !== undefined ? ` (moving it under ${supervisor})` : ''}`,
  );
  return [
    makeEvent('unit.updated', actor, undefined, {
      unit: unit.id,
      type: cmd.unitType,
      callsign: cmd.callsign,
      members: cmd.members,
      supervisor,
      authority,
    }),
  ];
}

/** the agency whose authority a delegation hands on */
function delegatedAgency(world: World, d: Pick<Delegation, 'scope' | 'authority'>): string | undefined {
  return d.scope.kind === 'position' ? world.positions[d.scope.position]?.agency : agencyOf(world, d.authority);
}

function decideGrant(world: World, cmd: CommandOf<'delegation.grant'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const to = getPerson(world, cmd.to);
  const id = cmd.delegationId ?? ctx.newId('delegation');
  requireNew(world.delegations[id] !== undefined, 'delegation', id);
  if (actor.person === cmd.to) throw new ConcordError('COMMAND_INCONSISTENT', `${cmd.to} cannot delegate to themselves`);
  const from = cmd.from ?? ctx.now;
  if (cmd.until !== undefined && !isBefore(from, cmd.until)) {
    throw new ConcordError('COMMAND_INCONSISTENT', `delegation ${id} ends (${cmd.until}) before it begins (${from})`);
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
  // an agency's authority stays with its own people: handed to another agency's officer, it
  // would let him act on the first agency's units under his own agency's rules
  const agency = delegatedAgency(world, { scope, authority });
  if (agency !== to.agency) {
    throw new ConcordError(
      'AGENCY_MISMATCH',
      `${what}: ${to.id} belongs to ${to.agency}, and ${agency ?? 'this'} authority is delegated only within ${agency ?? 'its agency'}`,
    );
  }
  const reason = requireReason(cmd.reason, 'a delegation');
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
  return [
    granted,
    ...notify(
      actor,
      [...incidentCommandContacts(world, scope.incident), { agency: to.agency, person: to.id }],
      {
        topic: 'delegation.granted',
        incident: scope.incident,
        message: `${actor.person ?? actor.agency} delegated command of incident ${scope.incident} to ${to.id} (${to.agency})`,
        reason,
        urgent: false,
      },
      ctx,
    ),
  ];
}

function decideRevoke(world: World, cmd: CommandOf<'delegation.revoke'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const d = world.delegations[cmd.delegationId];
  if (d === undefined) throw unknown('delegation', cmd.delegationId);
  if (d.revoked !== undefined) throw new ConcordError('INVALID_TRANSITION', `delegation ${d.id} is already revoked`);
  let authority: Authority | undefined;
  if (actor.person === undefined || actor.person !== d.grantor) {
    // not the grantor: a position above the delegated authority, the same command seat, or the administration
    const agency = delegatedAgency(world, d) ?? actor.agency;
    const granted = d.authority;
    authority = requireAgencyAuthority(
      world,
      actor,
      agency,
      ctx.now,
      cmd.authority,
      (a) => {
        const p = positionOf(granted);
        if (p !== undefined) return authorityCommandsPosition(world, a, p);
        return (a.kind === 'incident_commander' || a.kind === 'unified_command') && incidentOf(a) === incidentOf(granted) && agencyOf(world, a) === agency;
      },
      `revoking delegation ${d.id} granted by ${d.grantor}`,
    );
  }
  const reason = requireReason(cmd.reason, `revoking delegation ${d.id}`);
  return [makeEvent('delegation.revoked', actor, undefined, { delegation: d.id, reason, authority })];
}

export function applyOrganisation(w: WorldWriter, e: OrganisationEvent, meta: EventMeta): void {
  const at = meta.received;
  switch (e.type) {
    case 'agency.registered': {
      const b = e.body;
      w.put('agencies', b.agency, { id: b.agency, name: b.name, kind: b.kind, jurisdiction: b.jurisdiction, registeredAt: at });
      return;
    }
    case 'agency.configured': {
      const a = existing(w.world.agencies, e.body.agency, 'agency', e.type);
      w.put('agencies', a.id, { ...a, acknowledgeUrgentWithin: e.body.acknowledgeUrgentWithin });
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
        grantedAt: at,
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
