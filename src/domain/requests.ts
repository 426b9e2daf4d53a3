/**
 * The assistance-request state machine: which actions each kind of request
 * allows in each state, the response deadlines by urgency, and how request
 * events change a request.
 *
 * Every kind:
 *   sent → received → evaluated
 *   sent | received | evaluated | escalated → escalated   (deadline passed, or sent up by hand)
 *   any state before an answer is carried out → cancelled (by the requester)
 * For units:
 *   evaluated | escalated → accepted | partly_accepted;  received | evaluated | escalated → declined
 *   accepted | partly_accepted → units_committed → on_scene
 *   units_committed | on_scene → withdrawn (ended by anyone but the requester) | released (by the requester)
 *   declined | withdrawn | released → closed
 * For information:
 *   evaluated | escalated → provided | partly_provided;  received | evaluated | escalated → refused
 *   provided | partly_provided | refused → closed
 * For other help:
 *   evaluated | escalated → accepted;  received | evaluated | escalated → declined
 *   accepted | declined → closed
 */
import { ConcordError } from '../errors.ts';
import type { RequestKind, Urgency } from './vocabulary.ts';
import { joinIncident } from './incidents.ts';
import type { EventMeta, EventOf } from './events.ts';
import { addSeconds } from './time.ts';
import { FINAL_STATES, type AssistanceRequest, type Commitment, type RequestState, type RequestStep, type World } from './world.ts';

export { FINAL_STATES };
import { existing, type WorldWriter } from './writer.ts';

/**
 * Seconds the receiving agency has to answer (accept, partly accept or
 * decline) before the request escalates one position up its chain; each
 * escalation starts the same window again. Immediate: an officer in danger
 * cannot wait longer than a radio exchange or two. Urgent: the time to reach
 * a commander by phone. Routine: within the hour.
 */
export const RESPONSE_SECONDS: Readonly<Record<Urgency, number>> = {
  immediate: 120,
  urgent: 600,
  routine: 3600,
};

export const REQUEST_ACTIONS = [
  'receive',
  'evaluate',
  'approve',
  'accept',
  'accept_partly',
  'decline',
  'provide',
  'provide_partly',
  'refuse',
  'escalate',
  'commit',
  'report_on_scene',
  'withdraw',
  'release',
  'close',
  'cancel',
] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

type Table = Readonly<Partial<Record<RequestAction, readonly RequestState[]>>>;

const AWAITING: readonly RequestState[] = ['sent', 'received', 'evaluated', 'escalated'];
const ANSWERABLE: readonly RequestState[] = ['evaluated', 'escalated'];
const REFUSABLE: readonly RequestState[] = ['received', 'evaluated', 'escalated'];
const EVERY_KIND: Table = {
  receive: ['sent'],
  evaluate: REFUSABLE,
  approve: ANSWERABLE,
  escalate: AWAITING,
  cancel: [...AWAITING, 'accepted', 'partly_accepted'],
};

/** for each kind of request, the actions it has and the states in which each is allowed */
export const ALLOWED_FROM: Readonly<Record<RequestKind, Table>> = {
  units: {
    ...EVERY_KIND,
    accept: ANSWERABLE,
    accept_partly: ANSWERABLE,
    decline: REFUSABLE,
    commit: ['accepted', 'partly_accepted', 'units_committed', 'on_scene'],
    report_on_scene: ['units_committed', 'on_scene'],
    withdraw: ['units_committed', 'on_scene'],
    release: ['units_committed', 'on_scene'],
    close: ['declined', 'withdrawn', 'released'],
  },
  information: {
    ...EVERY_KIND,
    provide: ANSWERABLE,
    provide_partly: ANSWERABLE,
    refuse: REFUSABLE,
    close: ['provided', 'partly_provided', 'refused'],
  },
  other: {
    ...EVERY_KIND,
    accept: ANSWERABLE,
    decline: REFUSABLE,
    close: ['accepted', 'declined'],
  },
};

/** the actions a person or system may take on a request in its state (receiving and evaluating are the node's own) */
export function actionsIn(r: Pick<AssistanceRequest, 'kind' | 'state'>): RequestAction[] {
  if (FINAL_STATES.includes(r.state)) return [];
  const table = ALLOWED_FROM[r.kind];
  return REQUEST_ACTIONS.filter((a) => a !== 'receive' && a !== 'evaluate' && (table[a] ?? []).includes(r.state));
}

/** states in which the request awaits an answer, so its deadline runs */
export const AWAITING_ANSWER: readonly RequestState[] = ['sent', 'received', 'evaluated', 'escalated'];

/** refuse an action the request's kind or state does not allow, saying the state and the action */
export function requireAction(r: AssistanceRequest, action: RequestAction): void {
  const allowed = ALLOWED_FROM[r.kind][action];
  if (allowed === undefined) {
    const kinds = (Object.keys(ALLOWED_FROM) as RequestKind[]).filter((k) => ALLOWED_FROM[k][action] !== undefined);
    throw new ConcordError(
      'REQUEST_KIND_MISMATCH',
      `request ${r.id} is a request for ${r.kind}; "${action.replace('_', ' ')}" applies to requests for ${kinds.join(' or ')}`,
      { kind: r.kind, action },
    );
  }
  if (FINAL_STATES.includes(r.state)) {
    throw new ConcordError('REQUEST_NOT_OPEN', `request ${r.id} is ${r.state}; cannot ${action.replace('_', ' ')} it`, {
      state: r.state,
      action,
    });
  }
  if (!allowed.includes(r.state)) {
    throw new ConcordError('INVALID_TRANSITION', `request ${r.id} is ${r.state}; cannot ${action.replace('_', ' ')} it (allowed when ${allowed.join(', ')})`, {
      state: r.state,
      action,
    });
  }
}

/** units committed to the request and neither withdrawn nor released */
export function activeUnits(r: AssistanceRequest): string[] {
  return r.commitments.filter((c) => c.ended === undefined).map((c) => c.unit);
}

/** the state a request with units is in, from its commitments */
function commitmentState(cs: readonly Commitment[]): RequestState {
  const active = cs.filter((c) => c.ended === undefined);
  if (active.length > 0) return active.some((c) => c.onSceneAt !== undefined) ? 'on_scene' : 'units_committed';
  return cs.some((c) => c.ended?.kind === 'withdrawn') ? 'withdrawn' : 'released';
}

export type RequestEvent =
  | EventOf<'request.sent'>
  | EventOf<'request.received'>
  | EventOf<'request.evaluated'>
  | EventOf<'request.approved'>
  | EventOf<'request.accepted'>
  | EventOf<'request.partly_accepted'>
  | EventOf<'request.declined'>
  | EventOf<'request.provided'>
  | EventOf<'request.partly_provided'>
  | EventOf<'request.refused'>
  | EventOf<'request.escalated'>
  | EventOf<'request.units_committed'>
  | EventOf<'request.units_on_scene'>
  | EventOf<'request.units_withdrawn'>
  | EventOf<'request.units_released'>
  | EventOf<'request.closed'>
  | EventOf<'request.cancelled'>;

/** answer events and the state (and answer kind) each leaves the request in */
const ANSWERS = {
  'request.accepted': 'accepted',
  'request.partly_accepted': 'partly_accepted',
  'request.declined': 'declined',
  'request.provided': 'provided',
  'request.partly_provided': 'partly_provided',
  'request.refused': 'refused',
} as const;

function withoutDeadline(r: AssistanceRequest): AssistanceRequest {
  const { deadline: _answered, ...rest } = r;
  return rest;
}

function logged(r: AssistanceRequest, e: RequestEvent, meta: EventMeta, state: RequestState): AssistanceRequest {
  const body = e.body as { authority?: RequestStep['authority']; reason?: string };
  const step: RequestStep = {
    action: e.type.slice('request.'.length),
    state,
    at: meta.received,
    index: meta.index,
    by: e.actor,
    ...(body.authority !== undefined ? { authority: body.authority } : {}),
    ...(body.reason !== undefined ? { reason: body.reason } : {}),
  };
  return { ...r, state, log: [...r.log, step] };
}

function endCommitments(w: WorldWriter, r: AssistanceRequest, units: readonly string[], ended: NonNullable<Commitment['ended']>): Commitment[] {
  const commitments = r.commitments.map((c) => (c.ended === undefined && units.includes(c.unit) ? { ...c, ended } : c));
  for (const id of units) {
    const u = w.world.units[id];
    if (u !== undefined && u.commitment === r.id) {
      const { commitment: _ended, ...rest } = u;
      w.put('units', id, rest);
    }
  }
  return commitments;
}

export function applyRequest(w: WorldWriter, e: RequestEvent, meta: EventMeta): void {
  const at = meta.received;
  if (e.type === 'request.sent') {
    const b = e.body;
    const incident = e.incident;
    if (incident === undefined) throw new ConcordError('LEDGER_CORRUPT', `request.sent ${b.request} names no incident`);
    const r: AssistanceRequest = {
      id: b.request,
      incident,
      from: b.from,
      to: b.to,
      ...(b.requester !== undefined ? { requester: b.requester } : {}),
      kind: b.kind,
      category: b.category,
      urgency: b.urgency,
      operation: b.operation,
      description: b.description,
      ...(b.unitsRequested !== undefined ? { unitsRequested: b.unitsRequested } : {}),
      ...(b.information !== undefined ? { information: b.information } : {}),
      ...(b.legalBasis !== undefined ? { legalBasis: b.legalBasis } : {}),
      ...(b.location !== undefined ? { location: b.location } : {}),
      ...(b.coordinates !== undefined ? { coordinates: b.coordinates } : {}),
      state: 'sent',
      sentAt: at,
      ...(b.responsible !== undefined ? { responsible: b.responsible } : {}),
      deadline: addSeconds(at, b.responseSeconds),
      responseSeconds: b.responseSeconds,
      escalations: [],
      commitments: [],
      withdrawals: [],
      log: [],
    };
    w.put('requests', r.id, logged(r, e, meta, 'sent'));
    joinIncident(w, incident, [b.from, b.to], e.type);
    return;
  }
  const r = existing(w.world.requests, e.body.request, 'request', e.type);
  let next: AssistanceRequest;
  switch (e.type) {
    case 'request.received':
      next = logged(r, e, meta, 'received');
      break;
    case 'request.evaluated': {
      // an approval answers the need for one role's approval: it stands while the verdict still needs that role
      const v = e.body.verdict;
      const stands = r.approval !== undefined && v.decision === 'needs_approval' && v.approvalRole === r.approval.role;
      const { approval: _stale, ...rest } = r;
      next = logged({ ...(stands ? r : rest), verdict: v }, e, meta, r.state === 'escalated' ? 'escalated' : 'evaluated');
      break;
    }
    case 'request.approved':
      next = logged({ ...r, approval: { role: e.body.role, reason: e.body.reason, by: e.actor, authority: e.body.authority, at } }, e, meta, r.state);
      break;
    case 'request.accepted':
    case 'request.partly_accepted':
    case 'request.declined':
    case 'request.provided':
    case 'request.partly_provided':
    case 'request.refused': {
      const b = e.body;
      const kind = ANSWERS[e.type];
      const approval = 'approval' in b ? b.approval : undefined;
      const answer = {
        kind,
        ...(e.type === 'request.partly_accepted' ? { count: e.body.count } : {}),
        ...(e.type === 'request.partly_accepted' && e.body.units !== undefined ? { units: e.body.units } : {}),
        ...('provided' in b ? { provided: b.provided } : {}),
        ...('withheld' in b && b.withheld !== undefined ? { withheld: b.withheld } : {}),
        reason: b.reason,
        by: e.actor,
        authority: b.authority,
        at,
        ...(approval !== undefined ? { approval } : {}),
      } as const;
      next = logged({ ...withoutDeadline(r), answer }, e, meta, kind);
      break;
    }
    case 'request.escalated': {
      const b = e.body;
      const deadline = addSeconds(at, b.responseSeconds);
      const escalation = {
        ...(b.from !== undefined ? { from: b.from } : {}),
        to: b.to,
        at,
        reason: b.reason,
        by: e.actor,
        authority: b.authority,
        deadline,
      };
      next = logged({ ...r, responsible: b.to, deadline, escalations: [...r.escalations, escalation] }, e, meta, 'escalated');
      break;
    }
    case 'request.units_committed': {
      const commitments = [...r.commitments, ...e.body.units.map((unit) => ({ unit, committedAt: at }))];
      for (const id of e.body.units) {
        const u = existing(w.world.units, id, 'unit', e.type);
        w.put('units', id, { ...u, commitment: r.id });
      }
      next = logged({ ...r, commitments }, e, meta, commitmentState(commitments));
      break;
    }
    case 'request.units_on_scene': {
      const units = e.body.units;
      const commitments = r.commitments.map((c) =>
        c.ended === undefined && c.onSceneAt === undefined && units.includes(c.unit) ? { ...c, onSceneAt: at } : c,
      );
      next = logged({ ...r, commitments }, e, meta, commitmentState(commitments));
      break;
    }
    case 'request.units_withdrawn': {
      const b = e.body;
      const ended = { kind: 'withdrawn', at, reason: b.reason, ...(b.order !== undefined ? { order: b.order } : {}) } as const;
      const commitments = endCommitments(w, r, b.units, ended);
      const withdrawal = {
        units: b.units,
        reason: b.reason,
        ...(b.order !== undefined ? { order: b.order } : {}),
        at,
        by: e.actor,
        authority: b.authority,
      };
      next = logged({ ...r, commitments, withdrawals: [...r.withdrawals, withdrawal] }, e, meta, commitmentState(commitments));
      break;
    }
    case 'request.units_released': {
      const commitments = endCommitments(w, r, e.body.units, { kind: 'released', at, reason: e.body.reason });
      next = logged({ ...r, commitments }, e, meta, commitmentState(commitments));
      break;
    }
    case 'request.closed':
      next = logged(r, e, meta, 'closed');
      break;
    case 'request.cancelled':
      next = logged(withoutDeadline(r), e, meta, 'cancelled');
      break;
  }
  w.put('requests', r.id, next);
}

/** requests of an incident, oldest first */
export function requestsOf(world: World, incident: string): AssistanceRequest[] {
  return Object.values(world.requests)
    .filter((r) => r.incident === incident)
    .sort((a, b) => (a.log[0]?.index ?? 0) - (b.log[0]?.index ?? 0));
}
