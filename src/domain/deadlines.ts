/**
 * Deadlines. The domain has no clock: the app asks, with its own (injected)
 * time, what is due, and runs the commands this returns through decide like
 * any other command.
 *
 * Response deadlines: an escalation rests on the passed deadline itself
 * (authority `response_deadline`), moves the request one position up the
 * receiving agency's chain from the position now responsible, and starts a
 * new deadline — until someone answers or the top of the chain is reached.
 *
 * Acknowledgement deadlines: an urgent notification nobody acknowledged in
 * the time its recipient agency set is re-sent one position up that
 * agency's chain (resends.ts).
 */
import type { Command, CommandOf } from './commands.ts';
import { AWAITING_ANSWER, RESPONSE_SECONDS } from './requests.ts';
import { resendStanding } from './resends.ts';
import { isAtOrBefore, isBefore } from './time.ts';
import type { AssistanceRequest, Notification, World } from './world.ts';

export { RESPONSE_SECONDS };
export { DEFAULT_ACKNOWLEDGE_URGENT_SECONDS, acknowledgeUrgentWithin, resendTarget } from './resends.ts';

/** the device named in the actor of automatic escalations */
export const ESCALATION_DEVICE = 'deadline-clock';

/** the deadline at which the request escalates if still unanswered: waiting for an answer, with someone above to escalate to */
export function escalationDeadline(world: World, r: AssistanceRequest): string | undefined {
  const escalates =
    AWAITING_ANSWER.includes(r.state) &&
    world.incidents[r.incident]?.status === 'open' &&
    r.responsible !== undefined &&
    world.positions[r.responsible]?.reportsTo !== undefined;
  return escalates ? r.deadline : undefined;
}

/** is the request waiting for an answer past its deadline, with someone above to escalate to? */
export function isOverdue(world: World, r: AssistanceRequest, now: string): boolean {
  const deadline = escalationDeadline(world, r);
  return deadline !== undefined && isAtOrBefore(deadline, now);
}

/** the earliest deadline of a request that is due to escalate at `now`, if any */
export function nextEscalationDeadline(world: World, now: string): string | undefined {
  let next: string | undefined;
  for (const r of Object.values(world.requests)) {
    if (isOverdue(world, r, now) && (next === undefined || (r.deadline as string) < next)) next = r.deadline as string;
  }
  return next;
}

/** the escalations due at `now`, oldest deadline first */
export function dueEscalations(world: World, now: string): Command[] {
  return Object.values(world.requests)
    .filter((r) => isOverdue(world, r, now))
    .sort((a, b) => (a.deadline ?? '').localeCompare(b.deadline ?? '') || a.id.localeCompare(b.id))
    .map((r) => escalateCommand(r, r.deadline ?? now));
}

function escalateCommand(r: AssistanceRequest, deadline: string): CommandOf<'request.escalate'> {
  return {
    type: 'request.escalate',
    actor: { agency: r.to, device: ESCALATION_DEVICE },
    requestId: r.id,
    reason: `no answer from ${r.responsible ?? r.to} by ${deadline} (${r.urgency}: ${r.responseSeconds} s to answer)`,
    automatic: true,
  };
}

function resendCommand(n: Notification): CommandOf<'notification.resend'> {
  return { type: 'notification.resend', actor: { agency: n.recipient.agency, device: ESCALATION_DEVICE }, notificationId: n.id };
}

/**
 * The re-sends due at `now`, oldest deadline first: one per urgent
 * notification past its acknowledgement deadline, unacknowledged (nor any
 * it re-sends), not yet re-sent, with a position above to go to. Running
 * one makes a new notice with a deadline of its own, so the next step up
 * comes only after another full window.
 */
export function dueNotificationEscalations(world: World, now: string): Command[] {
  return Object.values(world.notifications)
    .map((n) => notificationDeadline(world, n, now))
    .filter((d): d is Deadline => d !== undefined && isAtOrBefore(d.at, now))
    .sort(byTime)
    .map((d) => d.command);
}

/** something that falls due at a time, and the command that runs when it does */
export interface Deadline {
  /** names what is due: the same request deadline or notice keeps the same key, a new deadline gets a new one */
  readonly key: string;
  readonly at: string;
  readonly command: Command;
  /** the ledger index of what is due (the notice, the request as sent): deadlines at the same time run in the order of the record */
  readonly index: number;
}

function byTime(a: Deadline, b: Deadline): number {
  return isBefore(a.at, b.at) ? -1 : isBefore(b.at, a.at) ? 1 : a.index - b.index || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** the request's pending response deadline, if it will escalate when that passes */
export function requestDeadline(world: World, r: AssistanceRequest): Deadline | undefined {
  const at = escalationDeadline(world, r);
  return at === undefined ? undefined : { key: `request.escalate ${r.id} ${at}`, at, command: escalateCommand(r, at), index: r.log[0]?.index ?? 0 };
}

/** the notice's pending acknowledgement deadline, if it will be re-sent when that passes (judged at `now`) */
export function notificationDeadline(world: World, n: Notification, now: string): Deadline | undefined {
  // the cheap checks first: most notices are not urgent, or were read, or already went up
  if (!n.urgent || n.status === 'acknowledged' || n.resentAs !== undefined) return undefined;
  const s = resendStanding(world, n, now);
  return s.ok ? { key: `notification.resend ${n.id}`, at: s.deadline, command: resendCommand(n), index: n.index } : undefined;
}

/** every pending deadline, past or future, earliest first: what the deadline clock sleeps until */
export function pendingDeadlines(world: World, now: string): Deadline[] {
  const out: Deadline[] = [];
  for (const r of Object.values(world.requests)) {
    const d = requestDeadline(world, r);
    if (d !== undefined) out.push(d);
  }
  for (const n of Object.values(world.notifications)) {
    const d = notificationDeadline(world, n, now);
    if (d !== undefined) out.push(d);
  }
  return out.sort(byTime);
}

/** the earliest pending deadline (perhaps already past), leaving out the keys `skip` names */
export function nextDue(world: World, now: string, skip: (key: string) => boolean = () => false): string | undefined {
  return pendingDeadlines(world, now).find((d) => !skip(d.key))?.at;
}
