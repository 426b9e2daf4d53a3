/**
 * Response deadlines. The domain has no clock: the app asks, with its own
 * (injected) time, which requests are overdue, and runs the escalation
 * commands this returns through decide like any other command. An escalation
 * rests on the passed deadline itself (authority `response_deadline`), moves
 * the request one position up the receiving agency's chain from the position
 * now responsible, and starts a new deadline — until someone answers or the
 * top of the chain is reached.
 */
import type { Command } from './commands.ts';
import { AWAITING_ANSWER, RESPONSE_SECONDS } from './requests.ts';
import { isAtOrBefore } from './time.ts';
import type { AssistanceRequest, World } from './world.ts';

export { RESPONSE_SECONDS };

/** the device named in the actor of automatic escalations */
export const ESCALATION_DEVICE = 'deadline-clock';

/** is the request waiting for an answer past its deadline, with someone above to escalate to? */
export function isOverdue(world: World, r: AssistanceRequest, now: string): boolean {
  return (
    AWAITING_ANSWER.includes(r.state) &&
    r.deadline !== undefined &&
    isAtOrBefore(r.deadline, now) &&
    world.incidents[r.incident]?.status === 'open' &&
    r.responsible !== undefined &&
    world.positions[r.responsible]?.reportsTo !== undefined
  );
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
    .map((r) => ({
      type: 'request.escalate',
      actor: { agency: r.to, device: ESCALATION_DEVICE },
      requestId: r.id,
      reason: `no answer from ${r.responsible ?? r.to} by ${r.deadline ?? now} (${r.urgency}: ${r.responseSeconds} s to answer)`,
      automatic: true,
    }));
}
