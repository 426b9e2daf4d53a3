/**
 * The deadline clock (src/app/deadline-clock.ts) on the demo's organisation,
 * a real ledger and the demo's protocols, with the server's clock and timer
 * injected: nothing but the clock escalates a request or re-sends a notice,
 * each at its time. Then what keeps it honest: it sleeps until exactly the
 * next deadline, runs each due item once, goes on after a refused command,
 * tries again after a failure that is not a refusal, and stops cleanly.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DeadlineClock, type DeadlineLogger, type DeadlineService } from '../../src/app/deadline-clock.ts';
import type { Executed } from '../../src/app/coordination.ts';
import { ConcordError } from '../../src/errors.ts';
import type { Command } from '../../src/domain/index.ts';
import { tempRoot } from '../helpers/data-dir.ts';
import { brennan, chen, openClockNode, santos, sendRequest, type ClockNode } from './clock-node.ts';

const root = tempRoot('concord-deadline-clock-');
after(() => root.cleanup());

/** a logger that keeps what it is told */
class Recorder implements DeadlineLogger {
  readonly lines: { level: string; details: Record<string, unknown>; message: string }[] = [];
  info(details: object, message: string): void {
    this.lines.push({ level: 'info', details: details as Record<string, unknown>, message });
  }
  warn(details: object, message: string): void {
    this.lines.push({ level: 'warn', details: details as Record<string, unknown>, message });
  }
  error(details: object, message: string): void {
    this.lines.push({ level: 'error', details: details as Record<string, unknown>, message });
  }
}

/** the entries the clock appended (its device is the actor), as [type, receive time, what] */
async function clockEntries(node: ClockNode): Promise<[string, string, string][]> {
  const out: [string, string, string][] = [];
  const size = await node.ledger.store.size();
  for await (const e of node.ledger.store.entries(0, size)) {
    const entry = JSON.parse(e.text) as { type: string; actor: { device?: string }; received: string; body: Record<string, unknown> };
    if (entry.actor.device !== 'deadline-clock') continue;
    const b = entry.body;
    const what = entry.type === 'request.escalated' ? `${String(b.request)} → ${String(b.to)}` : `${String(b.resends ?? '')} → ${String(b.position ?? '')}`;
    if (entry.type === 'notification.created' && b.resends === undefined) continue; // the notices an escalation sends
    out.push([entry.type, entry.received, what]);
  }
  return out;
}

/** a service that passes everything to the real one, except where a test intervenes */
function wrap(node: ClockNode, intervene: (command: Command, call: () => Promise<Executed>) => Promise<Executed>): DeadlineService & { calls: Command[] } {
  const calls: Command[] = [];
  return {
    calls,
    get world() {
      return node.service.world;
    },
    now: () => node.service.now(),
    subscribe: (l) => node.service.subscribe(l),
    execute: (command) => {
      calls.push(command as Command);
      return intervene(command as Command, () => node.service.execute(command));
    },
  };
}

describe('the deadline clock in the server', () => {
  it('with the clock injected, an urgent request left unanswered escalates twice, and an unacknowledged urgent notice is re-sent, each at its time, with no scenario driving it', async () => {
    const node = await openClockNode(root.path);
    const log = new Recorder();
    const clock = new DeadlineClock(node.service, { timer: node.timer.timer, logger: log }).start();
    const settle = (): Promise<void> => clock.idle();
    try {
      assert.equal(clock.wakesAt, undefined, 'nothing pending: the clock sleeps with no timer set');
      // fed-ice gives its people two minutes to acknowledge an urgent notice
      await node.runAt('2026-06-01T20:40:00.000Z', { type: 'agency.configure', actor: brennan, acknowledgeUrgentWithin: 120 }, settle);
      // an urgent request the city leaves unanswered: 10 minutes to answer
      await node.runAt('2026-06-01T20:41:00.000Z', sendRequest('req-a'), settle);
      assert.equal(clock.wakesAt, '2026-06-01T20:51:00.000Z', 'asleep until the request deadline, exactly');
      // a call for help the city declines at once: fed-ice's liaison and requester are told, urgently
      await node.runAt(
        '2026-06-01T20:42:00.000Z',
        sendRequest('req-b', { category: 'officer_in_danger', urgency: 'immediate', operation: 'emergency_response', unitsRequested: 1 }),
        settle,
      );
      await node.runAt('2026-06-01T20:42:30.000Z', { type: 'request.decline', actor: chen, requestId: 'req-b', reason: 'No units free in the 12th' }, settle);
      const told = Object.values(node.service.world.notifications).filter((n) => n.topic === 'request.declined');
      const toWhitfield = told.find((n) => n.recipient.person === 'ice-whitfield')!;
      const toSantos = told.find((n) => n.recipient.person === 'ice-santos')!;
      assert.ok(toWhitfield.urgent && toSantos.urgent);
      assert.equal(clock.wakesAt, '2026-06-01T20:44:30.000Z', 'the new notice brought the next wake closer');
      // the requester reads his; the liaison never reads his
      await node.runAt('2026-06-01T20:43:00.000Z', { type: 'notification.acknowledge', actor: santos, notificationId: toSantos.id }, settle);
      await node.advanceTo('2026-06-01T21:05:00.000Z', settle);

      const entries = await clockEntries(node);
      const [first, second] = Object.values(node.service.world.notifications).filter((n) => n.resends !== undefined);
      assert.deepEqual(entries, [
        ['notification.created', '2026-06-01T20:44:30.000Z', `${toWhitfield.id} → fed-ice.supervisory-officer`],
        ['notification.created', '2026-06-01T20:46:30.000Z', `${first?.id} → fed-ice.field-office-director`],
        ['request.escalated', '2026-06-01T20:51:00.000Z', 'req-a → city-pd.district-commander'],
        ['request.escalated', '2026-06-01T21:01:00.000Z', 'req-a → city-pd.chief-of-patrol'],
      ]);
      assert.equal(second?.resends, first?.id);
      assert.equal(
        second?.reason,
        'not acknowledged within 120 s by position fed-ice.supervisory-officer (due 2026-06-01T20:46:30.000Z); re-sent to position fed-ice.field-office-director',
      );
      const r = node.service.world.requests['req-a']!;
      assert.deepEqual(
        r.escalations.map((e) => [e.at, e.authority]),
        [
          ['2026-06-01T20:51:00.000Z', { kind: 'response_deadline', deadline: '2026-06-01T20:51:00.000Z' }],
          ['2026-06-01T21:01:00.000Z', { kind: 'response_deadline', deadline: '2026-06-01T21:01:00.000Z' }],
        ],
      );
      // it woke only when something was due, never to poll; the director's notice is at the top, so next is the request again
      assert.deepEqual(node.wakes, ['2026-06-01T20:44:30.000Z', '2026-06-01T20:46:30.000Z', '2026-06-01T20:51:00.000Z', '2026-06-01T21:01:00.000Z']);
      assert.equal(clock.wakesAt, '2026-06-01T21:11:00.000Z');
      assert.equal(node.timer.size, 1);
      // what it did, it said
      assert.deepEqual(
        log.lines.map((l) => [l.level, l.message, l.details.due]),
        [
          ['info', 'deadline passed: notification.resend', '2026-06-01T20:44:30.000Z'],
          ['info', 'deadline passed: notification.resend', '2026-06-01T20:46:30.000Z'],
          ['info', 'deadline passed: request.escalate', '2026-06-01T20:51:00.000Z'],
          ['info', 'deadline passed: request.escalate', '2026-06-01T21:01:00.000Z'],
        ],
      );
      // whoever holds the director's post reads the last notice: nothing more goes up for it
      await node.runAt('2026-06-01T21:06:00.000Z', { type: 'notification.acknowledge', actor: brennan, notificationId: second!.id }, settle);
      assert.equal(node.service.world.notifications[second!.id]?.status, 'acknowledged');
    } finally {
      await clock.stop();
      await node.close();
    }
  });

  it('started late, it runs what is overdue once, one step each, against the world as it is then', async () => {
    const node = await openClockNode(root.path);
    const clock = new DeadlineClock(node.service, { timer: node.timer.timer });
    const settle = (): Promise<void> => clock.idle();
    try {
      await node.service.execute(sendRequest('req-a'));
      // the node was down for an hour: the request is five deadlines overdue
      node.now = Date.parse('2026-06-01T21:40:00.000Z');
      clock.start();
      assert.equal(clock.wakesAt, '2026-06-01T20:50:00.000Z', 'a passed deadline: wake at once');
      await node.advanceTo('2026-06-01T21:40:00.000Z', settle);
      assert.deepEqual(await clockEntries(node), [['request.escalated', '2026-06-01T21:40:00.000Z', 'req-a → city-pd.district-commander']]);
      assert.equal(clock.wakesAt, '2026-06-01T21:50:00.000Z');
    } finally {
      await clock.stop();
      await node.close();
    }
  });

  it('runs each due item once: a second wake or tick at the same moment finds nothing to do', async () => {
    const node = await openClockNode(root.path);
    const clock = new DeadlineClock(node.service, { timer: node.timer.timer }).start();
    try {
      await node.service.execute(sendRequest('req-a'));
      node.now = Date.parse('2026-06-01T20:50:00.000Z');
      await Promise.all([clock.tick(), clock.tick(), node.timer.takeNext(node.now)?.callback(), clock.tick()]);
      await clock.idle();
      await clock.tick();
      assert.equal(node.service.world.requests['req-a']?.escalations.length, 1);
      assert.equal((await clockEntries(node)).length, 1);
    } finally {
      await clock.stop();
      await node.close();
    }
  });

  it('goes on after a refused command: logs it, never tries it again, and runs the rest', async () => {
    const node = await openClockNode(root.path);
    const log = new Recorder();
    const service = wrap(node, (command, call) =>
      command.type === 'request.escalate' && command.requestId === 'req-x'
        ? Promise.reject(new ConcordError('NOT_AUTHORISED', 'refused for the test'))
        : call(),
    );
    const clock = new DeadlineClock(service, { timer: node.timer.timer, logger: log }).start();
    const settle = (): Promise<void> => clock.idle();
    try {
      await node.runAt('2026-06-01T20:40:00.000Z', sendRequest('req-x'), settle);
      await node.runAt('2026-06-01T20:40:00.000Z', sendRequest('req-y'), settle);
      await node.advanceTo('2026-06-01T20:55:00.000Z', settle);
      assert.equal(node.service.world.requests['req-y']?.escalations.length, 1);
      assert.equal(node.service.world.requests['req-x']?.escalations.length, 0);
      const refused = log.lines.filter((l) => l.level === 'warn');
      assert.deepEqual(
        refused.map((l) => [l.details.request, l.details.code, l.details.due]),
        [['req-x', 'NOT_AUTHORISED', '2026-06-01T20:50:00.000Z']],
      );
      // req-x's passed deadline is not tried again; req-y's next one runs at its time
      await node.advanceTo('2026-06-01T21:30:00.000Z', settle);
      assert.equal(service.calls.filter((c) => c.type === 'request.escalate' && c.requestId === 'req-x').length, 1);
      assert.equal(node.service.world.requests['req-y']?.escalations.length, 3);
      assert.deepEqual(node.wakes, ['2026-06-01T20:50:00.000Z', '2026-06-01T21:00:00.000Z', '2026-06-01T21:10:00.000Z']);
    } finally {
      await clock.stop();
      await node.close();
    }
  });

  it('after a failure that is not a refusal (the ledger could not append), tries again after a pause', async () => {
    const node = await openClockNode(root.path);
    const log = new Recorder();
    let failures = 1;
    const service = wrap(node, (_command, call) => (failures-- > 0 ? Promise.reject(new ConcordError('LEDGER_CLOSED', 'disk gone for a moment')) : call()));
    const clock = new DeadlineClock(service, { timer: node.timer.timer, logger: log, retryMs: 5000 }).start();
    const settle = (): Promise<void> => clock.idle();
    try {
      await node.service.execute(sendRequest('req-a'));
      await node.advanceTo('2026-06-01T20:51:00.000Z', settle);
      assert.deepEqual(await clockEntries(node), [['request.escalated', '2026-06-01T20:50:05.000Z', 'req-a → city-pd.district-commander']]);
      assert.deepEqual(
        log.lines.map((l) => [l.level, l.details.code ?? null]),
        [
          ['error', null],
          ['info', null],
        ],
      );
      assert.deepEqual(node.wakes, ['2026-06-01T20:50:00.000Z', '2026-06-01T20:50:05.000Z']);
    } finally {
      await clock.stop();
      await node.close();
    }
  });

  it('stop() waits for the command in progress, then nothing more runs', async () => {
    const node = await openClockNode(root.path);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const service = wrap(node, async (_command, call) => {
      await gate;
      return call();
    });
    const clock = new DeadlineClock(service, { timer: node.timer.timer }).start();
    try {
      await node.service.execute(sendRequest('req-a'));
      await node.service.execute(sendRequest('req-b'));
      node.now = Date.parse('2026-06-01T20:50:00.000Z');
      node.timer.takeNext(node.now)?.callback();
      let stopped = false;
      const stopping = clock.stop().then(() => (stopped = true));
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      assert.equal(stopped, false, 'stop() waits for the escalation in progress');
      open();
      await stopping;
      // the one in progress finished; the second, due at the same time, was not started
      assert.equal(service.calls.length, 1);
      assert.equal((await clockEntries(node)).length, 1);
      assert.equal(node.timer.size, 0, 'no timer left set');
      assert.equal(clock.wakesAt, undefined);
      // a command after the stop arms nothing
      await node.service.execute(sendRequest('req-c'));
      assert.equal(node.timer.size, 0);
      await clock.tick();
      assert.equal(service.calls.length, 1);
      assert.throws(() => clock.start(), /does not start again/);
    } finally {
      await clock.stop();
      await node.close();
    }
  });

  it('a command that moves deadlines closer wakes it earlier: a shorter window set by the agency', async () => {
    const node = await openClockNode(root.path);
    const clock = new DeadlineClock(node.service, { timer: node.timer.timer }).start();
    const settle = (): Promise<void> => clock.idle();
    try {
      await node.runAt(
        '2026-06-01T20:40:00.000Z',
        sendRequest('req-b', { category: 'officer_in_danger', urgency: 'immediate', operation: 'emergency_response', unitsRequested: 1 }),
        settle,
      );
      await node.runAt('2026-06-01T20:40:30.000Z', { type: 'request.decline', actor: chen, requestId: 'req-b', reason: 'No units free' }, settle);
      // the default five minutes
      assert.equal(clock.wakesAt, '2026-06-01T20:45:30.000Z');
      await node.runAt('2026-06-01T20:41:00.000Z', { type: 'agency.configure', actor: brennan, acknowledgeUrgentWithin: 60 }, settle);
      assert.equal(clock.wakesAt, '2026-06-01T20:41:30.000Z');
      await node.advanceTo('2026-06-01T20:41:30.000Z', settle);
      assert.deepEqual(
        (await clockEntries(node)).map(([type, at]) => [type, at]),
        [
          ['notification.created', '2026-06-01T20:41:30.000Z'],
          ['notification.created', '2026-06-01T20:41:30.000Z'],
        ],
      );
    } finally {
      await clock.stop();
      await node.close();
    }
  });
});
