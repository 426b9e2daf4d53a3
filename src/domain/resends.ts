/**
 * Urgent notices nobody acknowledged go up the chain. An urgent notification
 * not acknowledged within the time its recipient agency set
 * (`agency.configure`, DEFAULT_ACKNOWLEDGE_URGENT_SECONDS while unset) is
 * sent again, as a new urgent notification linked to it (`resends`), to the
 * next position up that agency's chain that someone holds; that one in turn
 * goes up when nobody acknowledges it, until the top. An acknowledgement
 * anywhere along the way stops it. Each re-send is judged against the world
 * as it is when it runs and happens once per notice: a node that was down
 * for an hour sends an overdue notice one step up, not five.
 *
 * The domain has no clock: the app's deadline clock asks which re-sends are
 * due (deadlines.ts) and runs them through decide like any other command.
 * In the story, the federal team was never told that the city units had been
 * withdrawn; with this, a notice nobody reads reaches someone who must.
 */
import { ConcordError, type ErrorCode } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { chainAbove, holdersOf, positionsHeld } from './command.ts';
import { checkActor, requireActorAgency, unknown, type DecideContext } from './checks.ts';
import { makeEvent, type DomainEvent } from './events.ts';
import { defaultResponsible } from './request-decisions.ts';
import { addSeconds, isBefore } from './time.ts';
import type { Notification, World } from './world.ts';

/**
 * Five minutes: long enough for a liaison in the field to look at a phone,
 * short enough that a withdrawal nobody read reaches a commander before the
 * team it concerns is left alone for long.
 */
export const DEFAULT_ACKNOWLEDGE_URGENT_SECONDS = 300;

/** seconds the agency gives its people to acknowledge an urgent notice */
export function acknowledgeUrgentWithin(world: World, agency: string): number {
  return world.agencies[agency]?.acknowledgeUrgentWithin ?? DEFAULT_ACKNOWLEDGE_URGENT_SECONDS;
}

/** the notice and those it re-sends, back to the first */
function chainBack(world: World, n: Notification): Notification[] {
  const out = [n];
  const seen = new Set([n.id]);
  let back = n.resends;
  while (back !== undefined && !seen.has(back)) {
    const m = world.notifications[back];
    if (m === undefined) break;
    out.push(m);
    seen.add(back);
    back = m.resends;
  }
  return out;
}

/**
 * A notice that a request awaits its recipient's answer (sent to the desk,
 * escalated to a commander) goes up the chain with the request itself when
 * its response deadline passes (deadlines.ts); re-sending the notice too
 * would tell the same positions twice.
 */
function followsRequestDeadline(world: World, n: Notification): boolean {
  if (n.request === undefined || (n.topic !== 'request.sent' && n.topic !== 'request.escalated')) return false;
  return world.requests[n.request]?.to === n.recipient.agency;
}

/**
 * The position a notice goes to when nobody acknowledges it: the first
 * position above the one it was addressed to (for a notice to a person, the
 * most junior post they hold: its chain runs through their others) that
 * someone holds at `at` and that the addressee does not. A notice to the
 * agency as a whole, or to a person who holds no post, goes to the agency's
 * request desk (or, if vacant, up from it). Undefined at the top.
 */
export function resendTarget(world: World, n: Notification, at: string): string | undefined {
  const agency = n.recipient.agency;
  const person = n.recipient.person;
  const held = person === undefined ? [] : positionsHeld(world, person, at).filter((p) => world.positions[p]?.agency === agency);
  const from = n.position !== undefined ? [n.position] : held;
  let candidates: string[];
  if (from.length === 0) {
    const desk = defaultResponsible(world, agency);
    candidates = desk === undefined ? [] : [desk, ...chainAbove(world, desk)];
  } else {
    const base = [...from].sort((a, b) => chainAbove(world, b).length - chainAbove(world, a).length || (a < b ? -1 : a > b ? 1 : 0))[0] as string;
    candidates = chainAbove(world, base);
  }
  return candidates.find((p) => !held.includes(p) && holdersOf(world, p, at).length > 0);
}

/** whether a notice re-sends, and when and to whom; or why it does not, as the refusal decide gives */
export type ResendStanding =
  | { readonly ok: true; readonly deadline: string; readonly within: number; readonly target: string }
  | { readonly ok: false; readonly code: ErrorCode; readonly why: string };

/**
 * How a notice stands as to re-sending, judged at `now`: the target is
 * looked up at the deadline, or at `now` once it has passed (who holds a
 * post then). Whether the deadline has passed is for the caller to compare.
 */
export function resendStanding(world: World, n: Notification, now: string): ResendStanding {
  const no = (code: ErrorCode, why: string): ResendStanding => ({ ok: false, code, why });
  if (!n.urgent) return no('INVALID_TRANSITION', `notification ${n.id} is not urgent; only urgent notices go up the chain unacknowledged`);
  if (n.resentAs !== undefined) return no('INVALID_TRANSITION', `notification ${n.id} was already re-sent as ${n.resentAs}`);
  const read = chainBack(world, n).find((m) => m.status === 'acknowledged');
  if (read !== undefined) return no('INVALID_TRANSITION', `notification ${read.id} was acknowledged${read === n ? '' : `, and ${n.id} re-sends it`}`);
  if (n.incident !== undefined && world.incidents[n.incident]?.status !== 'open') return no('INCIDENT_CLOSED', `incident ${n.incident} is closed`);
  if (followsRequestDeadline(world, n)) {
    return no('INVALID_TRANSITION', `notification ${n.id} goes up the chain with request ${n.request ?? ''} at its response deadline, not on its own`);
  }
  const within = acknowledgeUrgentWithin(world, n.recipient.agency);
  const deadline = addSeconds(n.createdAt, within);
  const target = resendTarget(world, n, isBefore(now, deadline) ? deadline : now);
  if (target === undefined) {
    return no('INVALID_TRANSITION', `notification ${n.id} is at the top of ${n.recipient.agency}'s chain (nobody above it to re-send to)`);
  }
  return { ok: true, deadline, within, target };
}

/** the notice re-sent one position up, as decide records it */
export function decideResend(world: World, cmd: CommandOf<'notification.resend'>, ctx: DecideContext): DomainEvent[] {
  checkActor(world, cmd.actor);
  const n = world.notifications[cmd.notificationId];
  if (n === undefined) throw unknown('notification', cmd.notificationId);
  const agency = n.recipient.agency;
  // each agency's notices go up its own chain, by its own clock; another agency has no say in it
  requireActorAgency(cmd.actor, agency, `re-sending notification ${n.id} up ${agency}'s chain`);
  const s = resendStanding(world, n, ctx.now);
  if (!s.ok) throw new ConcordError(s.code, s.why, { notification: n.id });
  // the deadline that passed is what the re-send rests on: before it, nobody re-sends
  if (isBefore(ctx.now, s.deadline)) {
    throw new ConcordError('INVALID_TRANSITION', `notification ${n.id} is not overdue (acknowledgement due by ${s.deadline}, now ${ctx.now})`, {
      notification: n.id,
    });
  }
  const addressee = n.recipient.person ?? (n.position !== undefined ? `position ${n.position}` : agency);
  return [
    makeEvent('notification.created', cmd.actor, n.incident, {
      notification: ctx.newId('notification'),
      recipient: { agency },
      position: s.target,
      topic: n.topic,
      ...(n.request !== undefined ? { request: n.request } : {}),
      ...(n.order !== undefined ? { order: n.order } : {}),
      ...(n.conflict !== undefined ? { conflict: n.conflict } : {}),
      ...(n.units !== undefined ? { units: n.units } : {}),
      message: n.message,
      reason: `not acknowledged within ${s.within} s by ${addressee} (due ${s.deadline}); re-sent to position ${s.target}`,
      urgent: true,
      resends: n.id,
    }),
  ];
}
