/**
 * Messages: free text between people and agencies on an incident, recorded
 * as entries like every decision, so the record holds what was said to whom
 * beside what was decided. A message goes from a person or device of an
 * agency taking part in the incident to agencies and people taking part in
 * it: one cannot write into an incident one has no part in, nor pull an
 * outsider into it by a message.
 */
import { ConcordError } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { checkActor, getOpenIncident, getPerson, meaningful, requireFieldActor, requireNew, unknown, type DecideContext } from './checks.ts';
import { makeEvent, type DomainEvent, type EventMeta, type EventOf } from './events.ts';
import type { Incident, World } from './world.ts';
import { existing, type WorldWriter } from './writer.ts';

function requireTakesPart(incident: Incident, agency: string, what: string): void {
  if (!incident.agencies.includes(agency)) {
    throw new ConcordError('COMMAND_INCONSISTENT', `${what}: ${agency} does not take part in incident ${incident.id}`, { agency, incident: incident.id });
  }
}

export function decideMessage(world: World, cmd: CommandOf<'message.send'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  checkActor(world, actor);
  const incident = getOpenIncident(world, cmd.incidentId);
  requireFieldActor(actor, `a message on incident ${incident.id}`);
  if (!incident.agencies.includes(actor.agency)) {
    throw new ConcordError('NOT_AUTHORISED', `${actor.agency} does not take part in incident ${incident.id} and sends no message on it`);
  }
  const id = cmd.messageId ?? ctx.newId('message');
  requireNew(world.messages[id] !== undefined, 'message', id);
  const agencies = [...new Set(cmd.agencies ?? [])];
  const people = [...new Set(cmd.people ?? [])];
  if (agencies.length + people.length === 0) throw new ConcordError('COMMAND_INCONSISTENT', 'a message needs at least one recipient (agencies or people)');
  const text = meaningful(cmd.text);
  if (text === undefined) throw new ConcordError('BAD_INPUT', 'a message needs text a reader can see');
  for (const agency of agencies) {
    if (world.agencies[agency] === undefined) throw unknown('agency', agency);
    requireTakesPart(incident, agency, `message to ${agency}`);
  }
  for (const id of people) requireTakesPart(incident, getPerson(world, id).agency, `message to ${id}`);
  return [makeEvent('message.sent', actor, incident.id, { message: id, text, agencies, people })];
}

export function applyMessage(w: WorldWriter, e: EventOf<'message.sent'>, meta: EventMeta): void {
  const incident = e.incident;
  if (incident === undefined) throw new ConcordError('LEDGER_CORRUPT', `message.sent ${e.body.message} names no incident`);
  existing(w.world.incidents, incident, 'incident', e.type);
  const b = e.body;
  w.put('messages', b.message, {
    id: b.message,
    incident,
    from: e.actor,
    text: b.text,
    agencies: b.agencies,
    people: b.people,
    sentAt: meta.received,
    index: meta.index,
  });
}
