/**
 * The story of DESIGN.md, live: played through the HTTP API and the feed
 * alone, on a node whose organisation exists (the demo scenario replayed up
 * to 20:40) and whose call for help has not been made yet. The federal
 * supervisor asks, the city dispatcher sees the request arrive with its
 * verdict and the clauses, the watch commander accepts and commits units,
 * the chief of patrol withdraws them with a reason, the federal liaison's
 * feed brings the notice and the liaison acknowledges it; the incident
 * shows each step to both agencies, and the checkpoint the node published
 * verifies the entries with `concord verify`.
 *
 * The server's clock is the story's (injected, moved by the test), so every
 * entry carries the time it has in the demo. How long the feed took in
 * wall-clock time is reported (t.diagnostic), never asserted: the machine
 * is shared. What is asserted is what the record says: the notice was
 * appended with the order and delivered at the order's instant.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/merkle/verify.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { cli } from '../helpers/cli.ts';
import { openFeed, type FeedClient, type FeedEntryMessage } from '../helpers/feed-client.ts';
import { serveDemo, type Client, type ServedNode } from '../helpers/server.ts';

const INCIDENT = 'inc-2026-0601-harrison';
const UNITS = ['cpd-1231', 'cpd-1232', 'cpd-1233'];
const RATIONALE =
  'FOT-3 has left the gate and no officer is now reported in danger; the remaining crowd is calm and a uniformed line is escalating it. De-escalation per General Order 7.03 IV.B.';

let now = Date.parse('2026-06-01T20:40:00.000Z');
const at = (iso: string): void => {
  now = Date.parse(iso);
};

let node: ServedNode;
const feeds: FeedClient[] = [];
before(async () => {
  node = await serveDemo({ until: '2026-06-01T20:40:00Z', clock: () => now });
});
after(async () => {
  for (const f of feeds) f.close();
  await node.stop();
  node.cleanup();
});

interface Appended {
  readonly type: string;
  readonly entries: readonly { readonly index: number; readonly type: string; readonly received: string }[];
}

/** runs a command through the API; the entries it appended */
async function command(who: Client, path: string, body: unknown): Promise<Appended> {
  const r = await who.post(path, body);
  const text = await r.text();
  assert.equal(r.status, 201, `${who.login} POST ${path}: ${text}`);
  return JSON.parse(text) as Appended;
}

async function read<T>(who: Client, path: string): Promise<T> {
  const r = await who.get(path);
  const text = await r.text();
  assert.equal(r.status, 200, `${who.login} GET ${path}: ${text}`);
  return JSON.parse(text) as T;
}

const body = (m: FeedEntryMessage): Record<string, unknown> => m.entry.body;

describe('the story, live', () => {
  it('is played through the HTTP API alone, and the published checkpoint verifies it', async (t) => {
    const santos = await node.as('santos');
    const whitfield = await node.as('whitfield');
    const reyes = await node.as('reyes');
    const chen = await node.as('chen');
    const harris = await node.as('harris');
    // before the call for help: the incident is open, nothing asked yet
    const before = await read<{ requests: unknown[] }>(santos, `/v1/requests?incident=${INCIDENT}`);
    assert.deepEqual(before.requests, []);
    const first = await waitForCheckpoint(0);
    // the dispatcher and the liaison watch their feeds from now on
    const reyesFeed = await openFeed(node.url, reyes.headers);
    const whitfieldFeed = await openFeed(node.url, whitfield.headers);
    feeds.push(reyesFeed, whitfieldFeed);

    // 1. the federal supervisor calls for help: officers in danger, three units
    at('2026-06-01T20:41:00.000Z');
    const sent = await command(santos, '/v1/requests', {
      requestId: 'req-001',
      incidentId: INCIDENT,
      to: 'city-pd',
      category: 'officer_in_danger',
      urgency: 'immediate',
      operation: 'civil_immigration_enforcement',
      description: 'FOT-3 surrounded at the gate, objects thrown, one officer injured. Need units to open a path out.',
      unitsRequested: 3,
      location: '1400 W Harrison St, north gate',
      coordinates: { lat: 41.87468, lon: -87.66109 },
    });
    assert.deepEqual(
      sent.entries.filter((e) => e.type.startsWith('request.')).map((e) => e.type),
      ['request.sent', 'request.received', 'request.evaluated'],
    );

    // 2. the city dispatcher's feed brings it, with the city's verdict and the clause that decided it
    const arrived = await reyesFeed.waitFor((m) => m.entry.type === 'request.sent' && body(m).request === 'req-001');
    assert.equal(body(arrived).from, 'fed-ice');
    assert.equal(body(arrived).category, 'officer_in_danger');
    const evaluated = await reyesFeed.waitFor((m) => m.entry.type === 'request.evaluated' && body(m).request === 'req-001');
    const verdict = body(evaluated).verdict as { decision: string; agency: string; policyVersion: string; clauses: { id: string; cite: string }[] };
    assert.equal(verdict.decision, 'permitted');
    assert.equal(verdict.agency, 'city-pd');
    assert.equal(verdict.policyVersion, 'city-pd/2026-01-01');
    assert.deepEqual(
      verdict.clauses.map((c) => [c.id, c.cite]),
      [['2-173-030(a)', 'Metro City Code § 2-173-030(a)']],
    );
    assert.ok(arrived.index < evaluated.index, 'in ledger order');

    // 3. the watch commander accepts, with a reason, and commits the sector's cars
    at('2026-06-01T20:42:00.000Z');
    await command(chen, '/v1/requests/req-001/accept', {
      reason: 'Officers report immediate danger; assistance permitted by Metro City Code 2-173-030(a) notwithstanding the enforcement action.',
    });
    at('2026-06-01T20:43:00.000Z');
    await command(chen, '/v1/requests/req-001/commit', { units: UNITS, reason: 'Sector 1230 cars nearest, Sgt. Novak supervising.' });

    // 4. the chief of patrol withdraws them, with the reason
    at('2026-06-01T21:05:00.000Z');
    const ordered = performance.now();
    const order = await command(harris, '/v1/orders', {
      orderId: 'ord-001',
      incidentId: INCIDENT,
      directive: 'withdraw',
      units: UNITS,
      rationale: RATIONALE,
    });
    const acknowledged = performance.now();
    const orderEntry = order.entries.find((e) => e.type === 'order.issued');
    assert.ok(orderEntry !== undefined);
    assert.ok(order.entries.some((e) => e.type === 'request.units_withdrawn'));

    // 5. the federal liaison's feed brings the withdrawal notice...
    const notice = await whitfieldFeed.waitFor(
      (m) =>
        m.entry.type === 'notification.created' &&
        body(m).order === 'ord-001' &&
        (body(m).recipient as { person?: string }).person === 'ice-whitfield' &&
        String(body(m).message).includes('withdrawn'),
    );
    const receivedAfter = performance.now();
    t.diagnostic(
      `withdrawal notice on the liaison's feed ${(receivedAfter - ordered).toFixed(1)} ms after the order was sent, ${(receivedAfter - acknowledged).toFixed(1)} ms after it was acknowledged (wall clock, shared machine: reported, not asserted)`,
    );
    const noticeId = body(notice).notification as string;
    assert.equal(body(notice).reason, RATIONALE, 'the notice carries the reason');
    // ...appended with the order itself, in the same commit
    assert.ok(
      order.entries.some((e) => e.index === notice.index),
      'the notice is one of the entries of the order',
    );
    assert.equal(notice.entry.received, orderEntry.received);
    // ...and the feed's receipt delivered it, at the order's instant on the server's clock (well within one second)
    const delivered = await whitfieldFeed.waitFor((m) => m.entry.type === 'notification.delivered' && JSON.stringify(body(m)).includes(noticeId));
    assert.ok(Date.parse(delivered.entry.received) - Date.parse(orderEntry.received) <= 1000);
    assert.deepEqual(delivered.entry.actor, { agency: 'fed-ice', person: 'ice-whitfield' });

    // the liaison acknowledges it through the API
    at('2026-06-01T21:08:00.000Z');
    const ack = await command(whitfield, `/v1/notifications/${noticeId}/acknowledge`, {});
    assert.deepEqual(
      ack.entries.map((e) => e.type),
      ['notification.acknowledged'],
    );

    // 6. the incident shows each step, to the federal supervisor and to the watch commander
    for (const who of [santos, chen]) {
      const view = await read<IncidentViewJson>(who, `/v1/incidents/${INCIDENT}`);
      const request = view.requests.find((r) => r.id === 'req-001');
      assert.ok(request !== undefined, `${who.login} sees req-001`);
      assert.equal(request.from, 'fed-ice');
      assert.equal(request.sentAt, '2026-06-01T20:41:00.000Z');
      assert.equal(request.verdict?.decision, 'permitted');
      assert.deepEqual(
        request.verdict?.clauses.map((c) => c.id),
        ['2-173-030(a)'],
      );
      assert.equal(request.answer?.kind, 'accepted');
      assert.equal(request.answer?.by.person, 'cpd-chen');
      assert.equal(request.answer?.at, '2026-06-01T20:42:00.000Z');
      assert.match(request.answer?.reason ?? '', /2-173-030\(a\)/);
      assert.deepEqual(
        request.units.map((u) => [u.unit, u.committedAt]),
        UNITS.map((u) => [u, '2026-06-01T20:43:00.000Z']),
      );
      assert.deepEqual(
        request.units.map((u) => u.status),
        ['withdrawn', 'withdrawn', 'withdrawn'],
      );
      assert.deepEqual(
        request.withdrawals.map((w) => [w.by.person, w.order, w.reason, w.at, w.units]),
        [['cpd-harris', 'ord-001', RATIONALE, '2026-06-01T21:05:00.000Z', UNITS]],
      );
      // the order is the city's own record (docs/boundaries.md): its directive and reason reach fed-ice in the withdrawal and the notice
      const withdrawal = view.orders.find((o) => o.id === 'ord-001');
      if (who === chen) {
        assert.ok(withdrawal !== undefined, 'the watch commander sees ord-001');
        assert.equal(withdrawal.directive, 'withdraw');
        assert.equal(withdrawal.rationale, RATIONALE);
        assert.equal(withdrawal.issuer.person, 'cpd-harris');
      } else {
        assert.equal(withdrawal, undefined, "an order the city gives its own units stays the city's");
      }
      const told = view.notifications.find((n) => n.id === noticeId);
      assert.ok(told !== undefined, `${who.login} sees the notice to the liaison`);
      assert.equal(told.status, 'acknowledged');
      assert.equal(told.acknowledgedAt, '2026-06-01T21:08:00.000Z');
      assert.equal(told.deliveredAt, '2026-06-01T21:05:00.000Z');
    }

    // the checkpoint the node publishes covers the story...
    const size = (await node.live.ledger.store.size()) as number;
    const last = await waitForCheckpoint(size);
    const key = (await (await fetch(`${node.url}/log/key`)).text()).trim();
    const cp = openCheckpoint(last.note, [parseVerifierKey(key)], node.live.node.origin).checkpoint;
    assert.equal(cp.size, size);
    // ...it grew from the one before the story by appending only...
    const consistency = await read<{ proof: string[]; fromRoot: string; toRoot: string }>(
      node.anonymous,
      `/v1/proofs/consistency?from=${first.size}&to=${cp.size}`,
    );
    const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
    const firstCp = openCheckpoint(first.note, [parseVerifierKey(key)], node.live.node.origin).checkpoint;
    assert.ok(b64(consistency.toRoot).equals(Buffer.from(cp.root)));
    verifyConsistency(firstCp.size, cp.size, consistency.proof.map(b64), Buffer.from(firstCp.root), Buffer.from(cp.root));
    // ...and every entry of the story is in it
    for (const index of [...sent.entries, ...order.entries, ...ack.entries].map((e) => e.index)) {
      const p = await read<{ leafHash: string; proof: string[]; root: string }>(node.anonymous, `/v1/proofs/inclusion?index=${index}&size=${cp.size}`);
      verifyInclusion(b64(p.leafHash), index, cp.size, p.proof.map(b64), Buffer.from(cp.root));
    }

    // stopped, the data directory verifies offline with `concord verify`, against the checkpoint fetched over HTTP and its key
    for (const f of feeds) f.close();
    await node.stop();
    const file = join(node.dir, '..', 'fetched.checkpoint');
    writeFileSync(file, last.note);
    const verified = await cli(['verify', node.dir, '--key', key, '--checkpoint', file, '--json']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    const report = JSON.parse(verified.stdout) as { ok: boolean; size: number; entries_checked: number };
    assert.equal(report.ok, true);
    assert.ok(report.size >= cp.size);
    assert.ok(report.entries_checked >= cp.size);
  });
});

/** GET /checkpoint until it covers `size` entries (the node signs one a second); its note and size */
async function waitForCheckpoint(size: number): Promise<{ note: string; size: number }> {
  for (let tries = 0; ; tries++) {
    const r = await fetch(`${node.url}/checkpoint`);
    assert.equal(r.status, 200);
    const note = await r.text();
    const covered = Number(note.split('\n')[1]);
    if (covered >= size) return { note, size: covered };
    // a liveness guard, not a timing assertion: the node signs every second
    if (tries > 300) assert.fail(`no checkpoint covers ${size} entries (latest: ${covered})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface IncidentViewJson {
  readonly requests: readonly {
    readonly id: string;
    readonly from: string;
    readonly sentAt: string;
    readonly verdict: { readonly decision: string; readonly clauses: readonly { readonly id: string }[] } | null;
    readonly answer: { readonly kind: string; readonly by: { readonly person?: string }; readonly at: string; readonly reason: string } | null;
    readonly units: readonly { readonly unit: string; readonly committedAt: string; readonly status: string }[];
    readonly withdrawals: readonly {
      readonly by: { readonly person?: string };
      readonly order?: string;
      readonly reason: string;
      readonly at: string;
      readonly units: readonly string[];
    }[];
  }[];
  readonly orders: readonly { readonly id: string; readonly directive: string; readonly rationale: string; readonly issuer: { readonly person?: string } }[];
  readonly notifications: readonly { readonly id: string; readonly status: string; readonly deliveredAt?: string; readonly acknowledgedAt?: string }[];
}
