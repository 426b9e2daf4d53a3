/**
 * Decisions on assistance requests: every command on a request is checked
 * against the state machine (requests.ts), the actor's side (requester or
 * receiver), the authority it rests on and — for accepting — the protocol
 * verdict. Each decision records actor, authority and reason, and tells the
 * other side.
 */
import { ConcordError } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { agencyOf, approvingAuthority, authorityCommandsPosition, authorityCommandsUnit, topPositions } from './command.ts';
import {
  checkActor,
  getOpenIncident,
  getRequest,
  getUnit,
  requireActorAgency,
  requireAuthority,
  requireNew,
  requireNotProhibited,
  requireReason,
  unknown,
  type DecideContext,
} from './checks.ts';
import { makeEvent, type DomainEvent } from './events.ts';
import { directsIncident } from './incidents.ts';
import { agencyContacts, incidentCommandContacts, notify, positionContacts, requesterContacts } from './notifications.ts';
import { decideOrder } from './orders.ts';
import { RESPONSE_SECONDS, activeUnits, requireAction } from './requests.ts';
import { isAtOrBefore } from './time.ts';
import { describeAuthority, type Actor, type Authority } from './values.ts';
import type { AssistanceRequest, World } from './world.ts';

export type RequestCommand =
  | CommandOf<'request.send'>
  | CommandOf<'request.receive'>
  | CommandOf<'request.evaluate'>
  | CommandOf<'request.approve'>
  | CommandOf<'request.accept'>
  | CommandOf<'request.accept_partly'>
  | CommandOf<'request.decline'>
  | CommandOf<'request.escalate'>
  | CommandOf<'request.commit'>
  | CommandOf<'request.report_on_scene'>
  | CommandOf<'request.withdraw'>
  | CommandOf<'request.release'>
  | CommandOf<'request.close'>
  | CommandOf<'request.cancel'>;

/** the receiving agency's desk for requests: its request-handling position, else its top */
export function defaultResponsible(world: World, agency: string): string | undefined {
  const desks = Object.values(world.positions)
    .filter((p) => p.agency === agency && p.handlesRequests === true)
    .map((p) => p.id)
    .sort();
  return desks[0] ?? topPositions(world, agency)[0];
}

/** answering for the receiving agency: a position at or above the one now responsible */
function answersFor(world: World, r: AssistanceRequest): (a: Authority) => boolean {
  return (a) =>
    r.responsible === undefined
      ? agencyOf(world, a) === r.to && a.kind !== 'unified_command'
      : authorityCommandsPosition(world, a, r.responsible);
}

/** acting for the requesting side: a position of the requesting agency, or the incident's command */
function actsForRequester(world: World, r: AssistanceRequest): (a: Authority) => boolean {
  return (a) => (a.kind !== 'unified_command' && agencyOf(world, a) === r.from) || directsIncident(a, r.incident);
}

/** the position whose approval a needs_approval verdict names (it must be a position of the receiving agency) */
function approvalRole(world: World, r: AssistanceRequest): string {
  const role = r.verdict?.approvalRole ?? r.responsible;
  if (role === undefined) {
    throw new ConcordError('APPROVAL_REQUIRED', `the verdict on request ${r.id} needs approval but names no role`);
  }
  const p = world.positions[role];
  if (p === undefined || p.agency !== r.to) {
    throw new ConcordError('APPROVAL_REQUIRED', `approval role ${role} is not a position of ${r.to}; nobody can approve request ${r.id}`);
  }
  return role;
}

function verdictText(r: AssistanceRequest): string {
  const v = r.verdict;
  if (v === undefined) return 'no verdict';
  const clauses = v.clauses.map((c) => c.id).join(', ');
  return `${v.decision} under ${v.policyVersion}${clauses === '' ? '' : ` (${clauses})`}`;
}

function checkUnitsCommitted(r: AssistanceRequest, units: readonly string[]): void {
  const active = activeUnits(r);
  for (const u of units) {
    if (!active.includes(u)) throw new ConcordError('INVALID_TRANSITION', `unit ${u} is not committed to request ${r.id}`);
  }
}

export function decideRequest(world: World, cmd: RequestCommand, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  checkActor(world, actor);
  if (cmd.type === 'request.send') return decideSend(world, cmd, ctx);
  const r = getRequest(world, cmd.requestId);
  const inc = r.incident;
  const toRequester = (): ReturnType<typeof requesterContacts> => requesterContacts(world, r);
  const toCommand = (): ReturnType<typeof incidentCommandContacts> => incidentCommandContacts(world, inc);

  switch (cmd.type) {
    case 'request.receive': {
      requireAction(r, 'receive');
      requireActorAgency(actor, r.to, `receiving request ${r.id}`);
      return [
        makeEvent('request.received', actor, inc, { request: r.id }),
        ...notify(actor, toRequester(), {
          topic: 'request.received',
          incident: inc,
          request: r.id,
          message: `${r.to} received request ${r.id}`,
          urgent: false,
        }, ctx),
      ];
    }
    case 'request.evaluate': {
      requireAction(r, 'evaluate');
      requireActorAgency(actor, r.to, `evaluating request ${r.id}`);
      if (cmd.verdict.agency !== r.to) {
        throw new ConcordError('BAD_INPUT', `request ${r.id} is answered under ${r.to}'s protocols, not ${cmd.verdict.agency}'s`);
      }
      return [makeEvent('request.evaluated', actor, inc, { request: r.id, verdict: cmd.verdict })];
    }
    case 'request.approve': {
      requireAction(r, 'approve');
      requireActorAgency(actor, r.to, `approving request ${r.id}`);
      if (r.verdict?.decision !== 'needs_approval') {
        throw new ConcordError('INVALID_TRANSITION', `request ${r.id} has verdict ${verdictText(r)}; there is nothing to approve`);
      }
      if (r.approval !== undefined) {
        throw new ConcordError('INVALID_TRANSITION', `request ${r.id} is already approved by ${r.approval.by.person ?? r.approval.by.agency}`);
      }
      const reason = requireReason(cmd.reason, `approving request ${r.id}`);
      const role = approvalRole(world, r);
      let authority: Authority;
      try {
        authority = requireAuthority(world, actor, ctx.now, cmd.authority, (a) => authorityCommandsPosition(world, a, role), `approving request ${r.id} (needs ${role})`);
      } catch (e) {
        if (e instanceof ConcordError && e.code === 'NOT_AUTHORISED') throw new ConcordError('APPROVAL_REQUIRED', e.message);
        throw e;
      }
      return [makeEvent('request.approved', actor, inc, { request: r.id, role, reason, authority })];
    }
    case 'request.accept':
    case 'request.accept_partly':
      return decideAccept(world, cmd, r, ctx);
    case 'request.decline': {
      requireAction(r, 'decline');
      requireActorAgency(actor, r.to, `declining request ${r.id}`);
      const reason = requireReason(cmd.reason, `declining request ${r.id}`);
      const authority = requireAuthority(world, actor, ctx.now, cmd.authority, answersFor(world, r), `declining request ${r.id}`);
      return [
        makeEvent('request.declined', actor, inc, { request: r.id, reason, authority }),
        ...notify(actor, [...toRequester(), ...toCommand()], {
          topic: 'request.declined',
          incident: inc,
          request: r.id,
          message: `${r.to} declined request ${r.id}`,
          reason,
          urgent: r.urgency !== 'routine',
        }, ctx),
      ];
    }
    case 'request.escalate':
      return decideEscalate(world, cmd, r, ctx);
    case 'request.commit': {
      requireAction(r, 'commit');
      requireActorAgency(actor, r.to, `committing units to request ${r.id}`);
      getOpenIncident(world, inc);
      const ids = [...new Set(cmd.units)];
      if (ids.length === 0) throw new ConcordError('BAD_INPUT', `committing to request ${r.id} needs at least one unit`);
      const units = ids.map((id) => getUnit(world, id));
      for (const u of units) {
        if (u.agency !== r.to) throw new ConcordError('BAD_INPUT', `unit ${u.id} belongs to ${u.agency}, not ${r.to}`);
        if (u.commitment !== undefined) {
          throw new ConcordError('INVALID_TRANSITION', `unit ${u.id} is already committed to request ${u.commitment}`);
        }
        if (u.assignment !== undefined && u.assignment.incident !== inc) {
          throw new ConcordError('INVALID_TRANSITION', `unit ${u.id} is assigned to incident ${u.assignment.incident}`);
        }
      }
      if (r.answer?.kind === 'partly_accepted' && r.answer.count !== undefined && r.commitments.length + ids.length > r.answer.count) {
        throw new ConcordError(
          'INVALID_TRANSITION',
          `request ${r.id} was partly accepted for ${r.answer.count} unit(s); ${r.commitments.length} already committed, ${ids.length} more would exceed it`,
        );
      }
      const authority = requireAuthority(
        world,
        actor,
        ctx.now,
        cmd.authority,
        (a) => units.every((u) => authorityCommandsUnit(world, a, u)),
        `committing ${ids.join(', ')} to request ${r.id}`,
        'NOT_IN_CHAIN_OF_COMMAND',
      );
      const reason = cmd.reason?.trim() === '' ? undefined : cmd.reason;
      return [
        makeEvent('request.units_committed', actor, inc, { request: r.id, units: ids, authority, reason }),
        ...units
          .filter((u) => u.assignment === undefined)
          .map((u) => makeEvent('incident.unit_assigned', actor, inc, { unit: u.id, request: r.id, authority })),
        ...notify(actor, [...toRequester(), ...toCommand()], {
          topic: 'request.units_committed',
          incident: inc,
          request: r.id,
          units: ids,
          message: `${r.to} committed ${units.map((u) => u.callsign).join(', ')} to request ${r.id}`,
          urgent: false,
        }, ctx),
      ];
    }
    case 'request.report_on_scene': {
      requireAction(r, 'report_on_scene');
      requireParty(actor, r);
      const ids = [...new Set(cmd.units)];
      if (ids.length === 0) throw new ConcordError('BAD_INPUT', 'name the units on scene');
      checkUnitsCommitted(r, ids);
      const already = r.commitments.filter((c) => c.ended === undefined && c.onSceneAt !== undefined && ids.includes(c.unit));
      if (already.length > 0) {
        throw new ConcordError('INVALID_TRANSITION', `unit ${already.map((c) => c.unit).join(', ')} already on scene for request ${r.id}`);
      }
      return [
        makeEvent('request.units_on_scene', actor, inc, { request: r.id, units: ids }),
        ...notify(actor, [...toRequester(), ...toCommand()], {
          topic: 'request.units_on_scene',
          incident: inc,
          request: r.id,
          units: ids,
          message: `${ids.join(', ')} on scene for request ${r.id}`,
          urgent: false,
        }, ctx),
      ];
    }
    case 'request.withdraw': {
      requireAction(r, 'withdraw');
      requireActorAgency(actor, r.to, `withdrawing units from request ${r.id}`);
      const reason = requireReason(cmd.reason, `withdrawing units from request ${r.id}`);
      const ids = cmd.units === undefined ? activeUnits(r) : [...new Set(cmd.units)];
      if (ids.length === 0) throw new ConcordError('BAD_INPUT', `no units to withdraw from request ${r.id}`);
      checkUnitsCommitted(r, ids);
      // a withdrawal is an order to the units: the same authority check, record and notices
      return decideOrder(
        world,
        {
          type: 'order.issue',
          actor,
          ...(cmd.orderId !== undefined ? { orderId: cmd.orderId } : {}),
          incidentId: inc,
          directive: 'withdraw',
          units: ids,
          rationale: reason,
          ...(cmd.authority !== undefined ? { authority: cmd.authority } : {}),
        },
        ctx,
        { chainOnly: true },
      );
    }
    case 'request.release': {
      requireAction(r, 'release');
      const reason = requireReason(cmd.reason, `releasing units from request ${r.id}`);
      const authority = requireAuthority(world, actor, ctx.now, cmd.authority, actsForRequester(world, r), `releasing units from request ${r.id}`);
      const ids = cmd.units === undefined ? activeUnits(r) : [...new Set(cmd.units)];
      if (ids.length === 0) throw new ConcordError('BAD_INPUT', `no units to release from request ${r.id}`);
      checkUnitsCommitted(r, ids);
      return [
        makeEvent('request.units_released', actor, inc, { request: r.id, units: ids, reason, authority }),
        ...ids
          .filter((u) => world.units[u]?.assignment?.incident === inc)
          .map((u) => makeEvent('incident.unit_released', actor, inc, { unit: u, reason, authority })),
        ...notify(actor, [...agencyContacts(world, r.to, inc), ...toCommand()], {
          topic: 'request.units_released',
          incident: inc,
          request: r.id,
          units: ids,
          message: `${r.from} released ${ids.join(', ')} from request ${r.id}`,
          reason,
          urgent: false,
        }, ctx),
      ];
    }
    case 'request.close': {
      requireAction(r, 'close');
      requireParty(actor, r);
      const reason = requireReason(cmd.reason, `closing request ${r.id}`);
      const authority = requireAuthority(
        world,
        actor,
        ctx.now,
        cmd.authority,
        (a) => actsForRequester(world, r)(a) || (a.kind !== 'unified_command' && agencyOf(world, a) === r.to),
        `closing request ${r.id}`,
      );
      const other = actor.agency === r.from ? agencyContacts(world, r.to, inc) : toRequester();
      return [
        makeEvent('request.closed', actor, inc, { request: r.id, reason, authority }),
        ...notify(actor, other, {
          topic: 'request.closed',
          incident: inc,
          request: r.id,
          message: `request ${r.id} closed`,
          reason,
          urgent: false,
        }, ctx),
      ];
    }
    case 'request.cancel': {
      if (r.state === 'units_committed' || r.state === 'on_scene') {
        throw new ConcordError('INVALID_TRANSITION', `request ${r.id} is ${r.state}; cannot cancel it: units are committed, release them instead`, {
          state: r.state,
          action: 'cancel',
        });
      }
      requireAction(r, 'cancel');
      requireActorAgency(actor, r.from, `cancelling request ${r.id}`);
      const reason = requireReason(cmd.reason, `cancelling request ${r.id}`);
      const authority = requireAuthority(world, actor, ctx.now, cmd.authority, actsForRequester(world, r), `cancelling request ${r.id}`);
      return [
        makeEvent('request.cancelled', actor, inc, { request: r.id, reason, authority }),
        ...notify(actor, [...positionContacts(world, r.to, r.responsible, ctx.now), ...agencyContacts(world, r.to, inc)], {
          topic: 'request.cancelled',
          incident: inc,
          request: r.id,
          message: `${r.from} cancelled request ${r.id}`,
          reason,
          urgent: r.urgency !== 'routine',
        }, ctx),
      ];
    }
  }
}

function decideSend(world: World, cmd: CommandOf<'request.send'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const incident = getOpenIncident(world, cmd.incidentId);
  if (world.agencies[cmd.to] === undefined) throw unknown('agency', cmd.to);
  if (cmd.to === actor.agency) throw new ConcordError('BAD_INPUT', 'an agency does not send an assistance request to itself');
  const id = cmd.requestId ?? ctx.newId('request');
  requireNew(world.requests[id] !== undefined, 'request', id);
  if (cmd.toPosition !== undefined) {
    const p = world.positions[cmd.toPosition];
    if (p === undefined) throw unknown('position', cmd.toPosition);
    if (p.agency !== cmd.to) throw new ConcordError('BAD_INPUT', `position ${p.id} belongs to ${p.agency}, not ${cmd.to}`);
  }
  const responsible = cmd.toPosition ?? defaultResponsible(world, cmd.to);
  const units = `${cmd.unitsRequested} unit${cmd.unitsRequested === 1 ? '' : 's'}`;
  return [
    makeEvent('request.sent', actor, incident.id, {
      request: id,
      from: actor.agency,
      to: cmd.to,
      requester: actor.person,
      category: cmd.category,
      urgency: cmd.urgency,
      operation: cmd.operation,
      description: cmd.description,
      unitsRequested: cmd.unitsRequested,
      location: cmd.location,
      responsible,
      responseSeconds: RESPONSE_SECONDS[cmd.urgency],
    }),
    ...notify(actor, [...positionContacts(world, cmd.to, responsible, ctx.now), ...agencyContacts(world, cmd.to, incident.id)], {
      topic: 'request.sent',
      incident: incident.id,
      request: id,
      message: `${actor.agency} requests ${units} (${cmd.category}, ${cmd.urgency}): ${cmd.description}`,
      urgent: cmd.urgency !== 'routine',
    }, ctx),
  ];
}

function decideAccept(
  world: World,
  cmd: CommandOf<'request.accept'> | CommandOf<'request.accept_partly'>,
  r: AssistanceRequest,
  ctx: DecideContext,
): DomainEvent[] {
  const actor = cmd.actor;
  const partly = cmd.type === 'request.accept_partly';
  requireAction(r, partly ? 'accept_partly' : 'accept');
  requireActorAgency(actor, r.to, `accepting request ${r.id}`);
  getOpenIncident(world, r.incident);
  const v = r.verdict;
  if (v === undefined) {
    throw new ConcordError('INVALID_TRANSITION', `request ${r.id} is ${r.state} without a verdict; evaluate it before accepting`);
  }
  requireNotProhibited(v, `request ${r.id} cannot be accepted`);
  const reason = requireReason(cmd.reason, `accepting request ${r.id}`);
  const authority = requireAuthority(world, actor, ctx.now, cmd.authority, answersFor(world, r), `accepting request ${r.id}`);
  let approval: { role: string; authority: Authority } | undefined;
  if (v.decision === 'needs_approval') {
    const role = approvalRole(world, r);
    if (r.approval !== undefined) {
      approval = { role: r.approval.role, authority: r.approval.authority };
    } else {
      const person = actor.person ?? '';
      const own = approvingAuthority(world, authority, person, ctx.now, role);
      if (own === undefined) {
        throw new ConcordError(
          'APPROVAL_REQUIRED',
          `request ${r.id} needs approval by ${role} (${world.positions[role]?.title ?? role}); ${person} holds neither it, a position above it, nor a delegation of it`,
          { role },
        );
      }
      approval = { role, authority: own };
    }
  }
  let count: number | undefined;
  let units: string[] | undefined;
  if (cmd.type === 'request.accept_partly') {
    count = cmd.count;
    if (count >= r.unitsRequested) {
      throw new ConcordError('BAD_INPUT', `a partial acceptance sends fewer than the ${r.unitsRequested} unit(s) requested; accept instead`);
    }
    if (cmd.units !== undefined) {
      units = [...new Set(cmd.units)];
      for (const id of units) {
        const u = getUnit(world, id);
        if (u.agency !== r.to) throw new ConcordError('BAD_INPUT', `unit ${u.id} belongs to ${u.agency}, not ${r.to}`);
      }
      if (units.length > count) throw new ConcordError('BAD_INPUT', `${units.length} units named for a partial acceptance of ${count}`);
    }
  }
  const base = { request: r.id, reason, authority, ...(approval !== undefined ? { approval } : {}) };
  const event =
    count === undefined
      ? makeEvent('request.accepted', actor, r.incident, base)
      : makeEvent('request.partly_accepted', actor, r.incident, { ...base, count, ...(units !== undefined ? { units } : {}) });
  const what = count === undefined ? 'accepted' : `partly accepted (${count} of ${r.unitsRequested} units)`;
  return [
    event,
    ...notify(actor, [...requesterContacts(world, r), ...incidentCommandContacts(world, r.incident)], {
      topic: event.type,
      incident: r.incident,
      request: r.id,
      message: `${r.to} ${what} request ${r.id}; verdict ${verdictText(r)}`,
      reason,
      urgent: r.urgency !== 'routine',
    }, ctx),
  ];
}

function decideEscalate(world: World, cmd: CommandOf<'request.escalate'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireAction(r, 'escalate');
  requireActorAgency(actor, r.to, `escalating request ${r.id}`);
  const reason = requireReason(cmd.reason, `escalating request ${r.id}`);
  const from = r.responsible;
  const to = from === undefined ? undefined : world.positions[from]?.reportsTo;
  if (to === undefined) {
    throw new ConcordError(
      'INVALID_TRANSITION',
      `request ${r.id} is with ${from ?? 'no position'}, the top of ${r.to}'s chain; there is no one to escalate to`,
      { state: r.state, action: 'escalate' },
    );
  }
  let authority: Authority;
  if (cmd.automatic === true) {
    if (r.deadline === undefined || !isAtOrBefore(r.deadline, ctx.now)) {
      throw new ConcordError('INVALID_TRANSITION', `request ${r.id} is not overdue (deadline ${r.deadline ?? 'none'}, now ${ctx.now})`, {
        state: r.state,
        action: 'escalate',
      });
    }
    authority = { kind: 'response_deadline', deadline: r.deadline };
  } else {
    authority = requireAuthority(world, actor, ctx.now, cmd.authority, answersFor(world, r), `escalating request ${r.id}`);
  }
  const toTitle = world.positions[to]?.title ?? to;
  return [
    makeEvent('request.escalated', actor, r.incident, {
      request: r.id,
      ...(from !== undefined ? { from } : {}),
      to,
      reason,
      authority,
      responseSeconds: r.responseSeconds,
    }),
    ...notify(actor, positionContacts(world, r.to, to, ctx.now), {
      topic: 'request.escalated',
      incident: r.incident,
      request: r.id,
      message: `request ${r.id} from ${r.from} (${r.category}, ${r.urgency}) escalated to you (${toTitle}): ${r.description}`,
      reason,
      urgent: true,
    }, ctx),
    ...notify(actor, requesterContacts(world, r), {
      topic: 'request.escalated',
      incident: r.incident,
      request: r.id,
      message: `${r.to} escalated request ${r.id} to ${toTitle} (${describeAuthority(authority)})`,
      reason,
      urgent: false,
    }, ctx),
  ];
}

/** only the requesting and the asked agency act on a request after it is sent */
function requireParty(actor: Actor, r: AssistanceRequest): void {
  if (actor.agency !== r.to && actor.agency !== r.from) {
    throw new ConcordError('NOT_AUTHORISED', `${actor.agency} is not a party to request ${r.id}`);
  }
}
