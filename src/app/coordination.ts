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
  dueEscalations,
  EVENT_TYPES,
  incidentView,
  parseCommand,
  parseDomainEvent,
  positionsHeld,
  Projection,
  type Command,
  type DomainEvent,
  type EventMeta,
  type World,
} from '../domain/index.ts';
import type { Verdict } from '../domain/verdict.ts';
import { emptyWorld } from '../domain/world.ts';
import { ConcordError } from '../errors.ts';
import type { EntryDraft, JsonObject } from '../ledger/entry.ts';
import { evaluateOrder, evaluateRequest, type AgencyRef, type ProtocolBook } from '../policy/index.ts';
import type { Appended, LedgerStore } from '../store/store.ts';

/** where the service appends: the node's LedgerService, or a dry run that keeps nothing */
export interface EventLedger {
  append(drafts: readonly EntryDraft[]): Promise<Appended[]>;
  /** the store to rebuild past states from; absent in a dry run */
  readonly store?: LedgerStore;
}

export interface CoordinationOptions {
  /** the agencies' protocols; without them requests are received but get no verdict */
  readonly protocols?: ProtocolBook;
  /** milliseconds since the epoch (the same clock the ledger store uses) */
  readonly clock?: () => number;
  /** ids for things a command leaves unnamed */
  readonly newId?: (prefix: string) => string;
}

export interface Executed {
  readonly command: Command;
  readonly events: readonly DomainEvent[];
  readonly entries: readonly Appended[];
}

export type Listener = (e: { readonly event: DomainEvent; readonly meta: EventMeta }) => void;

const DOMAIN_TYPES = new Set<string>(EVENT_TYPES);

function randomId(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

function toDraft(e: DomainEvent): EntryDraft {
  return {
    type: e.type,
    actor: e.actor,
    ...(e.incident !== undefined ? { incident: e.incident } : {}),
    body: e.body as unknown as JsonObject,
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
  for await (const stored of store.entries(0, size, filter)) {
    const entry = JSON.parse(stored.text) as { type: string; actor: unknown; incident?: unknown; body: unknown; received: string; index: number };
    if (!DOMAIN_TYPES.has(entry.type)) continue; // other kinds of entry (notes, radio calls) are not domain events
    const event = parseDomainEvent(entry.type, entry.actor, entry.incident, entry.body);
    projection.apply(event, { index: entry.index, received: entry.received });
  }
  return projection.world;
}

export class CoordinationService {
  readonly ledger: EventLedger;
  private readonly protocols: ProtocolBook | undefined;
  private readonly clock: () => number;
  private readonly newId: (prefix: string) => string;
  /** the live world, folded in place (entities are immutable, collections are not) */
  private readonly projection: Projection;
  /** commands run one at a time: each decides against the world the previous one left */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<Listener>();

  private constructor(ledger: EventLedger, world: World, opts: CoordinationOptions) {
    this.ledger = ledger;
    this.projection = new Projection(world);
    this.protocols = opts.protocols;
    this.clock = opts.clock ?? Date.now;
    this.newId = opts.newId ?? randomId;
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

  private now(): string {
    return new Date(this.clock()).toISOString();
  }

  /**
   * Runs one command (untrusted input is validated here). Refused commands
   * throw a ConcordError and append nothing.
   */
  execute(input: unknown): Promise<Executed> {
    let command: Command;
    try {
      command = parseCommand(input);
    } catch (e) {
      // refused input is a rejected promise like any other refusal, never a synchronous throw
      return Promise.reject(e);
    }
    const run = this.turn.then(() => this.executeNow(command));
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async executeNow(command: Command): Promise<Executed> {
    const now = this.now();
    const ctx = { now, newId: this.newId };
    // decide the command and what follows from it at once, against a provisional world;
    // all of it is appended in one atomic batch
    const events: DomainEvent[] = [];
    let provisional = this.projection.world;
    // what follows a command (a sent request is received and evaluated) is
    // decided against the world those events make: a copy-on-write world, so
    // the live one is untouched until the append commits
    const advance = (out: readonly DomainEvent[]): void => {
      for (const x of out) provisional = applyEvent(provisional, x, { index: provisional.lastIndex + 1, received: now });
    };
    const take = (c: Command): DomainEvent[] => {
      const out = decide(provisional, c, ctx);
      events.push(...out);
      return out;
    };
    const first = take(this.withRequestVerdict(this.withOrderVerdict(command, provisional, now), provisional, now));
    const sent = first.filter((e) => e.type === 'request.sent');
    if (sent.length > 0) {
      advance(first);
      for (const e of sent) {
        this.followSentRequest(e, (c) => {
          const out = take(c);
          advance(out);
          return out;
        }, () => provisional, now);
      }
    }
    const entries = await this.ledger.append(events.map(toDraft));
    events.forEach((e, i) => {
      const a = entries[i] as Appended;
      this.projection.apply(e, { index: a.index, received: a.received });
    });
    events.forEach((event, i) => {
      const a = entries[i] as Appended;
      for (const l of this.listeners) l({ event, meta: { index: a.index, received: a.received } });
    });
    return { command, events, entries };
  }

  /**
   * A request sent to an agency on this node is received by it at once and
   * evaluated against its protocols, so the verdict is on record before
   * anyone acts on the request.
   */
  private followSentRequest(sent: DomainEvent, take: (c: Command) => DomainEvent[], current: () => World, now: string): void {
    const body = sent.body as { request?: string; to?: string };
    const requestId = body.request;
    const to = body.to;
    if (!requestId || !to || !current().agencies[to]) return;
    take({ type: 'request.receive', actor: { agency: to, device: 'concord' }, requestId } as Command);
    // an agency with no protocol in effect: the request stays received, unevaluated
    const verdict = this.requestVerdict(current(), requestId, now);
    if (!verdict) return;
    take({ type: 'request.evaluate', actor: { agency: to, device: 'concord-protocols' }, requestId, verdict } as Command);
  }

  /** the receiving agency's verdict on a request now; undefined without protocols or with none in effect */
  private requestVerdict(world: World, requestId: string, now: string): Verdict | undefined {
    if (!this.protocols) return undefined;
    const request = world.requests[requestId];
    const from = request ? world.agencies[request.from] : undefined;
    const toAgency = request ? world.agencies[request.to] : undefined;
    if (!request || !from || !toAgency) return undefined;
    try {
      return evaluateRequest(
        this.protocols,
        {
          requestId,
          from: { id: from.id, kind: from.kind },
          to: { id: toAgency.id, kind: toAgency.kind },
          category: request.category,
          urgency: request.urgency,
          operation: request.operation,
          officerInDanger: request.category === 'officer_in_danger',
          description: request.description,
          requestedUnits: request.unitsRequested,
        },
        now,
      );
    } catch (e) {
      if (e instanceof ConcordError && e.code === 'POLICY_NOT_EFFECTIVE') return undefined;
      throw e;
    }
  }

  /**
   * With protocols loaded, verdicts come from them, never from the command:
   * a request.evaluate from outside re-evaluates the request now, and the
   * verdict it carries is replaced — otherwise a made-up "permitted" verdict
   * would let a prohibited request be accepted.
   */
  private withRequestVerdict(command: Command, world: World, now: string): Command {
    if (command.type !== 'request.evaluate' || !this.protocols) return command;
    const request = world.requests[command.requestId];
    if (!request) return command; // decide refuses the unknown request with a precise error
    const verdict = this.requestVerdict(world, command.requestId, now);
    if (!verdict) throw new ConcordError('POLICY_NOT_EFFECTIVE', `no protocol of ${request.to} is in effect at ${now} to evaluate request ${request.id}`);
    return { ...command, verdict };
  }

  /**
   * An order is evaluated against the issuing agency's protocols before it is
   * decided, so a prohibited order is refused and every order carries the
   * clauses that allowed it.
   */
  private withOrderVerdict(input: Command, world: World, now: string): Command {
    if (input.type !== 'order.issue' || !this.protocols) return input;
    // as for requests, a verdict carried by the command is never taken on trust
    const { verdict: _supplied, ...command } = input;
    const agency = world.agencies[command.actor.agency];
    if (!agency) return command; // decide refuses the unknown agency with a precise error
    const ref = (id: string): AgencyRef => ({ id, kind: world.agencies[id]?.kind ?? 'other' });
    const units = (command.units ?? []).map((id) => ({ id, home: ref(world.units[id]?.agency ?? agency.id) }));
    const requestId = (command.units ?? []).map((id) => world.units[id]?.commitment).find((r) => r !== undefined);
    const request = requestId ? world.requests[requestId] : undefined;
    const person = command.actor.person;
    // name the order now, so its verdict and its record carry the same id
    const orderId = command.orderId ?? this.newId('order');
    try {
      const verdict = evaluateOrder(
        this.protocols,
        {
          orderId,
          issuer: { agency: ref(agency.id), position: (person ? positionsHeld(world, person, now)[0] : undefined) ?? '' },
          directive: command.directive,
          units,
          ...(request ? { relatedRequest: { requestId: request.id, from: ref(request.from), category: request.category, operation: request.operation } } : {}),
        },
        now,
      );
      return { ...command, orderId, verdict };
    } catch (e) {
      if (e instanceof ConcordError && e.code === 'POLICY_NOT_EFFECTIVE') return command;
      throw e;
    }
  }

  /** Escalates every request whose deadline has passed (the deadline clock calls this). */
  async escalateOverdue(): Promise<Executed[]> {
    const out: Executed[] = [];
    for (const c of dueEscalations(this.projection.world, this.now())) out.push(await this.execute(c));
    return out;
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
