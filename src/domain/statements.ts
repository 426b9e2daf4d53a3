/**
 * Public statements about an incident, broken into claims, each linked to
 * the entries of the ledger that support or contradict it. They are entries
 * like everything else, so the record of what was said in public, and of
 * what the record says against it, is as tamper-evident as the record.
 *
 * Who may record them: a person (not a device, not an agency's
 * administration) of an agency taking part in the incident. The speaker may
 * be any agency on record, the recorder's own or another: each side can put
 * the other's statement beside the record, and the record of who did so is
 * the entry's actor. A statement is recorded after the fact, so a closed
 * incident takes statements too. Reviewers (the review board, the inspector
 * general) read and change nothing (accounts.ts); their findings are built on
 * these records, not written into them.
 *
 * Who may read them (boundaries.ts): the agencies taking part in the
 * incident, the speaker's agency and the recorder's. A claim's links name
 * entries; a reader who may not read a linked entry sees the link's
 * relation but not the entry (the review routes filter them).
 */
import { ConcordError } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { checkActor, getIncident, getOrder, getPerson, getRequest, meaningful, requireNew, requirePersonActor, unknown, type DecideContext } from './checks.ts';
import { makeEvent, type DomainEvent, type EventMeta, type EventOf } from './events.ts';
import type { ClaimCheck } from './values.ts';
import type { Incident, Statement, World } from './world.ts';
import { existing, type WorldWriter } from './writer.ts';

function requireRecorder(world: World, cmd: { readonly actor: { readonly agency: string; readonly person?: string } }, incident: Incident, what: string): void {
  checkActor(world, cmd.actor);
  requirePersonActor(cmd.actor, what);
  if (!incident.agencies.includes(cmd.actor.agency)) {
    throw new ConcordError('NOT_AUTHORISED', `${what}: ${cmd.actor.agency} does not take part in incident ${incident.id}`, {
      agency: cmd.actor.agency,
      incident: incident.id,
    });
  }
}

function getStatement(world: World, id: string): Statement {
  const s = world.statements[id];
  if (s === undefined) throw unknown('statement', id);
  return s;
}

function requireText(text: string, what: string): string {
  const t = meaningful(text);
  if (t === undefined) throw new ConcordError('BAD_INPUT', `${what} needs text a reader can see`);
  return t;
}

/** the records a check names exist, and belong to the statement's incident */
function checkClaimCheck(world: World, check: ClaimCheck, incident: string): void {
  if (check.kind === 'notified') {
    if (world.agencies[check.agency] === undefined) throw unknown('agency', check.agency);
    if ((check.order === undefined) === (check.request === undefined)) {
      throw new ConcordError('COMMAND_INCONSISTENT', 'a "notified" check names what the agency was told of: an order or a request (one of them)');
    }
  }
  const order = check.kind === 'notified' && check.order !== undefined ? getOrder(world, check.order) : undefined;
  const request = check.request !== undefined ? getRequest(world, check.request) : undefined;
  for (const r of [order, request]) {
    if (r !== undefined && r.incident !== incident) {
      throw new ConcordError('COMMAND_INCONSISTENT', `${r.id} is not of incident ${incident}, the statement's`, { incident });
    }
  }
}

export function decideStatement(
  world: World,
  cmd: CommandOf<'statement.record'> | CommandOf<'claim.record'> | CommandOf<'claim.link'>,
  ctx: DecideContext,
): DomainEvent[] {
  if (cmd.type === 'statement.record') {
    const incident = getIncident(world, cmd.incidentId);
    requireRecorder(world, cmd, incident, `recording a statement on incident ${incident.id}`);
    if (world.agencies[cmd.speaker.agency] === undefined) throw unknown('agency', cmd.speaker.agency);
    if (cmd.speaker.person !== undefined && getPerson(world, cmd.speaker.person).agency !== cmd.speaker.agency) {
      throw new ConcordError('COMMAND_INCONSISTENT', `person ${cmd.speaker.person} is not of ${cmd.speaker.agency}`);
    }
    const id = cmd.statementId ?? ctx.newId('statement');
    requireNew(world.statements[id] !== undefined, 'statement', id);
    const publishedIn = requireText(cmd.publishedIn, 'where the statement was published (publishedIn)');
    const text = requireText(cmd.text, 'a statement');
    const speaker = cmd.speaker.person === undefined ? { agency: cmd.speaker.agency } : { agency: cmd.speaker.agency, person: cmd.speaker.person };
    return [makeEvent('statement.recorded', cmd.actor, incident.id, { statement: id, speaker, madeAt: cmd.madeAt, publishedIn, text })];
  }
  const statement = getStatement(world, cmd.statementId);
  const incident = getIncident(world, statement.incident);
  if (cmd.type === 'claim.record') {
    requireRecorder(world, cmd, incident, `recording a claim of statement ${statement.id}`);
    const id = cmd.claimId ?? ctx.newId('claim');
    requireNew(
      statement.claims.some((c) => c.id === id),
      'claim',
      id,
    );
    const text = requireText(cmd.text, 'a claim');
    if (cmd.check !== undefined) checkClaimCheck(world, cmd.check, incident.id);
    return [
      makeEvent('claim.recorded', cmd.actor, incident.id, {
        statement: statement.id,
        claim: id,
        text,
        ...(cmd.check !== undefined ? { check: cmd.check } : {}),
      }),
    ];
  }
  requireRecorder(world, cmd, incident, `linking evidence to a claim of statement ${statement.id}`);
  if (!statement.claims.some((c) => c.id === cmd.claimId)) throw unknown('claim', cmd.claimId);
  // evidence is what is on record already: an entry before this one
  if (cmd.entry > world.lastIndex) {
    throw new ConcordError('COMMAND_INCONSISTENT', `entry ${cmd.entry} is not on record (the last entry is ${world.lastIndex})`, { entry: cmd.entry });
  }
  const note = cmd.note === undefined ? undefined : meaningful(cmd.note);
  return [
    makeEvent('claim.linked', cmd.actor, incident.id, {
      statement: statement.id,
      claim: cmd.claimId,
      entry: cmd.entry,
      relation: cmd.relation,
      ...(note !== undefined ? { note } : {}),
    }),
  ];
}

export function applyStatement(w: WorldWriter, e: EventOf<'statement.recorded'> | EventOf<'claim.recorded'> | EventOf<'claim.linked'>, meta: EventMeta): void {
  if (e.type === 'statement.recorded') {
    const incident = e.incident;
    if (incident === undefined) throw new ConcordError('LEDGER_CORRUPT', `statement.recorded ${e.body.statement} names no incident`);
    existing(w.world.incidents, incident, 'incident', e.type);
    const b = e.body;
    w.put('statements', b.statement, {
      id: b.statement,
      incident,
      speaker: b.speaker,
      madeAt: b.madeAt,
      publishedIn: b.publishedIn,
      text: b.text,
      recordedBy: e.actor,
      recordedAt: meta.received,
      index: meta.index,
      claims: [],
    });
    return;
  }
  const s = existing(w.world.statements, e.body.statement, 'statement', e.type);
  if (e.type === 'claim.recorded') {
    const b = e.body;
    const claim = {
      id: b.claim,
      text: b.text,
      ...(b.check !== undefined ? { check: b.check } : {}),
      by: e.actor,
      at: meta.received,
      index: meta.index,
      links: [],
    };
    w.put('statements', s.id, { ...s, claims: [...s.claims, claim] });
    return;
  }
  const b = e.body;
  if (!s.claims.some((c) => c.id === b.claim)) throw new ConcordError('LEDGER_CORRUPT', `${e.type}: claim ${b.claim} of statement ${s.id} is not on record`);
  const link = { entry: b.entry, relation: b.relation, ...(b.note !== undefined ? { note: b.note } : {}), by: e.actor, at: meta.received, index: meta.index };
  w.put('statements', s.id, { ...s, claims: s.claims.map((c) => (c.id === b.claim ? { ...c, links: [...c.links, link] } : c)) });
}
