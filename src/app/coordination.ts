/**
 * The coordination use cases: a command from the CLI, a scenario, the server
 * or a peer is validated, decided against the current world (with verdicts
 * from the agencies' protocols), appended to the ledger as entries, and only
 * then applied to the live world and published. The one place that decides,
 * appends and publishes; the CLI and the server both call it.
 */
import { randomBytes } from 'node:crypto';
import {
  applyEvent,
  decide,
  type Draft,
  isRecipient,
  dueEscalations,
  EVENT_TYPES,
  incidentView,
  parseCommand,
  parseDomainEvent,
  Projection,
  type Actor,
  type Command,
  type CommandOf,
  type DecideContext,
  type DomainEvent,
  type EventMeta,
  type EventOf,
  type Protocols,
  type World,
} from '../domain/index.ts';
import { emptyWorld } from '../domain/world.ts';
import { ConcordError } from '../errors.ts';
import type { EntryDraft, JsonObject } from '../ledger/entry.ts';
import { bookProtocols, type ProtocolBook } from '../policy/index.ts';
import { DEFAULT_SEALING_POLICY } from '../domain/sealing.ts';
import { sealedFields, type SealingPolicy } from '../ledger/sealing.ts';
import type { Appended, LedgerStore, Receipt, StoredReceipt } from '../store/store.ts';
import { revealedChunks } from './revealed.ts';

/** where the service appends: the node's LedgerService, or a dry run that keeps nothing */
export interface EventLedger {
  /** appends atomically, the receipts in the same commit (a dry run keeps neither) */
  append(drafts: readonly EntryDraft[], receipts?: readonly Receipt[]): Promise<Appended[]>;
  /** the store to rebuild past states from; absent in a dry run */
  readonly store?: LedgerStore;
}

export interface CoordinationOptions {
  /**
   * the agencies' protocols; without them requests are received but get no
   * verdict (and so cannot be accepted), and orders record no verdicts
   */
  readonly protocols?: ProtocolBook;
  /** milliseconds since the epoch (the same clock the ledger store uses) */
  readonly clock?: () => number;
  /** ids for things a command leaves unnamed */
  readonly newId?: (prefix: string) => string;
  /** the fields sealed when a command becomes an entry (the node's concord.json; DEFAULT_SEALING_POLICY without) */
  readonly sealing?: SealingPolicy;
}

export interface Executed {
  readonly command: Command;
  readonly events: readonly DomainEvent[];
  readonly entries: readonly Appended[];
}

export type Listener = (e: { readonly event: DomainEvent; readonly meta: EventMeta }) => void;

const DOMAIN_TYPES = new Set<string>(EVENT_TYPES);

/** the most jobs decided and appended as one batch */
const MAX_BATCH_JOBS = 256;

/** what a job decided: its commands, and the events of each (an empty list appends nothing for it) */
interface Decision {
  readonly commands: readonly Command[];
  readonly decided: readonly (readonly DomainEvent[])[];
}

/**
 * The receipt a command's entries are stored with, so that a retry of the
 * same request finds them (Idempotency-Key; store.ts Receipt): `id` names
 * the caller and key, `fingerprint` the request.
 */
export interface CommandReceipt {
  readonly id: string;
  readonly fingerprint: string;
}

/** a command (or a set of deliveries) waiting for its turn */
interface Job {
  /** decides against the world the jobs before it left (the draft's); throws to refuse, leaving the draft as it found it */
  readonly decideIn: (draft: Draft) => Decision;
  readonly receipt?: CommandReceipt;
  readonly resolve: (executed: Executed[]) => void;
  readonly reject: (e: unknown) => void;
}

/** the device named as the actor of a request received by an agency on this node the moment it is sent */
export const RECEIVING_DEVICE = 'concord';

function randomId(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** the entry a domain event becomes, with the fields the sealing policy names sealed (only those can be withheld later) */
function toDraft(e: DomainEvent, sealing: SealingPolicy): EntryDraft {
  const body = e.body as unknown as JsonObject;
  const sealed = sealedFields(sealing, e.type, body);
  return {
    type: e.type,
    actor: e.actor,
    ...(e.incident !== undefined ? { incident: e.incident } : {}),
    body,
    ...(sealed.length > 0 ? { sealed } : {}),
  };
}

/** Reads the domain events of a ledger (optionally only those received by `until`) and folds them. */
export async function rebuildWorld(store: LedgerStore, until?: string): Promise<World> {
  // a Projection folds in place: linear in the ledger's length
  const projection = new Projection();
  const size = await store.size();
  // the store compares receive times as text, all in toISOString form: bring `until` to that form
  // ("…:00.500Z" would otherwise count as at or before "…:00Z")
  const untilMs = until === undefined ? undefined : Date.parse(until);
  if (untilMs !== undefined && Number.isNaN(untilMs)) throw new ConcordError('BAD_INPUT', `not an RFC 3339 time: ${until}`);
  const filter = untilMs !== undefined ? { receivedUntil: new Date(untilMs).toISOString() } : {};
  // sealed values are read back from the node's disclosures: the world is what was decided, not the commitments
  for await (const chunk of revealedChunks(store, 0, size, filter)) {
    for (const stored of chunk) {
      const entry = JSON.parse(stored.text) as { type: string; actor: unknown; incident?: unknown; body: unknown; received: string; index: number };
      if (!DOMAIN_TYPES.has(entry.type)) continue; // other kinds of entry (notes, radio calls) are not domain events
      const event = parseDomainEvent(entry.type, entry.actor, entry.incident, entry.body);
      projection.apply(event, { index: entry.index, received: entry.received });
    }
  }
  return projection.world;
}

export class CoordinationService {
  readonly ledger: EventLedger;
  private readonly protocols: Protocols | undefined;
  private readonly clock: () => number;
  private readonly newId: (prefix: string) => string;
  private readonly sealing: SealingPolicy;
  /** the live world, folded in place (entities are immutable, collections are not) */
  private readonly projection: Projection;
  /** commands taken and not yet decided, in the order they came */
  private pending: Job[] = [];
  /** the batch loop, while it runs (one at a time) */
  private draining: Promise<void> | undefined;
  private readonly listeners = new Set<Listener>();

  private constructor(ledger: EventLedger, world: World, opts: CoordinationOptions) {
    this.ledger = ledger;
    this.projection = new Projection(world);
    this.protocols = opts.protocols === undefined ? undefined : bookProtocols(opts.protocols);
    this.clock = opts.clock ?? Date.now;
    this.newId = opts.newId ?? randomId;
    this.sealing = opts.sealing ?? DEFAULT_SEALING_POLICY;
  }

  /** Opens on a ledger: the live world is rebuilt from the ledger alone. */
  static async open(ledger: EventLedger, opts: CoordinationOptions = {}): Promise<CoordinationService> {
    return new CoordinationService(ledger, ledger.store ? await rebuildWorld(ledger.store) : emptyWorld, opts);
  }

  /**
   * A service on `ledger` that starts from a world already projected from
   * it (another service's, say, for a dry run on top of it: the world given
   * is copied, never changed).
   */
  static from(ledger: EventLedger, world: World, opts: CoordinationOptions = {}): CoordinationService {
    return new CoordinationService(ledger, world, opts);
  }

  get world(): World {
    return this.projection.world;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** the service's time (its injected clock): the moment commands are decided at, and what the deadline clock reads */
  now(): string {
    return new Date(this.clock()).toISOString();
  }

  /**
   * Takes a job; it is decided after every job taken before it, against the
   * world they left (the order is the order jobs were taken).
   */
  private enqueue(decideIn: Job['decideIn'], receipt?: CommandReceipt): Promise<Executed[]> {
    return new Promise<Executed[]>((resolve, reject) => {
      this.pending.push({ decideIn, resolve, reject, ...(receipt !== undefined ? { receipt } : {}) });
      this.kick();
    });
  }

  /** starts the batch loop unless it runs; a job taken as it ends starts it again */
  private kick(): void {
    if (this.draining !== undefined) return;
    this.draining = Promise.resolve()
      .then(() => this.drain())
      .finally(() => {
        this.draining = undefined;
        if (this.pending.length > 0) this.kick();
      });
  }

  /**
   * Group commit: while one batch is being appended, the jobs that come in
   * wait; then all of them are decided one after another (each against the
   * world the ones before it left, a draft on top of the live world) and
   * appended as one batch, one durable write for all. A refused job is
   * refused alone and adds nothing to the draft.
   */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const jobs = this.pending.splice(0, MAX_BATCH_JOBS);
      await this.runBatch(jobs);
    }
  }

  private async runBatch(jobs: readonly Job[]): Promise<void> {
    // the jobs decide one after another against a draft of the live world, each against what the ones
    // before it left; the draft is taken back before the append (nothing reads the world as drafted),
    // and the live world takes the events once they are stored
    const draft = this.projection.draft();
    const taken: { readonly job: Job; readonly decision: Decision }[] = [];
    try {
      jobs.forEach((job, i) => {
        const mark = draft.mark();
        try {
          const decision = job.decideIn(draft);
          // the last job's events are not drafted: no job decides after it
          if (i < jobs.length - 1) {
            const now = this.now();
            for (const e of decision.decided.flat()) draft.apply(e, now);
          }
          taken.push({ job, decision });
        } catch (e) {
          // refused (or its events could not be drafted): it adds nothing, and the next job decides without it
          draft.undoTo(mark);
          job.reject(e);
        }
      });
    } finally {
      draft.discard();
    }
    const recording = taken.filter((t) => t.decision.decided.some((d) => d.length > 0));
    // a job that decided no events is done: there is nothing to store
    for (const t of taken) if (!recording.includes(t)) t.job.resolve(t.decision.commands.map((command) => ({ command, events: [], entries: [] })));
    if (recording.length === 0) return;
    // each receipt covers its own job's entries: where they start among the batch's drafts
    const receipts: Receipt[] = [];
    let offset = 0;
    for (const t of recording) {
      const count = t.decision.decided.reduce((n, d) => n + d.length, 0);
      if (t.job.receipt !== undefined) receipts.push({ ...t.job.receipt, first: offset, count });
      offset += count;
    }
    let executed: Executed[];
    try {
      executed = await this.record(
        recording.flatMap((t) => t.decision.commands),
        recording.flatMap((t) => t.decision.decided),
        receipts,
      );
    } catch (e) {
      if (recording.length === 1) {
        recording[0]?.job.reject(e);
        return;
      }
      // nothing of the batch was stored: each job runs again on its own, so one that cannot be
      // stored (an entry over the ledger's limits, say) does not take the others with it
      for (const t of recording) await this.runBatch([t.job]);
      return;
    }
    let at = 0;
    for (const t of recording) {
      const n = t.decision.commands.length;
      t.job.resolve(executed.slice(at, at + n));
      at += n;
    }
  }

  private context(now: string): DecideContext {
    // the protocols are asked inside decide, so no command that decides a request or creates an order can skip them
    return { now, newId: this.newId, ...(this.protocols !== undefined ? { protocols: this.protocols } : {}) };
  }

  /**
   * Runs one command (untrusted input is validated here). Refused commands
   * throw a ConcordError and append nothing.
   */
  execute(input: unknown, opts: { readonly receipt?: CommandReceipt } = {}): Promise<Executed> {
    let command: Command;
    try {
      command = parseCommand(input);
    } catch (e) {
      // refused input is a rejected promise like any other refusal, never a synchronous throw
      return Promise.reject(e);
    }
    return this.enqueue((draft) => ({ commands: [command], decided: [this.decideNow(draft, command)] }), opts.receipt).then((x) => x[0] as Executed);
  }

  /**
   * Decides one command against the live world as `execute` would, and
   * records nothing: no entry, no receipt, no change to the world. Each
   * event comes with the world just before it (the world it would be
   * applied to), so the caller can judge who may read it as the feed would.
   * A refusal throws the same ConcordError the command would.
   */
  preview(input: unknown): { readonly command: Command; readonly events: readonly { readonly event: DomainEvent; readonly before: World }[] } {
    const command = parseCommand(input);
    const now = this.now();
    const draft = this.projection.draft();
    let decided: readonly DomainEvent[];
    try {
      decided = this.decideNow(draft, command);
    } finally {
      draft.discard();
    }
    let world = this.projection.world;
    const events = decided.map((event) => {
      const before = world;
      // copy-on-write: the live world is untouched
      world = applyEvent(world, event, { index: world.lastIndex + 1, received: now });
      return { event, before };
    });
    return { command, events };
  }

  /** the events of one command against the draft's world, with what follows from it at once; the draft is left as it was */
  private decideNow(draft: Draft, command: Command): readonly DomainEvent[] {
    const now = this.now();
    const ctx = this.context(now);
    // decide the command and what follows from it at once; all of it is appended in one atomic batch
    const events: DomainEvent[] = [...decide(draft.world, command, ctx)];
    // a request sent to an agency on this node is received by it at once (and so evaluated
    // against its protocols), decided against the world the sending made: drafted, and taken
    // back before returning (the caller drafts the events it takes)
    const sent = events.filter((e): e is EventOf<'request.sent'> => e.type === 'request.sent');
    if (sent.length > 0) {
      const mark = draft.mark();
      try {
        const advance = (out: readonly DomainEvent[]): void => {
          for (const x of out) draft.apply(x, now);
        };
        advance(events);
        for (const e of sent) {
          if (draft.world.agencies[e.body.to] === undefined) continue;
          const received = decide(
            draft.world,
            { type: 'request.receive', actor: { agency: e.body.to, device: RECEIVING_DEVICE }, requestId: e.body.request },
            ctx,
          );
          events.push(...received);
          advance(received);
        }
      } finally {
        draft.undoTo(mark);
      }
    }
    return events;
  }

  /**
   * Appends the events of the commands in one batch, then (only once the
   * append is acknowledged) applies them to the live world and tells the
   * listeners. One Executed per command, with its own entries.
   */
  private async record(commands: readonly Command[], decided: readonly (readonly DomainEvent[])[], receipts: readonly Receipt[] = []): Promise<Executed[]> {
    const events = decided.flat();
    const entries = await this.ledger.append(
      events.map((e) => toDraft(e, this.sealing)),
      receipts.length > 0 ? receipts : undefined,
    );
    events.forEach((e, i) => {
      const a = entries[i] as Appended;
      this.projection.apply(e, { index: a.index, received: a.received });
    });
    events.forEach((event, i) => {
      const a = entries[i] as Appended;
      for (const l of this.listeners) l({ event, meta: { index: a.index, received: a.received } });
    });
    let at = 0;
    return commands.map((command, i) => {
      const own = decided[i] ?? [];
      const out: Executed = { command, events: own, entries: entries.slice(at, at + own.length) };
      at += own.length;
      return out;
    });
  }

  /**
   * A client of the recipient received these notifications (the feed sent
   * them, the inbox was read): one `notification.delivered` entry for each
   * addressed to `actor` (to them, to a position they hold, or to their
   * agency as a whole; a device of the agency receives for it) and not yet
   * delivered, all in one append. The others are skipped, so delivering is
   * idempotent: a notice delivered or acknowledged already, or one the actor
   * only sees (a colleague's, on the agency's picture), appends nothing.
   * Unknown ids are refused (UNKNOWN_ENTITY) and nothing is appended.
   * `actor` is the caller as the server authenticated it, never a body's.
   */
  markDelivered(actor: Actor, notificationIds: readonly string[]): Promise<Executed[]> {
    let commands: CommandOf<'notification.deliver'>[];
    try {
      commands = [...new Set(notificationIds)].map(
        (id) => parseCommand({ type: 'notification.deliver', actor, notificationId: id }) as CommandOf<'notification.deliver'>,
      );
    } catch (e) {
      return Promise.reject(e);
    }
    return this.enqueue(({ world }) => {
      const now = this.now();
      const due = commands.filter((c) => {
        const n = world.notifications[c.notificationId];
        if (n === undefined)
          throw new ConcordError('UNKNOWN_ENTITY', `unknown notification "${c.notificationId}"`, { kind: 'notification', id: c.notificationId });
        return n.status === 'created' && isRecipient(world, actor, n, now);
      });
      // each delivery touches only its own notice, so all are decided against the same world
      const ctx = this.context(now);
      return { commands: due, decided: due.map((c) => decide(world, c, ctx)) };
    });
  }

  /**
   * What a command stored with this receipt left: the receipt, and its
   * entries' indexes, types and receive times (a retry's first answer).
   * Undefined when no command was stored with it (or in a dry run).
   */
  async recall(
    id: string,
  ): Promise<{ readonly receipt: StoredReceipt; readonly entries: readonly { index: number; type: string; received: string }[] } | undefined> {
    const store = this.ledger.store;
    const receipt = await store?.receipt(id);
    if (store === undefined || receipt === undefined) return undefined;
    const entries: { index: number; type: string; received: string }[] = [];
    for await (const e of store.entries(receipt.index, receipt.index + receipt.count)) {
      const { type, received } = JSON.parse(e.text) as { type: string; received: string };
      entries.push({ index: e.index, type, received });
    }
    return { receipt, entries };
  }

  /** Resolves once the commands taken so far have run (for shutting down: nothing taken is cut off). */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  /** Escalates every request whose deadline has passed (the deadline clock calls this). */
  async escalateOverdue(): Promise<Executed[]> {
    const out: Executed[] = [];
    for (const c of dueEscalations(this.projection.world, this.now())) out.push(await this.execute(c));
    return out;
  }

  /** The world now, or as it was at `at` (rebuilt from the ledger). */
  async worldAt(at?: string): Promise<World> {
    if (at === undefined) return this.projection.world;
    const store = this.ledger.store;
    if (!store) throw new ConcordError('BAD_INPUT', 'a dry run keeps no history to look back at');
    return rebuildWorld(store, at);
  }

  /** The state of an incident now, or as it was at `at` (rebuilt from the ledger). */
  async incidentState(incidentId: string, at?: string): Promise<ReturnType<typeof incidentView>> {
    const store = this.ledger.store;
    if (at === undefined) return viewOf(this.projection.world, incidentId);
    if (!store) throw new ConcordError('BAD_INPUT', 'a dry run keeps no history to look back at');
    return incidentStateAt(store, incidentId, at);
  }
}

/**
 * An incident as the ledger shows it now, or as it stood at `at`: one pass
 * over the entries, for a reader that keeps no live world.
 */
export async function incidentStateAt(store: LedgerStore, incidentId: string, at?: string): Promise<ReturnType<typeof incidentView>> {
  return viewOf(await rebuildWorld(store, at), incidentId, at);
}

function viewOf(world: World, incidentId: string, at?: string): ReturnType<typeof incidentView> {
  if (!world.incidents[incidentId]) {
    throw new ConcordError('UNKNOWN_ENTITY', at === undefined ? `incident ${incidentId} does not exist` : `incident ${incidentId} did not exist at ${at}`);
  }
  return incidentView(world, incidentId);
}
