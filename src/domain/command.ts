/**
 * Chain of command and authority: who holds which position when, which
 * positions and units a position commands, who has operational direction on an
 * incident, and which authorities an actor can rest a decision on.
 *
 * The model: each agency's positions form a tree through `reportsTo`; a
 * position commands itself and everything below it. A unit is commanded from
 * its supervising position (or, with none, from the agency's top positions).
 * Operational direction on an incident rests with its incident commander or
 * unified command members (and whoever they delegate it to), and covers only
 * units assigned to that incident; the home agency's chain keeps command of its
 * units throughout (administrative control), so it can always recall them.
 */
import { sameAuthority, type Authority } from './values.ts';
import type { Delegation, Incident, Unit, World } from './world.ts';
import { isAtOrBefore, isBefore, isWithin } from './time.ts';

/** positions a person holds at a moment */
export function positionsHeld(world: World, person: string, at: string): string[] {
  const held: string[] = [];
  for (const a of Object.values(world.appointments)) {
    if (a.person === person && isWithin(at, a.from, a.until)) held.push(a.position);
  }
  return held.sort();
}

/** people holding a position at a moment */
export function holdersOf(world: World, position: string, at: string): string[] {
  const holders: string[] = [];
  for (const a of Object.values(world.appointments)) {
    if (a.position === position && isWithin(at, a.from, a.until)) holders.push(a.person);
  }
  return [...new Set(holders)].sort();
}

/**
 * A delegation is active within its period, until revoked, and only while its
 * grantor still holds the authority it was granted on, without a break:
 * relieving the grantor of the position, or a new incident command, ends it
 * for good (a later appointment or command is not the one it was granted
 * on). Nobody can hand on more than they hold, nor keep it through someone
 * else.
 */
export function isDelegationActive(world: World, d: Delegation, at: string): boolean {
  return isWithin(at, d.from, d.until) && (d.revoked === undefined || isWithin(at, undefined, d.revoked.at)) && grantorHolds(world, d, at);
}

function grantorHolds(world: World, d: Delegation, at: string): boolean {
  const a = d.authority;
  if (a.kind === 'position') {
    // the appointment the grantor held when granting still stands
    return Object.values(world.appointments).some(
      (x) => x.person === d.grantor && x.position === a.position && isAtOrBefore(x.from, d.grantedAt) && (x.until === undefined || isBefore(at, x.until)),
    );
  }
  if (a.kind === 'incident_commander' || a.kind === 'unified_command') {
    // the command structure it was granted under is still the incident's
    const incident = world.incidents[a.incident];
    const command = incident?.command;
    return (
      incident !== undefined &&
      command !== undefined &&
      isAtOrBefore(command.since, d.grantedAt) &&
      incidentRoles(incident, d.grantor).some((r) => sameAuthority(r, a))
    );
  }
  // only authority held in one's own right is delegated (agencies.ts)
  return false;
}

/** the positions above a position, nearest first */
export function chainAbove(world: World, position: string): string[] {
  const chain: string[] = [];
  const seen = new Set([position]);
  let next = world.positions[position]?.reportsTo;
  while (next !== undefined && !seen.has(next)) {
    chain.push(next);
    seen.add(next);
    next = world.positions[next]?.reportsTo;
  }
  return chain;
}

/** a position commands itself and every position below it in its agency's chain */
export function commandsPosition(world: World, superior: string, subordinate: string): boolean {
  return superior === subordinate || chainAbove(world, subordinate).includes(superior);
}

/** the top positions of an agency (those reporting to no one) */
export function topPositions(world: World, agency: string): string[] {
  return Object.values(world.positions)
    .filter((p) => p.agency === agency && p.reportsTo === undefined)
    .map((p) => p.id)
    .sort();
}

/** a unit is commanded from its supervising position up, or from the agency's top if it has none */
export function commandsUnit(world: World, position: string, unit: Unit): boolean {
  const p = world.positions[position];
  if (p === undefined || p.agency !== unit.agency) return false;
  if (unit.supervisor === undefined) return p.reportsTo === undefined;
  return commandsPosition(world, position, unit.supervisor);
}

/** the position an authority carries, for position and delegation authorities */
export function positionOf(a: Authority): string | undefined {
  return a.kind === 'position' || a.kind === 'delegation' ? a.position : undefined;
}

/** the incident an authority gives operational direction on, for incident command authorities */
export function incidentOf(a: Authority): string | undefined {
  return a.kind === 'incident_commander' || a.kind === 'unified_command' || a.kind === 'incident_delegation' ? a.incident : undefined;
}

/**
 * The agency an authority belongs to: a position's agency, the unified
 * command seat's agency, the incident commander's agency, the agency of the
 * command role a delegation of command was granted on, the administered
 * agency. The deadline clock belongs to none.
 */
export function agencyOf(world: World, a: Authority): string | undefined {
  switch (a.kind) {
    case 'position':
    case 'delegation':
      return world.positions[a.position]?.agency;
    case 'unified_command':
    case 'agency_administration':
      return a.agency;
    case 'incident_commander': {
      const s = world.incidents[a.incident]?.command?.structure;
      return s?.kind === 'single' ? s.commander.agency : undefined;
    }
    case 'incident_delegation': {
      const granted = world.delegations[a.delegation]?.authority;
      return granted === undefined || granted.kind === 'incident_delegation' ? undefined : agencyOf(world, granted);
    }
    case 'response_deadline':
      return undefined;
  }
}

/** a position (held or delegated) of this agency: its standing chain, not an incident role */
export function isPositionOf(world: World, a: Authority, agency: string): boolean {
  const p = positionOf(a);
  return p !== undefined && world.positions[p]?.agency === agency;
}

/** incident command roles a person holds on an incident */
export function incidentRoles(incident: Incident, person: string): Authority[] {
  const structure = incident.command?.structure;
  if (structure === undefined || incident.status !== 'open') return [];
  if (structure.kind === 'single') {
    return structure.commander.person === person ? [{ kind: 'incident_commander', incident: incident.id }] : [];
  }
  return structure.members.filter((m) => m.person === person).map((m) => ({ kind: 'unified_command', incident: incident.id, agency: m.agency }));
}

/**
 * Every authority a person holds at a moment, in a stable order: positions,
 * delegated positions, incident command roles, delegated incident command.
 */
export function heldAuthorities(world: World, person: string, at: string): Authority[] {
  const out: Authority[] = positionsHeld(world, person, at).map((position) => ({ kind: 'position', position }));
  const delegations = Object.values(world.delegations)
    .filter((d) => d.to === person && isDelegationActive(world, d, at))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const d of delegations) {
    if (d.scope.kind === 'position') out.push({ kind: 'delegation', delegation: d.id, position: d.scope.position });
  }
  const incidents = Object.values(world.incidents).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const i of incidents) out.push(...incidentRoles(i, person));
  for (const d of delegations) {
    if (d.scope.kind === 'incident_command' && world.incidents[d.scope.incident]?.status === 'open') {
      out.push({ kind: 'incident_delegation', delegation: d.id, incident: d.scope.incident });
    }
  }
  return out;
}

/** does an authority command a position (position and delegation authorities only)? */
export function authorityCommandsPosition(world: World, a: Authority, position: string): boolean {
  const p = positionOf(a);
  return p !== undefined && commandsPosition(world, p, position);
}

/**
 * What lets a person approve for `role`: of the authority they act on
 * (`chosen`, looked at first) and those they hold at `now`, one that commands
 * the role's position (the role itself, a position above it, or a delegation
 * of either).
 */
export function approvingAuthority(world: World, chosen: Authority, person: string, now: string, role: string): Authority | undefined {
  return [chosen, ...heldAuthorities(world, person, now)].find((a) => authorityCommandsPosition(world, a, role));
}

/** does an authority command a unit through its home agency's chain (administrative control)? */
export function authorityCommandsUnit(world: World, a: Authority, unit: Unit): boolean {
  const p = positionOf(a);
  return p !== undefined && commandsUnit(world, p, unit);
}

/** does an authority give operational direction over a unit (assigned to the authority's incident)? */
export function authorityDirectsUnit(a: Authority, unit: Unit): boolean {
  const incident = incidentOf(a);
  return incident !== undefined && unit.assignment?.incident === incident;
}

/** one position a person holds, and what it commands: the positions below it and the units supervised from them */
export interface HeldPosition {
  readonly id: string;
  readonly title: string;
  readonly agency: string;
  readonly reportsTo?: string;
  /** the positions it commands: itself and every one below it */
  readonly positions: readonly string[];
  /** the units it commands through its agency's chain (administrative control) */
  readonly units: readonly string[];
}

/**
 * What a person stands on at a moment: the positions they hold (in their
 * own right or delegated) with what each commands, and every authority they
 * may rest a decision on (heldAuthorities). The console shows the forms
 * these allow; the domain still judges every command on its own.
 */
export function standingOf(world: World, person: string, at: string): { readonly positions: HeldPosition[]; readonly authorities: Authority[] } {
  const authorities = heldAuthorities(world, person, at);
  const ids = [...new Set(authorities.map(positionOf).filter((p): p is string => p !== undefined))];
  const positions: HeldPosition[] = [];
  for (const id of ids) {
    const p = world.positions[id];
    if (p === undefined) continue;
    const below = Object.values(world.positions)
      .filter((x) => x.agency === p.agency && commandsPosition(world, id, x.id))
      .map((x) => x.id)
      .sort();
    const units = Object.values(world.units)
      .filter((u) => commandsUnit(world, id, u))
      .map((u) => u.id)
      .sort();
    positions.push({ id, title: p.title, agency: p.agency, ...(p.reportsTo !== undefined ? { reportsTo: p.reportsTo } : {}), positions: below, units });
  }
  return { positions, authorities };
}
