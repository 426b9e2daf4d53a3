/**
 * The deadline clock in the served node, observed through the HTTP API: the
 * server's clock is injected (the demo organisation before the call for
 * help, 20:40), and its timer is a fake that fires when the test moves time.
 * Nobody answers an urgent request and nobody acknowledges an urgent
 * notice; no scenario and no user drives anything after that, and yet the
 * request escalates twice and the notice goes up fed-ice's chain, each at
 * its time, not a second before, as the API shows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeTimer } from '../app/clock-node.ts';
import { openFeed, type FeedClient } from '../helpers/feed-client.ts';
import { serveDemo, type Client, type ServedNode } from '../helpers/server.ts';

const INCIDENT = 'inc-2026-0601-harrison';

let now = Date.parse('2026-06-01T20:40:00.000Z');
const timer = new FakeTimer(() => now);
let node: ServedNode;
const feeds: FeedClient[] = [];

before(async () => {
  node = await serveDemo({ until: '2026-06-01T20:40:00Z', clock: () => now, deadlines: { timer: timer.timer } });
});
after(async () => {
  for (const f of feeds) f.close();
  await node.stop();
  node.cleanup();
});

/** moves the server's time to `iso`, firing each timer the clock set at its own time on the way, and letting its run finish */
async function advanceTo(iso: string): Promise<void> {
  const until = Date.parse(iso);
  for (;;) {
    const t = timer.takeNext(until);
    if (t === undefined) break;
    now = Math.max(now, t.at);
    t.callback();
    await node.live.deadlines?.idle();
  }
  now = until;
}

async function read<T>(who: Client, path: string): Promise<T> {
  const r = await who.get(path);
  const text = await r.text();
  assert.equal(r.status, 200, `${who.login} GET ${path}: ${text}`);
  return JSON.parse(text) as T;
}

async function post(who: Client, path: string, body: unknown): Promise<void> {
  const r = await who.post(path, body);
  assert.equal(r.status, 201, `${who.login} POST ${path}: ${await r.text()}`);
}

interface RequestJson {
  readonly escalations: readonly { readonly at: string; readonly by: { readonly device?: string }; readonly to: string; readonly authority: unknown }[];
}

interface NotificationJson {
  readonly id: string;
  readonly topic: string;
  readonly request?: string;
  readonly recipient: { readonly agency: string; readonly person?: string };
  readonly position?: string;
  readonly resends?: string;
  readonly createdAt: string;
  readonly createdBy: Record<string, string>;
  readonly reason?: string;
  readonly status: string;
  readonly urgent: boolean;
}

describe('the deadline clock, served', () => {
  it('with the clock injected, an urgent request left unanswered escalates twice and an unacknowledged urgent notice is re-sent, each at its time', async () => {
    assert.ok(node.live.deadlines !== undefined, 'the node runs its deadline clock');
    const santos = await node.as('santos');
    const chen = await node.as('chen');
    const santosFeed = await openFeed(node.url, santos.headers);
    feeds.push(santosFeed);

    // an urgent request the city leaves unanswered: ten minutes to answer
    await advanceTo('2026-06-01T20:41:00.000Z');
    await post(santos, '/v1/requests', {
      requestId: 'req-a',
      incidentId: INCIDENT,
      to: 'city-pd',
      category: 'crowd_safety',
      urgency: 'urgent',
      operation: 'public_order',
      description: 'Crowd pressing against the north gate',
      unitsRequested: 2,
    });
    // a call for help the city declines at once: fed-ice's liaison and the requester are told, urgently
    await advanceTo('2026-06-01T20:42:00.000Z');
    await post(santos, '/v1/requests', {
      requestId: 'req-b',
      incidentId: INCIDENT,
      to: 'city-pd',
      category: 'officer_in_danger',
      urgency: 'immediate',
      operation: 'emergency_response',
      description: 'Officer down at the north gate',
      unitsRequested: 1,
    });
    await advanceTo('2026-06-01T20:42:30.000Z');
    await post(chen, '/v1/requests/req-b/decline', { reason: 'No units free in the 12th' });

    // the requester reads and acknowledges his notice; the liaison never logs in
    await advanceTo('2026-06-01T20:43:00.000Z');
    const inbox = await read<{ notifications: NotificationJson[] }>(santos, '/v1/notifications');
    const santosNotice = inbox.notifications.find((n) => n.topic === 'request.declined' && n.request === 'req-b');
    assert.ok(santosNotice?.urgent, 'santos was told urgently');
    await post(santos, `/v1/notifications/${santosNotice.id}/acknowledge`, {});
    const told = await read<{ notifications: NotificationJson[] }>(santos, `/v1/incidents/${INCIDENT}`);
    const whitfieldNotice = told.notifications.find((n) => n.topic === 'request.declined' && n.recipient.person === 'ice-whitfield');
    assert.ok(whitfieldNotice?.urgent, 'the liaison was told urgently');

    const resentOf = async (id: string): Promise<NotificationJson | undefined> =>
      (await read<{ notifications: NotificationJson[] }>(santos, `/v1/incidents/${INCIDENT}`)).notifications.find((n) => n.resends === id);

    // fed-ice gives five minutes (the default) to acknowledge an urgent notice: not re-sent a second early...
    await advanceTo('2026-06-01T20:47:29.000Z');
    assert.equal(await resentOf(whitfieldNotice.id), undefined, 'not re-sent before its time');
    // ...and re-sent to the next position up the chain at its time, by the node's clock
    await advanceTo('2026-06-01T20:47:30.000Z');
    const resent = await resentOf(whitfieldNotice.id);
    assert.ok(resent !== undefined, "the liaison's notice is re-sent");
    assert.equal(resent.createdAt, '2026-06-01T20:47:30.000Z');
    assert.equal(resent.position, 'fed-ice.supervisory-officer');
    assert.deepEqual(resent.createdBy, { agency: 'fed-ice', device: 'deadline-clock' });
    assert.match(resent.reason ?? '', /not acknowledged within 300 s/);
    // the supervisor's feed brings it as it happens
    const onFeed = await santosFeed.waitFor((m) => m.entry.type === 'notification.created' && m.entry.body.resends === whitfieldNotice.id);
    assert.equal(onFeed.entry.received, '2026-06-01T20:47:30.000Z');

    // the request: ten minutes after it was sent, to the district commander; ten more, to the chief of patrol
    const escalations = async (): Promise<RequestJson['escalations']> => (await read<RequestJson>(chen, '/v1/requests/req-a')).escalations;
    await advanceTo('2026-06-01T20:50:59.000Z');
    assert.deepEqual(await escalations(), [], 'not escalated before its deadline');
    await advanceTo('2026-06-01T20:51:00.000Z');
    assert.deepEqual(
      (await escalations()).map((e) => [e.at, e.to, e.by.device]),
      [['2026-06-01T20:51:00.000Z', 'city-pd.district-commander', 'deadline-clock']],
    );
    await advanceTo('2026-06-01T21:00:59.000Z');
    assert.equal((await escalations()).length, 1, 'the second deadline has not come');
    await advanceTo('2026-06-01T21:01:00.000Z');
    assert.deepEqual(
      (await escalations()).map((e) => [e.at, e.to, e.by.device, e.authority]),
      [
        ['2026-06-01T20:51:00.000Z', 'city-pd.district-commander', 'deadline-clock', { kind: 'response_deadline', deadline: '2026-06-01T20:51:00.000Z' }],
        ['2026-06-01T21:01:00.000Z', 'city-pd.chief-of-patrol', 'deadline-clock', { kind: 'response_deadline', deadline: '2026-06-01T21:01:00.000Z' }],
      ],
    );
    // the requester sees it too
    assert.equal((await read<RequestJson>(santos, '/v1/requests/req-a')).escalations.length, 2);
  });
});
