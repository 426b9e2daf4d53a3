/**
 * decide: a command against the world, at a moment, gives the events to
 * record — or a ConcordError and no events. Pure: the time and ids come in
 * through the context, nothing is read or written outside.
 */
import { ConcordError } from '../errors.ts';
import type { Command } from './commands.ts';
import { decideOrganisation } from './agencies.ts';
import type { DecideContext } from './checks.ts';
import type { DomainEvent } from './events.ts';
import { decideIncident } from './incidents.ts';
import { decideNotification } from './notifications.ts';
import { decideResend } from './resends.ts';
import { decideAcknowledge, decideOrder, decideResolveConflict } from './orders.ts';
import { decideMessage } from './messages.ts';
import { decideRequest } from './request-decisions.ts';
import { decideStatement } from './statements.ts';
import { decideUnit } from './units.ts';
import { timeSchema } from './values.ts';
import type { World } from './world.ts';

export type { DecideContext };

/**
 * Events must be plain JSON so the ledger gives back exactly what was decided:
 * optional fields left undefined by a handler are dropped here, once.
 */
function plain<T>(value: T): T {
  // RFC 8785 writes -0 as 0, so a -0 decided (a longitude on the prime meridian) would read back as another value
  if (typeof value === 'number' && Object.is(value, -0)) return 0 as T;
  if (Array.isArray(value)) return value.map(plain) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out as T;
  }
  return value;
}

/** the events a command yields; throws ConcordError (and yields nothing) when refused */
export function decide(world: World, command: Command, ctx: DecideContext): DomainEvent[] {
  if (!timeSchema.safeParse(ctx.now).success) throw new ConcordError('BAD_INPUT', `decide needs an RFC 3339 UTC time, got "${ctx.now}"`);
  // a plain loop, not .map(plain): Node 20's V8 (11.3) crashed ("unreachable
  // code" in Deoptimizer::DoComputeBuiltinContinuation) lazily deoptimizing
  // this function inside Array.prototype.map after ~12,000 commands
  const events = route(world, command, ctx);
  const out: DomainEvent[] = [];
  for (const e of events) out.push(plain(e));
  return out;
}

function route(world: World, c: Command, ctx: DecideContext): DomainEvent[] {
  switch (c.type) {
    case 'agency.register':
    case 'agency.configure':
    case 'position.establish':
    case 'person.register':
    case 'person.appoint':
    case 'person.relieve':
    case 'unit.register':
    case 'unit.update':
    case 'delegation.grant':
    case 'delegation.revoke':
      return decideOrganisation(world, c, ctx);
    case 'unit.set_status':
    case 'unit.report_positions':
      return decideUnit(world, c, ctx);
    case 'incident.open':
    case 'incident.update':
    case 'incident.close':
    case 'incident.establish_command':
    case 'incident.designate_liaison':
    case 'incident.assign_unit':
    case 'incident.release_unit':
      return decideIncident(world, c, ctx);
    case 'request.send':
    case 'request.receive':
    case 'request.evaluate':
    case 'request.approve':
    case 'request.accept':
    case 'request.accept_partly':
    case 'request.decline':
    case 'request.provide':
    case 'request.provide_partly':
    case 'request.refuse':
    case 'request.escalate':
    case 'request.commit':
    case 'request.report_on_scene':
    case 'request.withdraw':
    case 'request.release':
    case 'request.close':
    case 'request.cancel':
      return decideRequest(world, c, ctx);
    case 'order.issue':
      return decideOrder(world, c, ctx);
    case 'order.acknowledge':
      return decideAcknowledge(world, c, ctx);
    case 'conflict.resolve':
      return decideResolveConflict(world, c, ctx);
    case 'message.send':
      return decideMessage(world, c, ctx);
    case 'notification.deliver':
    case 'notification.acknowledge':
      return decideNotification(world, c, ctx);
    case 'notification.resend':
      return decideResend(world, c, ctx);
    case 'statement.record':
    case 'claim.record':
    case 'claim.link':
      return decideStatement(world, c, ctx);
  }
}
