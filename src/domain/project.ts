/**
 * Projection: events → world. applyEvent is the one fold step, used live (the
 * app applies each appended event) and for rebuilding from the ledger, so the
 * two cannot drift. The time of every change is the event's receive time
 * (meta.received); the state at a past moment is the fold of the events
 * received up to it.
 */
import { ConcordError } from '../errors.ts';
import { applyOrganisation } from './agencies.ts';
import type { DomainEvent, EventMeta } from './events.ts';
import { applyIncident } from './incidents.ts';
import { applyMessage } from './messages.ts';
import { applyNotification } from './notifications.ts';
import { applyOrder } from './orders.ts';
import { applyRequest } from './requests.ts';
import { applyStatement } from './statements.ts';
import { applyUnit } from './units.ts';
import { isAtOrBefore } from './time.ts';
import { emptyWorld, type World } from './world.ts';
import { UndoWriter, Writer, type WorldWriter } from './writer.ts';

export interface RecordedEvent {
  readonly event: DomainEvent;
  readonly meta: EventMeta;
}

function step(w: WorldWriter, e: DomainEvent, meta: EventMeta): void {
  if (meta.index <= w.world.lastIndex) {
    throw new ConcordError('LEDGER_CORRUPT', `event ${meta.index} (${e.type}) applied after event ${w.world.lastIndex}`);
  }
  switch (e.type) {
    case 'agency.registered':
    case 'agency.configured':
    case 'position.established':
    case 'person.registered':
    case 'person.appointed':
    case 'person.relieved':
    case 'unit.registered':
    case 'unit.updated':
    case 'delegation.granted':
    case 'delegation.revoked':
      applyOrganisation(w, e, meta);
      break;
    case 'unit.status_changed':
    case 'unit.positions_reported':
      applyUnit(w, e, meta);
      break;
    case 'incident.opened':
    case 'incident.updated':
    case 'incident.closed':
    case 'incident.command_established':
    case 'incident.liaison_designated':
    case 'incident.unit_assigned':
    case 'incident.unit_released':
      applyIncident(w, e, meta);
      break;
    case 'request.sent':
    case 'request.received':
    case 'request.evaluated':
    case 'request.approved':
    case 'request.accepted':
    case 'request.partly_accepted':
    case 'request.declined':
    case 'request.provided':
    case 'request.partly_provided':
    case 'request.refused':
    case 'request.escalated':
    case 'request.units_committed':
    case 'request.units_on_scene':
    case 'request.units_withdrawn':
    case 'request.units_released':
    case 'request.closed':
    case 'request.cancelled':
      applyRequest(w, e, meta);
      break;
    case 'order.issued':
    case 'order.acknowledged':
    case 'order.conflict_detected':
    case 'conflict.resolved':
      applyOrder(w, e, meta);
      break;
    case 'message.sent':
      applyMessage(w, e, meta);
      break;
    case 'notification.created':
    case 'notification.delivered':
    case 'notification.acknowledged':
      applyNotification(w, e, meta);
      break;
    case 'statement.recorded':
    case 'claim.recorded':
    case 'claim.linked':
      applyStatement(w, e, meta);
      break;
  }
  w.stamp(meta.index, meta.received);
}

/** one event onto a world; returns a new world and leaves the given one untouched */
export function applyEvent(world: World, event: DomainEvent, meta: EventMeta): World {
  const w = Writer.forEvent(world);
  step(w, event, meta);
  return w.world;
}

/**
 * Fold many events (in ledger order) onto a world. Same result as applying
 * them one by one, but writes into a private copy, so a rebuild of a long
 * ledger costs time proportional to its length.
 */
export function foldEvents(events: Iterable<RecordedEvent>, from: World = emptyWorld): World {
  const w = Writer.forFold(from);
  for (const { event, meta } of events) step(w, event, meta);
  return w.world;
}

/**
 * The world as it stood at `time`: the fold of the events received at or
 * before it. The ledger's receive times never go backwards, so the fold
 * stops at the first later event.
 */
export function foldUntil(events: Iterable<RecordedEvent>, time: string, from: World = emptyWorld): World {
  const w = Writer.forFold(from);
  for (const { event, meta } of events) {
    if (!isAtOrBefore(meta.received, time)) break;
    step(w, event, meta);
  }
  return w.world;
}

/**
 * An incremental fold for the one writer of a long-lived world (the app's live
 * path, a benchmark generating a long ledger): each apply costs time
 * proportional to the event, not to the world. Unlike applyEvent it changes
 * its world in place, so `world` is a live view: use it for decide and reads,
 * and do not keep it across apply calls expecting it to stay as it was.
 */
export class Projection {
  readonly #w: Writer;
  #draft: Draft | undefined;

  constructor(from: World = emptyWorld) {
    this.#w = Writer.forFold(from);
  }

  get world(): World {
    return this.#w.world;
  }

  apply(event: DomainEvent, meta: EventMeta): void {
    if (this.#draft !== undefined) throw new Error('an event was applied to the world while a draft of it was open');
    step(this.#w, event, meta);
  }

  /**
   * A draft of this world for decisions not yet recorded (commands decided
   * one after another, to be appended together): its events are written into
   * the world itself and taken back when the draft is discarded, so a draft
   * costs the size of its events, not of the world. Synchronous use only:
   * until `discard`, the world is the draft's, and nothing else may read it
   * (no await between the two) or apply to it.
   */
  draft(): Draft {
    if (this.#draft !== undefined) throw new Error('a draft of this world is open already');
    const draft = new Draft(this.#w.world, () => {
      this.#draft = undefined;
    });
    this.#draft = draft;
    return draft;
  }
}

/** a Projection's open draft (Projection.draft) */
export class Draft {
  readonly #w: UndoWriter;
  readonly #closed: () => void;
  #open = true;

  constructor(world: World, closed: () => void) {
    this.#w = new UndoWriter(world);
    this.#closed = closed;
  }

  get world(): World {
    return this.#w.world;
  }

  /** applies an event as if it were the next entry, received at `received` */
  apply(event: DomainEvent, received: string): void {
    if (!this.#open) throw new Error('the draft was discarded');
    step(this.#w, event, { index: this.#w.world.lastIndex + 1, received });
  }

  /** where the draft is now: undoTo(mark()) later takes back what was applied after it */
  mark(): number {
    return this.#w.mark();
  }

  undoTo(mark: number): void {
    this.#w.undoTo(mark);
  }

  /** takes back everything the draft applied: the world is again exactly as it was (the same objects) */
  discard(): void {
    if (!this.#open) return;
    this.#w.undoTo(0);
    this.#open = false;
    this.#closed();
  }
}
