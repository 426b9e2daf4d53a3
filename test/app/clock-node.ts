/**
 * A node for the deadline tests: the demo's organisation and incident (its
 * steps before the first request) on a real LedgerService in a temporary
 * data directory, with the demo's protocols, and time that moves only when
 * the test moves it: one injected clock for the ledger and the service, and
 * a fake timer that fires each callback when the test's time reaches it.
 */
import { join } from 'node:path';
import { CoordinationService } from '../../src/app/coordination.ts';
import type { Timer } from '../../src/app/deadline-clock.ts';
import { LedgerService } from '../../src/app/ledger.ts';
import { initNodeDir } from '../../src/app/node-dir.ts';
import { loadProtocolBook } from '../../src/app/protocol-files.ts';
import { readScenario } from '../../src/app/scenario.ts';

export const INCIDENT = 'inc-2026-0601-harrison';
export const santos = { agency: 'fed-ice', person: 'ice-santos' };
export const whitfield = { agency: 'fed-ice', person: 'ice-whitfield' };
export const brennan = { agency: 'fed-ice', person: 'ice-brennan' };
export const chen = { agency: 'city-pd', person: 'cpd-chen' };

/** callbacks set on the fake timer, fired in time order as the test's clock passes them */
export class FakeTimer {
  readonly #pending = new Set<{ readonly at: number; readonly callback: () => void }>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  readonly timer: Timer = (callback, ms) => {
    const t = { at: this.#now() + Math.max(0, ms), callback };
    this.#pending.add(t);
    return () => this.#pending.delete(t);
  };

  get size(): number {
    return this.#pending.size;
  }

  /** the earliest callback due at or before `until`, taken off the timer */
  takeNext(until: number): { readonly at: number; readonly callback: () => void } | undefined {
    let next: { readonly at: number; readonly callback: () => void } | undefined;
    for (const t of this.#pending) if (t.at <= until && (next === undefined || t.at < next.at)) next = t;
    if (next !== undefined) this.#pending.delete(next);
    return next;
  }
}

export interface ClockNode {
  readonly ledger: LedgerService;
  readonly service: CoordinationService;
  readonly timer: FakeTimer;
  /** the test's time, ms since the epoch */
  now: number;
  iso(): string;
  /** the times the fake timer fired, in order */
  readonly wakes: string[];
  /**
   * Moves time to `iso`, firing each timer callback at its own time on the
   * way, and awaiting `settle` after each (the clock's run it started).
   */
  advanceTo(iso: string, settle: () => Promise<void>): Promise<void>;
  /** runs a command at `iso` (time moved there first, with the timers on the way) */
  runAt(iso: string, command: Record<string, unknown>, settle: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

let nodes = 0;

/** the demo's organisation and incident, set up by 20:40; the test's time stands at 2026-06-01T20:40:00Z */
export async function openClockNode(root: string): Promise<ClockNode> {
  const dir = join(root, `clock-node-${nodes++}`);
  initNodeDir(dir, 'concord.test.example/deadline-clock');
  const clock = (): number => node.now;
  const ledger = await LedgerService.open(dir, { clock, checkpoints: { everyMs: 0, everyEntries: 0 } });
  let seq = 0;
  const service = await CoordinationService.open(ledger, {
    protocols: await loadProtocolBook('scenarios/policies'),
    clock,
    newId: (prefix) => `${prefix}-${++seq}`,
  });
  const timer = new FakeTimer(clock);
  const node: ClockNode = {
    ledger,
    service,
    timer,
    now: 0,
    iso: () => new Date(node.now).toISOString(),
    wakes: [],
    async advanceTo(iso, settle) {
      const until = Date.parse(iso);
      for (;;) {
        const t = timer.takeNext(until);
        if (t === undefined) break;
        node.now = Math.max(node.now, t.at);
        node.wakes.push(node.iso());
        t.callback();
        await settle();
      }
      node.now = until;
    },
    async runAt(iso, command, settle) {
      await node.advanceTo(iso, settle);
      await service.execute(command);
      await settle();
    },
    close: () => ledger.close(),
  };
  for (const step of readScenario('scenarios/demo.yaml').steps.filter((s) => s.at < '2026-06-01T20:41:00.000Z')) {
    node.now = Date.parse(step.at);
    await service.execute(step.command);
  }
  node.now = Date.parse('2026-06-01T20:40:00.000Z');
  return node;
}

/** a request from fed-ice's supervisory officer to city-pd on the demo incident */
export function sendRequest(requestId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'request.send',
    actor: santos,
    requestId,
    incidentId: INCIDENT,
    to: 'city-pd',
    category: 'crowd_safety',
    urgency: 'urgent',
    operation: 'public_order',
    description: 'Crowd pressing against the north gate',
    unitsRequested: 2,
    ...extra,
  };
}
