/**
 * The deadline clock: what makes an unanswered request escalate, and an
 * urgent notice nobody acknowledged go up the chain, at its time, in a
 * running server — with no scenario or user driving it.
 *
 * It sleeps until exactly the next pending deadline (domain/deadlines.ts
 * `pendingDeadlines`), never polls. When it wakes it runs what is due
 * through the CoordinationService like any command, one at a time against
 * the world as it is then; then it sleeps again until the next. A new
 * command can bring a deadline closer (a new urgent notice, a request sent,
 * an agency's shorter window): the clock listens to the service and wakes
 * earlier when one does.
 *
 * Each due item (a request's deadline, a notice's) is run once: the domain
 * refuses a stale one, and the clock remembers what it ran, so a command the
 * domain refuses is logged and not tried again and again. A failure that is
 * not a refusal (the ledger could not append) is logged and tried again
 * after a pause. Time comes from the service's injected clock and sleeping
 * from an injected timer, so tests move time without waiting.
 */
import { isConcordError, type ErrorCode } from '../errors.ts';
import { notificationDeadline, pendingDeadlines, requestDeadline, type Command, type Deadline, type DomainEvent, type World } from '../domain/index.ts';
import { instant, isAtOrBefore } from '../domain/time.ts';
import type { Executed, Listener } from './coordination.ts';

/** schedules `callback` in `ms` milliseconds; the function it returns cancels it */
export type Timer = (callback: () => void, ms: number) => () => void;

/** the longest wait setTimeout takes (2^31 - 1 ms, about 24.8 days); a longer one wakes early and sleeps again */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Node's timers. Unref'd: a pending deadline alone does not keep a process alive (the server's socket does). */
export const systemTimer: Timer = (callback, ms) => {
  const t = setTimeout(callback, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS));
  t.unref();
  return () => clearTimeout(t);
};

/** where the clock reports what it did; pino's logger fits */
export interface DeadlineLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const silent: DeadlineLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** what the clock needs of the CoordinationService */
export interface DeadlineService {
  readonly world: World;
  /** the service's time (its injected clock), RFC 3339 UTC */
  now(): string;
  execute(command: unknown): Promise<Executed>;
  subscribe(listener: Listener): () => void;
}

export interface DeadlineClockOptions {
  /** default: Node's setTimeout */
  readonly timer?: Timer;
  readonly logger?: DeadlineLogger;
  /** the pause before trying again after a failure that is not a refusal; default 5 s */
  readonly retryMs?: number;
}

/**
 * Codes that say the ledger, not the domain, failed: the command was not
 * refused, it could not be recorded, so it is tried again later.
 */
const NOT_A_REFUSAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['LEDGER_CLOSED', 'LEDGER_CONTENDED', 'LEDGER_CORRUPT', 'CANONICAL_JSON']);

/** events that bring no deadline closer (they may end one: answered, read, closed); of the others, a request or notice event names its own, and the rest may move any */
const REMOVES_ONLY: ReadonlySet<string> = new Set([
  'notification.delivered',
  'notification.acknowledged',
  'order.issued',
  'order.acknowledged',
  'order.conflict_detected',
  'conflict.resolved',
  'incident.opened',
  'incident.updated',
  'incident.closed',
  'incident.command_established',
  'incident.liaison_designated',
  'incident.unit_assigned',
  'incident.unit_released',
]);

function describeCommand(c: Command): Record<string, unknown> {
  return c.type === 'notification.resend'
    ? { command: c.type, notification: c.notificationId }
    : { command: c.type, ...('requestId' in c ? { request: c.requestId } : {}) };
}

export class DeadlineClock {
  readonly #service: DeadlineService;
  readonly #timer: Timer;
  readonly #logger: DeadlineLogger;
  readonly #retryMs: number;
  /** keys of the due items run (or refused): never run again */
  readonly #ran = new Set<string>();
  #cancel: (() => void) | undefined;
  /** the deadline the timer is set for, and when it wakes (ms since the epoch; later while paused) */
  #armed: { readonly deadline: Deadline; readonly wakeAt: number } | undefined;
  /** no wake before this, after a failure that was not a refusal */
  #pausedUntil: number | undefined;
  #running: Promise<void> | undefined;
  #rescanQueued = false;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(service: DeadlineService, options: DeadlineClockOptions = {}) {
    this.#service = service;
    this.#timer = options.timer ?? systemTimer;
    this.#logger = options.logger ?? silent;
    this.#retryMs = options.retryMs ?? 5000;
  }

  /** Starts listening and sleeps until the first deadline (one already past runs at once). */
  start(): this {
    if (this.#stopped) throw new Error('a stopped deadline clock does not start again');
    if (this.#unsubscribe !== undefined) return this;
    this.#unsubscribe = this.#service.subscribe(this.#onEvent);
    this.#arm();
    return this;
  }

  /** Stops: no new wake, and the run in progress (if any) finishes its current command before this resolves. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#disarm();
    await this.#running;
  }

  /** when the clock will wake next (RFC 3339), if anything is pending */
  get wakesAt(): string | undefined {
    return this.#armed === undefined ? undefined : new Date(this.#armed.wakeAt).toISOString();
  }

  /** resolves once no run is in progress */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /**
   * Runs everything due now, one command at a time, then sleeps until the
   * next deadline. What the timer calls; a second call while a run is in
   * progress joins it.
   */
  tick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
      if (!this.#stopped) this.#arm();
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    this.#disarm();
    const nowMs = instant(this.#service.now());
    if (this.#pausedUntil !== undefined && nowMs >= this.#pausedUntil) this.#pausedUntil = undefined;
    if (this.#pausedUntil !== undefined) return;
    try {
      for (;;) {
        if (this.#stopped) return;
        // judged afresh each time: the command before may have changed what is due
        const now = this.#service.now();
        const pending = pendingDeadlines(this.#service.world, now);
        const due = pending.find((d) => !this.#ran.has(d.key) && isAtOrBefore(d.at, now));
        if (due === undefined) {
          this.#forgetPassed(pending);
          return;
        }
        if (!(await this.#runOne(due))) return;
      }
    } catch (e) {
      // reading the world failed (it should not): report, and try again after a pause
      this.#logger.error({ err: e }, 'deadline clock: could not read the pending deadlines');
      this.#pausedUntil = instant(this.#service.now()) + this.#retryMs;
    }
  }

  /** runs one due item; false when the ledger failed and the run should pause */
  async #runOne(d: Deadline): Promise<boolean> {
    this.#ran.add(d.key);
    const what = { due: d.at, ...describeCommand(d.command) };
    try {
      const x = await this.#service.execute(d.command);
      this.#logger.info({ ...what, entries: x.entries.map((e) => e.index) }, `deadline passed: ${d.command.type}`);
      return true;
    } catch (e) {
      if (isConcordError(e) && !NOT_A_REFUSAL.has(e.code)) {
        // the domain said no: the world moved on (answered, read, closed) or the item is not what it was; not tried again
        this.#logger.warn({ ...what, code: e.code, reason: e.message }, `deadline passed, ${d.command.type} refused`);
        return true;
      }
      this.#ran.delete(d.key);
      this.#pausedUntil = instant(this.#service.now()) + this.#retryMs;
      this.#logger.error({ ...what, err: e }, `deadline passed, ${d.command.type} failed; trying again in ${this.#retryMs} ms`);
      return false;
    }
  }

  /** keys that are no longer pending cannot come back (a new deadline has a new key): forget them */
  #forgetPassed(pending: readonly Deadline[]): void {
    const live = new Set(pending.map((d) => d.key));
    for (const key of this.#ran) if (!live.has(key)) this.#ran.delete(key);
  }

  /** sets the timer for the next pending deadline not yet run, from the whole world */
  #arm(): void {
    this.#disarm();
    if (this.#stopped) return;
    const now = this.#service.now();
    const next = pendingDeadlines(this.#service.world, now).find((d) => !this.#ran.has(d.key));
    if (next !== undefined) this.#armFor(next, now);
  }

  #armFor(deadline: Deadline, now: string): void {
    const at = instant(deadline.at);
    const wakeAt = Math.max(at, this.#pausedUntil ?? at);
    this.#disarm();
    this.#armed = { deadline, wakeAt };
    this.#cancel = this.#timer(
      () => {
        this.#cancel = undefined;
        this.#armed = undefined;
        void this.tick();
      },
      wakeAt - instant(now),
    );
  }

  #disarm(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#armed = undefined;
  }

  /** a whole-world look, once for all the events of one command */
  #queueRescan(): void {
    if (this.#rescanQueued) return;
    this.#rescanQueued = true;
    queueMicrotask(() => {
      this.#rescanQueued = false;
      if (!this.#stopped && this.#running === undefined) this.#arm();
    });
  }

  /**
   * A command changed the world. If the deadline the clock sleeps until is
   * gone or later (answered, read, closed), look at the whole world again, so
   * it never wakes for nothing; if the command brought a deadline closer,
   * wake for that one. Otherwise only the deadline the event names is looked
   * at: no scan of the world per command.
   */
  readonly #onEvent: Listener = ({ event }) => {
    // a run ends by arming from the whole world
    if (this.#stopped || this.#running !== undefined) return;
    const world = this.#service.world;
    const now = this.#service.now();
    const armed = this.#armed?.deadline;
    if (armed !== undefined && this.#stillDue(world, armed, now)?.at !== armed.at) {
      this.#queueRescan();
      return;
    }
    if (REMOVES_ONLY.has(event.type)) return;
    const named = this.#deadlineNamedBy(world, event, now);
    // an organisation change can move any deadline
    if (named === 'rescan') this.#queueRescan();
    else if (named !== undefined && !this.#ran.has(named.key) && (armed === undefined || instant(named.at) < instant(armed.at))) this.#armFor(named, now);
  };

  /** the item's deadline as the world now has it, if still pending */
  #stillDue(world: World, d: Deadline, now: string): Deadline | undefined {
    const c = d.command;
    if (c.type === 'notification.resend') {
      const n = world.notifications[c.notificationId];
      return n === undefined ? undefined : notificationDeadline(world, n, now);
    }
    if (c.type === 'request.escalate') {
      const r = world.requests[c.requestId];
      return r === undefined ? undefined : requestDeadline(world, r);
    }
    return undefined;
  }

  #deadlineNamedBy(world: World, event: DomainEvent, now: string): Deadline | undefined | 'rescan' {
    if (event.type === 'notification.created') {
      const n = world.notifications[event.body.notification];
      return n === undefined ? undefined : notificationDeadline(world, n, now);
    }
    if (event.type.startsWith('request.')) {
      // every request event names its request
      const id = (event.body as { readonly request?: string }).request;
      const r = id === undefined ? undefined : world.requests[id];
      return r === undefined ? undefined : requestDeadline(world, r);
    }
    return 'rescan';
  }
}
