/**
 * Decisions on assistance requests. Each action has its own function, and
 * each checks in the same order, so that every class of refusal has one place
 * to look:
 *
 *   1. exists       the request (and what the command names) is on record
 *   2. state        the request's kind and state allow the action (requests.ts)
 *   3. side         the actor's agency is the side that may act (requester or receiver)
 *   4. authority    the actor holds an authority that covers the action
 *   5. verdict      the protocols in effect now allow it (re-evaluated at the
 *                   moment of decision, and recorded when the verdict changed)
 *   6. reason       the decision says why
 *
 * Each decision records actor, authority and reason, and tells the other side.
 */
import { ConcordError } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { approvingAuthority, authorityCommandsPosition, authorityCommandsUnit, isPositionOf, topPositions } from './command.ts';
import {
  checkActor,
  getOpenIncident,
  getRequest,
  getUnit,
  meaningful,
  requireActorAgency,
  requireAuthority,
  requireNew,
  requireNotProhibited,
  requireReason,
  unknown,
  type DecideContext,
} from './checks.ts';
import { actsForRequester, endService } from './commitments.ts';
import { makeEvent, requestShapeIssue, type DomainEvent, type EventType } from './events.ts';
import type { LegalBasisFacts, RequestFacts } from './facts.ts';
import { agencyContacts, incidentCommandContacts, notify, positionContacts, requesterContacts } from './notifications.ts';
import { decideOrder } from './orders.ts';
import { RESPONSE_SECONDS, activeUnits, requireAction } from './requests.ts';
import { isAtOrBefore } from './time.ts';
import { describeAuthority, type Actor, type Authority, type Recipient } from './values.ts';
import type { Verdict } from './verdict.ts';
import type { AssistanceRequest, Unit, World } from './world.ts';

export type RequestCommand =
  | CommandOf<'request.send'>
  | CommandOf<'request.receive'>
  | CommandOf<'request.evaluate'>
  | CommandOf<'request.approve'>
  | CommandOf<'request.accept'>
  | CommandOf<'request.accept_partly'>
  | CommandOf<'request.decline'>
  | CommandOf<'request.provide'>
  | CommandOf<'request.provide_partly'>
  | CommandOf<'request.refuse'>
  | CommandOf<'request.escalate'>
  | CommandOf<'request.commit'>
  | CommandOf<'request.report_on_scene'>
  | CommandOf<'request.withdraw'>
  | CommandOf<'request.release'>
  | CommandOf<'request.close'>
  | CommandOf<'request.cancel'>;

/** the device named as the actor of verdicts the protocols give */
export const PROTOCOLS_DEVICE = 'concord-protocols';

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
  return (a) => (r.responsible === undefined ? isPositionOf(world, a, r.to) : authorityCommandsPosition(world, a, r.responsible));
}

/** the receiving agency's standing chain (its positions), for decisions either side's chain may take */
function actsForReceiver(world: World, r: AssistanceRequest): (a: Authority) => boolean {
  return (a) => isPositionOf(world, a, r.to);
}

/** the position whose approval a needs_approval verdict names (it must be a position of the receiving agency) */
function approvalRole(world: World, r: AssistanceRequest, v: Verdict): string {
  const role = v.approvalRole ?? r.responsible;
  if (role === undefined) {
    throw new ConcordError('APPROVAL_REQUIRED', `the verdict on request ${r.id} needs approval but names no role`);
  }
  const p = world.positions[role];
  if (p === undefined || p.agency !== r.to) {
    throw new ConcordError('APPROVAL_REQUIRED', `approval role ${role} is not a position of ${r.to}; nobody can approve request ${r.id}`);
  }
  return role;
}

function verdictText(v: Verdict | undefined): string {
  if (v === undefined) return 'no verdict';
  const clauses = v.clauses.map((c) => c.id).join(', ');
  return `${v.decision} under ${v.policyVersion}${clauses === '' ? '' : ` (${clauses})`}`;
}

function agencyRef(world: World, id: string): RequestFacts['from'] {
  return { id, kind: world.agencies[id]?.kind ?? 'other' };
}

/** the request as the receiving agency's protocols see it */
export function requestFacts(world: World, r: AssistanceRequest): RequestFacts {
  const basis = r.legalBasis;
  const legalBasis: LegalBasisFacts = {
    ...(basis?.statute !== undefined ? { statute: basis.statute } : {}),
    ...(basis?.warrant !== undefined ? { warrant: basis.warrant } : {}),
    ...(basis?.courtOrder !== undefined ? { courtOrder: basis.courtOrder } : {}),
    consent: basis?.consent === true,
  };
  return {
    requestId: r.id,
    from: agencyRef(world, r.from),
    to: agencyRef(world, r.to),
    kind: r.kind,
    category: r.category,
    urgency: r.urgency,
    operation: r.operation,
    officerInDanger: r.category === 'officer_in_danger',
    description: r.description,
    requestedUnits: r.unitsRequested ?? 0,
    ...(r.information !== undefined ? { informationKind: r.information.kind } : {}),
    personalData: r.information?.personalData === true,
    legalBasis,
  };
}

/** the receiving agency's verdict now; undefined when no protocol of it is in effect (or none are loaded) */
function verdictNow(world: World, r: AssistanceRequest, ctx: DecideContext): Verdict | undefined {
  return ctx.protocols?.request(requestFacts(world, r), ctx.now);
}

function sameVerdict(a: Verdict, b: Verdict): boolean {
  return (
    a.decision === b.decision &&
    a.approvalRole === b.approvalRole &&
    a.policyVersion === b.policyVersion &&
    a.agency === b.agency &&
    a.clauses.map((c) => c.id).join('\n') === b.clauses.map((c) => c.id).join('\n')
  );
}

interface Current {
  /** the verdict in force now, or undefined when no protocol is in effect */
  readonly verdict: Verdict | undefined;
  /** the request as it stands once the fresh verdict is on record */
  readonly request: AssistanceRequest;
  /** the re-evaluation to record first, when the verdict changed */
  readonly events: DomainEvent[];
}

/**
 * A decision rests on the protocols in force when it is taken: the request is
 * evaluated again now, and when the verdict differs from the one on record (a
 * new version took effect, or none was given) the new one is recorded before
 * the decision. An approval stands only while the verdict still needs that
 * role (requests.ts applies the same rule).
 */
function currentVerdict(world: World, r: AssistanceRequest, ctx: DecideContext): Current {
  const v = verdictNow(world, r, ctx);
  if (v === undefined || (r.verdict !== undefined && sameVerdict(r.verdict, v))) {
    return { verdict: v === undefined ? undefined : r.verdict, request: r, events: [] };
  }
  const stands = r.approval !== undefined && v.decision === 'needs_approval' && v.approvalRole === r.approval.role;
  const { approval: _stale, ...rest } = r;
  return {
    verdict: v,
    request: { ...(stands ? r : rest), verdict: v },
    events: [makeEvent('request.evaluated', { agency: r.to, device: PROTOCOLS_DEVICE }, r.incident, { request: r.id, verdict: v })],
  };
}

/** the verdict a decision to carry out the request needs: one in force, not prohibiting it */
function requireVerdictAllowing(current: Current, what: string): Verdict {
  const v = current.verdict;
  if (v === undefined) {
    const r = current.request;
    throw new ConcordError(
      'POLICY_NOT_EFFECTIVE',
      `${what}: no protocol of ${r.to} is in effect now to evaluate request ${r.id}${r.verdict !== undefined ? ` (its verdict under ${r.verdict.policyVersion} no longer applies)` : ''}`,
      { agency: r.to },
    );
  }
  requireNotProhibited(v, what);
  return v;
}

/**
 * For a needs_approval verdict: the approval already given, or one the
 * deciding person holds themselves (the role, a position above it, or a
 * delegation of either).
 */
function approvalFor(
  world: World,
  r: AssistanceRequest,
  v: Verdict,
  actor: Actor,
  chosen: Authority,
  now: string,
): { role: string; authority: Authority } | undefined {
  if (v.decision !== 'needs_approval') return undefined;
  const role = approvalRole(world, r, v);
  if (r.approval !== undefined) return { role: r.approval.role, authority: r.approval.authority };
  const person = actor.person ?? '';
  const own = approvingAuthority(world, chosen, person, now, role);
  if (own === undefined) {
    throw new ConcordError(
      'APPROVAL_REQUIRED',
      `request ${r.id} needs approval by ${role} (${world.positions[role]?.title ?? role}); ${person} holds neither it, a position above it, nor a delegation of it`,
      { role },
    );
  }
  return { role, authority: own };
}

/** notices about a request, on its incident; not urgent unless said */
function tell(
  actor: Actor,
  to: readonly Recipient[],
  about: { readonly id: string; readonly incident: string },
  topic: EventType,
  message: string,
  ctx: DecideContext,
  more: { readonly reason?: string; readonly urgent?: boolean; readonly units?: readonly string[] } = {},
): DomainEvent[] {
  return notify(
    actor,
    to,
    {
      topic,
      incident: about.incident,
      request: about.id,
      message,
      urgent: more.urgent ?? false,
      ...(more.reason !== undefined ? { reason: more.reason } : {}),
      ...(more.units !== undefined ? { units: more.units } : {}),
    },
    ctx,
  );
}

/** only the requesting and the asked agency act on a request after it is sent */
function requireParty(actor: Actor, r: AssistanceRequest): void {
  if (actor.agency !== r.to && actor.agency !== r.from) {
    throw new ConcordError('NOT_AUTHORISED', `${actor.agency} is not a party to request ${r.id}`);
  }
}

/** the units named, or every unit still committed; each must be committed to the request */
function committedUnits(r: AssistanceRequest, named: readonly string[] | undefined, what: string): string[] {
  const ids = named === undefined ? activeUnits(r) : [...new Set(named)];
  if (ids.length === 0) throw new ConcordError('COMMAND_INCONSISTENT', `no units to ${what} request ${r.id}`);
  const active = activeUnits(r);
  for (const u of ids) {
    if (!active.includes(u)) throw new ConcordError('INVALID_TRANSITION', `unit ${u} is not committed to request ${r.id}`);
  }
  return ids;
}

export function decideRequest(world: World, cmd: RequestCommand, ctx: DecideContext): DomainEvent[] {
  checkActor(world, cmd.actor);
  if (cmd.type === 'request.send') return decideSend(world, cmd, ctx);
  const r = getRequest(world, cmd.requestId);
  switch (cmd.type) {
    case 'request.receive':
      return decideReceive(world, cmd, r, ctx);
    case 'request.evaluate':
      return decideEvaluate(world, cmd, r, ctx);
    case 'request.approve':
      return decideApprove(world, cmd, r, ctx);
    case 'request.accept':
    case 'request.accept_partly':
    case 'request.provide':
    case 'request.provide_partly':
      return decideAnswer(world, cmd, r, ctx);
    case 'request.decline':
    case 'request.refuse':
      return decideRefusal(world, cmd, r, ctx);
    case 'request.escalate':
      return decideEscalate(world, cmd, r, ctx);
    case 'request.commit':
      return decideCommit(world, cmd, r, ctx);
    case 'request.report_on_scene':
      return decideOnScene(world, cmd, r, ctx);
    case 'request.withdraw':
      return decideWithdraw(world, cmd, r, ctx);
    case 'request.release':
      return decideRelease(world, cmd, r, ctx);
    case 'request.close':
      return decideClose(world, cmd, r, ctx);
    case 'request.cancel':
      return decideCancel(world, cmd, r, ctx);
  }
}

function decideSend(world: World, cmd: CommandOf<'request.send'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const incident = getOpenIncident(world, cmd.incidentId);
  // asking for help on an incident makes the asking agency a party to its picture: only one already in it may ask
  if (!incident.agencies.includes(actor.agency)) {
    throw new ConcordError(
      'NOT_AUTHORISED',
      `${actor.agency} takes no part in incident ${incident.id}: an agency asks for help on an incident it is part of (its lead agency, or one brought in by a request or by assigning a unit)`,
    );
  }
  if (world.agencies[cmd.to] === undefined) throw unknown('agency', cmd.to);
  const id = cmd.requestId ?? ctx.newId('request');
  requireNew(world.requests[id] !== undefined, 'request', id);
  if (cmd.to === actor.agency) throw new ConcordError('COMMAND_INCONSISTENT', 'an agency does not send an assistance request to itself');
  if (cmd.toPosition !== undefined) {
    const p = world.positions[cmd.toPosition];
    if (p === undefined) throw unknown('position', cmd.toPosition);
    if (p.agency !== cmd.to) throw new ConcordError('AGENCY_MISMATCH', `position ${p.id} belongs to ${p.agency}, not ${cmd.to}`);
  }
  const kind = cmd.kind ?? 'units';
  const shape = requestShapeIssue({ ...cmd, kind });
  if (shape !== undefined) throw new ConcordError('BAD_INPUT', `invalid command at ${shape.path}: ${shape.message}`);
  const responsible = cmd.toPosition ?? defaultResponsible(world, cmd.to);
  const asked =
    kind === 'units'
      ? `${cmd.unitsRequested ?? 0} unit${cmd.unitsRequested === 1 ? '' : 's'}`
      : kind === 'information'
        ? `information (${cmd.information?.kind ?? 'other'}${cmd.information?.personalData === true ? ', personal data' : ''})`
        : 'help';
  return [
    makeEvent('request.sent', actor, incident.id, {
      request: id,
      from: actor.agency,
      to: cmd.to,
      requester: actor.person,
      kind,
      category: cmd.category,
      urgency: cmd.urgency,
      operation: cmd.operation,
      description: cmd.description,
      unitsRequested: cmd.unitsRequested,
      information: cmd.information,
      legalBasis: cmd.legalBasis,
      location: cmd.location,
      coordinates: cmd.coordinates,
      responsible,
      responseSeconds: RESPONSE_SECONDS[cmd.urgency],
    }),
    ...tell(
      actor,
      [...positionContacts(world, cmd.to, responsible, ctx.now), ...agencyContacts(world, cmd.to, incident.id)],
      { id, incident: incident.id },
      'request.sent',
      `${actor.agency} requests ${asked} (${cmd.category}, ${cmd.urgency}): ${cmd.description}`,
      ctx,
      { urgent: cmd.urgency !== 'routine' },
    ),
  ];
}

/**
 * A question to the protocols that must not stop what is asked around it: a
 * policy that fails to evaluate (POLICY_EVALUATION_FAILED) must not keep a
 * request from arriving, nor an agency from saying no. The failure shows
 * where a verdict is needed: evaluating, approving, accepting, providing.
 */
function unlessPolicyFails<T>(ask: () => T, otherwise: T): T {
  try {
    return ask();
  } catch (e) {
    if (e instanceof ConcordError && e.code === 'POLICY_EVALUATION_FAILED') return otherwise;
    throw e;
  }
}

/** received by the asked agency, and evaluated at once against its protocols in effect, so the verdict is on record before anyone acts */
function decideReceive(world: World, cmd: CommandOf<'request.receive'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireAction(r, 'receive');
  requireActorAgency(actor, r.to, `receiving request ${r.id}`);
  const verdict = unlessPolicyFails(() => verdictNow(world, r, ctx), undefined);
  return [
    makeEvent('request.received', actor, r.incident, { request: r.id }),
    ...(verdict === undefined ? [] : [makeEvent('request.evaluated', { agency: r.to, device: PROTOCOLS_DEVICE }, r.incident, { request: r.id, verdict })]),
    ...tell(
      actor,
      requesterContacts(world, r),
      r,
      'request.received',
      `${r.to} received request ${r.id}${verdict === undefined ? '' : `; verdict ${verdictText(verdict)}`}`,
      ctx,
    ),
  ];
}

/** evaluate again now: the verdict is computed from the protocols in effect, never taken from the command */
function decideEvaluate(world: World, cmd: CommandOf<'request.evaluate'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireAction(r, 'evaluate');
  requireActorAgency(actor, r.to, `evaluating request ${r.id}`);
  const verdict = verdictNow(world, r, ctx);
  if (verdict === undefined) {
    throw new ConcordError('POLICY_NOT_EFFECTIVE', `no protocol of ${r.to} is in effect at ${ctx.now} to evaluate request ${r.id}`, { agency: r.to });
  }
  return [makeEvent('request.evaluated', actor, r.incident, { request: r.id, verdict })];
}

function decideApprove(world: World, cmd: CommandOf<'request.approve'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireAction(r, 'approve');
  requireActorAgency(actor, r.to, `approving request ${r.id}`);
  const current = currentVerdict(world, r, ctx);
  const v = requireVerdictAllowing(current, `request ${r.id} cannot be approved`);
  if (v.decision !== 'needs_approval') {
    throw new ConcordError('INVALID_TRANSITION', `request ${r.id} has verdict ${verdictText(v)}; there is nothing to approve`);
  }
  const now = current.request;
  if (now.approval !== undefined) {
    throw new ConcordError('INVALID_TRANSITION', `request ${r.id} is already approved by ${now.approval.by.person ?? now.approval.by.agency}`);
  }
  const role = approvalRole(world, now, v);
  let authority: Authority;
  try {
    authority = requireAuthority(
      world,
      actor,
      ctx.now,
      cmd.authority,
      (a) => authorityCommandsPosition(world, a, role),
      `approving request ${r.id} (needs ${role})`,
    );
  } catch (e) {
    if (e instanceof ConcordError && e.code === 'NOT_AUTHORISED')
      throw new ConcordError('APPROVAL_REQUIRED', e.message, e.details === undefined ? undefined : { ...e.details }, { cause: e });
    throw e;
  }
  const reason = requireReason(cmd.reason, `approving request ${r.id}`);
  return [...current.events, makeEvent('request.approved', actor, r.incident, { request: r.id, role, reason, authority })];
}

/** accepting a request for units or other help, or providing the information asked for, wholly or in part */
function decideAnswer(
  world: World,
  cmd: CommandOf<'request.accept'> | CommandOf<'request.accept_partly'> | CommandOf<'request.provide'> | CommandOf<'request.provide_partly'>,
  r: AssistanceRequest,
  ctx: DecideContext,
): DomainEvent[] {
  const actor = cmd.actor;
  const action = cmd.type.slice('request.'.length) as 'accept' | 'accept_partly' | 'provide' | 'provide_partly';
  const doing = action.startsWith('provide') ? `providing what request ${r.id} asks for` : `accepting request ${r.id}`;
  // 1-2: what the command names, and the request's kind and state
  requireAction(r, action);
  getOpenIncident(world, r.incident);
  let count: number | undefined;
  let units: string[] | undefined;
  if (cmd.type === 'request.accept_partly') {
    count = cmd.count;
    const requested = r.unitsRequested ?? 0;
    if (count >= requested) {
      throw new ConcordError('COUNT_EXCEEDED', `a partial acceptance sends fewer than the ${requested} unit(s) requested; accept instead`);
    }
    if (cmd.units !== undefined) {
      units = [...new Set(cmd.units)];
      for (const id of units) {
        const u = getUnit(world, id);
        if (u.agency !== r.to) throw new ConcordError('AGENCY_MISMATCH', `unit ${u.id} belongs to ${u.agency}, not ${r.to}`);
      }
      if (units.length > count) throw new ConcordError('COUNT_EXCEEDED', `${units.length} units named for a partial acceptance of ${count}`);
    }
  }
  // 3-4: the receiving side, on an authority at or above the position now responsible
  requireActorAgency(actor, r.to, doing);
  const authority = requireAuthority(world, actor, ctx.now, cmd.authority, answersFor(world, r), doing);
  // 5: the protocols in force now allow it, with the approval it needs
  const current = currentVerdict(world, r, ctx);
  const v = requireVerdictAllowing(
    current,
    action.startsWith('provide') ? `request ${r.id} cannot be answered with the information` : `request ${r.id} cannot be accepted`,
  );
  const approval = approvalFor(world, current.request, v, actor, authority, ctx.now);
  // 6: why
  const reason = requireReason(cmd.reason, doing);
  const base = { request: r.id, reason, authority, ...(approval !== undefined ? { approval } : {}) };
  let event: DomainEvent;
  let what: string;
  switch (cmd.type) {
    case 'request.accept':
      event = makeEvent('request.accepted', actor, r.incident, base);
      what = 'accepted';
      break;
    case 'request.accept_partly':
      event = makeEvent('request.partly_accepted', actor, r.incident, { ...base, count: count as number, ...(units !== undefined ? { units } : {}) });
      what = `partly accepted (${count as number} of ${r.unitsRequested ?? 0} units)`;
      break;
    case 'request.provide':
      event = makeEvent('request.provided', actor, r.incident, { ...base, provided: cmd.provided });
      what = `provided ${cmd.provided} for`;
      break;
    case 'request.provide_partly':
      event = makeEvent('request.partly_provided', actor, r.incident, {
        ...base,
        provided: cmd.provided,
        ...(cmd.withheld !== undefined ? { withheld: cmd.withheld } : {}),
      });
      what = `partly provided ${cmd.provided}${cmd.withheld !== undefined ? ` (withheld: ${cmd.withheld})` : ''} for`;
      break;
  }
  return [
    ...current.events,
    event,
    ...tell(
      actor,
      [...requesterContacts(world, r), ...incidentCommandContacts(world, r.incident)],
      r,
      event.type,
      `${r.to} ${what} request ${r.id}; verdict ${verdictText(v)}`,
      ctx,
      { reason, urgent: r.urgency !== 'routine' },
    ),
  ];
}

/** declining a request for units or other help, or refusing an information request */
function decideRefusal(world: World, cmd: CommandOf<'request.decline'> | CommandOf<'request.refuse'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const action = cmd.type === 'request.decline' ? 'decline' : 'refuse';
  const doing = `${action === 'decline' ? 'declining' : 'refusing'} request ${r.id}`;
  requireAction(r, action);
  requireActorAgency(actor, r.to, doing);
  const authority = requireAuthority(world, actor, ctx.now, cmd.authority, answersFor(world, r), doing);
  // saying no needs no permission, but the record shows what the rules in force said when it was said
  const current = unlessPolicyFails(() => currentVerdict(world, r, ctx), { verdict: r.verdict, request: r, events: [] });
  const reason = requireReason(cmd.reason, doing);
  const event =
    action === 'decline'
      ? makeEvent('request.declined', actor, r.incident, { request: r.id, reason, authority })
      : makeEvent('request.refused', actor, r.incident, { request: r.id, reason, authority });
  return [
    ...current.events,
    event,
    ...tell(
      actor,
      [...requesterContacts(world, r), ...incidentCommandContacts(world, r.incident)],
      r,
      event.type,
      `${r.to} ${action === 'decline' ? 'declined' : 'refused'} request ${r.id}`,
      ctx,
      { reason, urgent: r.urgency !== 'routine' },
    ),
  ];
}

function decideEscalate(world: World, cmd: CommandOf<'request.escalate'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireAction(r, 'escalate');
  const from = r.responsible;
  const to = from === undefined ? undefined : world.positions[from]?.reportsTo;
  if (to === undefined) {
    throw new ConcordError(
      'INVALID_TRANSITION',
      `request ${r.id} is with ${from ?? 'no position'}, the top of ${r.to}'s chain; there is no one to escalate to`,
      { state: r.state, action: 'escalate' },
    );
  }
  requireActorAgency(actor, r.to, `escalating request ${r.id}`);
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
  const reason = requireReason(cmd.reason, `escalating request ${r.id}`);
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
    ...tell(
      actor,
      positionContacts(world, r.to, to, ctx.now),
      r,
      'request.escalated',
      `request ${r.id} from ${r.from} (${r.category}, ${r.urgency}) escalated to you (${toTitle}): ${r.description}`,
      ctx,
      { reason, urgent: true },
    ),
    ...tell(
      actor,
      requesterContacts(world, r),
      r,
      'request.escalated',
      `${r.to} escalated request ${r.id} to ${toTitle} (${describeAuthority(authority)})`,
      ctx,
      { reason },
    ),
  ];
}

function decideCommit(world: World, cmd: CommandOf<'request.commit'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  const inc = r.incident;
  const ids = [...new Set(cmd.units)];
  const units = ids.map((id) => getUnit(world, id));
  requireAction(r, 'commit');
  getOpenIncident(world, inc);
  if (ids.length === 0) throw new ConcordError('COMMAND_INCONSISTENT', `committing to request ${r.id} needs at least one unit`);
  for (const u of units) {
    if (u.agency !== r.to) throw new ConcordError('AGENCY_MISMATCH', `unit ${u.id} belongs to ${u.agency}, not ${r.to}`);
    if (u.commitment !== undefined) {
      throw new ConcordError('INVALID_TRANSITION', `unit ${u.id} is already committed to request ${u.commitment}`);
    }
    if (u.status?.status === 'out_of_service') {
      throw new ConcordError('INVALID_TRANSITION', `unit ${u.id} is out of service (since ${u.status.since}); it cannot be committed`);
    }
    if (u.assignment !== undefined && u.assignment.incident !== inc) {
      throw new ConcordError('INVALID_TRANSITION', `unit ${u.id} is assigned to incident ${u.assignment.incident}`);
    }
  }
  // no more units serve at once than were asked for, or than a partial acceptance agreed to send
  const limit = r.answer?.kind === 'partly_accepted' && r.answer.count !== undefined ? r.answer.count : (r.unitsRequested ?? 0);
  const serving = activeUnits(r).length;
  if (serving + ids.length > limit) {
    const agreed = r.answer?.kind === 'partly_accepted' ? `was partly accepted for ${limit}` : `asks for ${limit}`;
    throw new ConcordError('COUNT_EXCEEDED', `request ${r.id} ${agreed} unit(s); ${serving} serve it now, ${ids.length} more would exceed it`, {
      limit,
      serving,
      adding: ids.length,
    });
  }
  requireActorAgency(actor, r.to, `committing units to request ${r.id}`);
  const authority = requireAuthority(
    world,
    actor,
    ctx.now,
    cmd.authority,
    (a) => units.every((u) => authorityCommandsUnit(world, a, u)),
    `committing ${ids.join(', ')} to request ${r.id}`,
    'NOT_IN_CHAIN_OF_COMMAND',
  );
  const reason = meaningful(cmd.reason);
  return [
    makeEvent('request.units_committed', actor, inc, { request: r.id, units: ids, authority, reason }),
    ...units.filter((u) => u.assignment === undefined).map((u) => makeEvent('incident.unit_assigned', actor, inc, { unit: u.id, request: r.id, authority })),
    ...tell(
      actor,
      [...requesterContacts(world, r), ...incidentCommandContacts(world, inc)],
      r,
      'request.units_committed',
      `${r.to} committed ${units.map((u) => u.callsign).join(', ')} to request ${r.id}`,
      ctx,
      { units: ids },
    ),
  ];
}

function decideOnScene(world: World, cmd: CommandOf<'request.report_on_scene'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireAction(r, 'report_on_scene');
  const ids = committedUnits(r, cmd.units, 'report on scene for');
  const already = r.commitments.filter((c) => c.ended === undefined && c.onSceneAt !== undefined && ids.includes(c.unit));
  if (already.length > 0) {
    throw new ConcordError('INVALID_TRANSITION', `unit ${already.map((c) => c.unit).join(', ')} already on scene for request ${r.id}`);
  }
  requireParty(actor, r);
  return [
    makeEvent('request.units_on_scene', actor, r.incident, { request: r.id, units: ids }),
    ...tell(
      actor,
      [...requesterContacts(world, r), ...incidentCommandContacts(world, r.incident)],
      r,
      'request.units_on_scene',
      `${ids.join(', ')} on scene for request ${r.id}`,
      ctx,
      { units: ids },
    ),
  ];
}

/** the sending agency pulls its units: a withdraw order from its chain, with the same checks, verdicts, record and notices */
function decideWithdraw(world: World, cmd: CommandOf<'request.withdraw'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireAction(r, 'withdraw');
  const ids = committedUnits(r, cmd.units, 'withdraw from');
  requireActorAgency(actor, r.to, `withdrawing units from request ${r.id}`);
  return decideOrder(
    world,
    {
      type: 'order.issue',
      actor,
      ...(cmd.orderId !== undefined ? { orderId: cmd.orderId } : {}),
      incidentId: r.incident,
      directive: 'withdraw',
      units: ids,
      rationale: cmd.reason,
      ...(cmd.authority !== undefined ? { authority: cmd.authority } : {}),
    },
    ctx,
    { chainOnly: true },
  );
}

/** the requester lets committed units go: only the requesting side, on its own authority */
function decideRelease(world: World, cmd: CommandOf<'request.release'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireAction(r, 'release');
  const ids = committedUnits(r, cmd.units, 'release from');
  requireActorAgency(actor, r.from, `releasing units from request ${r.id} (the requesting agency releases; the sending agency withdraws)`);
  const authority = requireAuthority(world, actor, ctx.now, cmd.authority, actsForRequester(world, r), `releasing units from request ${r.id}`);
  const reason = requireReason(cmd.reason, `releasing units from request ${r.id}`);
  const units: Unit[] = ids.map((id) => getUnit(world, id));
  return [
    ...endService(world, units, { actor, authority, reason }, ctx),
    ...units
      .filter((u) => u.assignment?.incident === r.incident)
      .map((u) => makeEvent('incident.unit_released', actor, r.incident, { unit: u.id, reason, authority })),
  ];
}

function decideClose(world: World, cmd: CommandOf<'request.close'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  requireAction(r, 'close');
  requireParty(actor, r);
  const authority = requireAuthority(
    world,
    actor,
    ctx.now,
    cmd.authority,
    (a) => (actor.agency === r.from ? actsForRequester(world, r)(a) : actsForReceiver(world, r)(a)),
    `closing request ${r.id}`,
  );
  const reason = requireReason(cmd.reason, `closing request ${r.id}`);
  const other = actor.agency === r.from ? agencyContacts(world, r.to, r.incident) : requesterContacts(world, r);
  return [
    makeEvent('request.closed', actor, r.incident, { request: r.id, reason, authority }),
    ...tell(actor, other, r, 'request.closed', `request ${r.id} closed`, ctx, { reason }),
  ];
}

function decideCancel(world: World, cmd: CommandOf<'request.cancel'>, r: AssistanceRequest, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  if (r.state === 'units_committed' || r.state === 'on_scene') {
    throw new ConcordError('INVALID_TRANSITION', `request ${r.id} is ${r.state}; cannot cancel it: units are committed, release them instead`, {
      state: r.state,
      action: 'cancel',
    });
  }
  requireAction(r, 'cancel');
  requireActorAgency(actor, r.from, `cancelling request ${r.id}`);
  const authority = requireAuthority(world, actor, ctx.now, cmd.authority, actsForRequester(world, r), `cancelling request ${r.id}`);
  const reason = requireReason(cmd.reason, `cancelling request ${r.id}`);
  return [
    makeEvent('request.cancelled', actor, r.incident, { request: r.id, reason, authority }),
    ...tell(
      actor,
      [...positionContacts(world, r.to, r.responsible, ctx.now), ...agencyContacts(world, r.to, r.incident)],
      r,
      'request.cancelled',
      `${r.from} cancelled request ${r.id}`,
      ctx,
      { reason, urgent: r.urgency !== 'routine' },
    ),
  ];
}
