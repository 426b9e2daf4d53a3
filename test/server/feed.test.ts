/**
 * The live feed over the real server (GET /v1/feed over WebSocket, issue
 * 16's acceptance "Feed"):
 * - clients of each agency, a person named by a message and a reviewer
 *   disconnect at random points (a clean close after a random number of
 *   messages, or a kill mid-stream) and resume with since = the last index
 *   they received, while other users post real commands through the API
 *   (messages, unit status, requests and their answers); each receives
 *   every entry it may see exactly once, in ledger order, as the ledger
 *   holds it, checked against the ledger read directly and filtered by
 *   test/helpers/boundary-reference.ts (written from docs/boundaries.md);
 *   and never another agency's internal entries (checked by what those
 *   entries are, apart from the reference);
 * - heartbeats carry the cursor to resume from;
 * - a client that stops reading is closed with 4008 and resumes without a
 *   gap or a duplicate;
 * - a bad `since`, or no credentials, is refused before the upgrade, as a
 *   problem;
 * - a notification the feed hands its recipient is delivered (an entry),
 *   and one it hands a colleague of the recipient is not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BoundaryReference, reads, type Reader, type StoredEntry } from '../helpers/boundary-reference.ts';
import { FeedRefused, openFeed, readToEnd, type FeedClient, type ReceivedEntry } from '../helpers/feed-reader.ts';
import { serveDemo, type Client, type ServedNode } from '../helpers/server.ts';
import { revealedEntries } from '../../src/app/revealed.ts';
import { canonicalize } from '../../src/ledger/canonical.ts';
import { commitment, revealBody, SEALED_KEY, type Disclosure, type Entry } from '../../src/ledger/entry.ts';

const INCIDENT = 'inc-2026-0601-harrison';
const HEARTBEAT_MS = 20;

async function ledger(node: ServedNode): Promise<{ entries: StoredEntry[]; texts: string[]; hashed: string[] }> {
  const store = node.live.ledger.store;
  const texts: string[] = [];
  const hashed: string[] = [];
  // the feed sends each entry with the node's sealed values in place (app/revealed.ts), as its readers read it
  for await (const s of revealedEntries(store, 0, await store.size())) texts.push(s.text);
  for await (const s of store.entries(0, await store.size())) hashed.push(s.text);
  return { entries: texts.map((t) => JSON.parse(t) as StoredEntry), texts, hashed };
}

/** a sealed entry as the feed sent it: the hashed text is the log's, each disclosure opens its commitment, and together they give the text shown */
function checkSealed(e: ReceivedEntry, hashed: string, who: string): void {
  if (e.sealed === undefined) {
    assert.equal(e.text, hashed, `${who}: entry ${e.index} has nothing sealed, so it is sent as hashed`);
    return;
  }
  assert.equal(e.sealed.text, hashed, `${who}: entry ${e.index} carries the text the log hashed`);
  const entry = JSON.parse(hashed) as Entry;
  for (const d of e.sealed.disclosures) {
    const at = d.path
      .split('/')
      .slice(1)
      .reduce<unknown>((node, k) => (node as Record<string, unknown>)[k.replaceAll('~1', '/').replaceAll('~0', '~')], entry.body);
    // a child sealed inside a sealed parent is committed inside the parent's value, not in the body
    if (at !== undefined) assert.deepEqual(at, { [SEALED_KEY]: commitment(d as Disclosure) }, `${who}: entry ${e.index} ${d.path}`);
  }
  assert.equal(canonicalize({ ...entry, body: revealBody(entry, e.sealed.disclosures as Disclosure[]) }), e.text, `${who}: entry ${e.index} revealed`);
}

async function ok(r: Response): Promise<void> {
  const text = await r.text();
  assert.equal(r.status, 201, text);
}

/** what the client received, against what it may see of the ledger after `since`, up to `end` (the log's size when it had read to the end) */
async function assertReceivedExactly(node: ServedNode, reader: Reader, since: number, end: number, got: readonly ReceivedEntry[], who: string): Promise<void> {
  const { entries, texts, hashed } = await ledger(node);
  const ref = BoundaryReference.of(entries);
  const want = entries.map((_, i) => i).filter((i) => i > since && i < end && reads(reader, ref.readersOf(i)));
  assert.deepEqual(
    got.map((e) => e.index),
    want,
    `${who}: every entry it may see after ${since}, once, in order`,
  );
  for (const e of got) {
    assert.equal(e.text, texts[e.index], `${who}: entry ${e.index} as the ledger holds it, sealed values revealed`);
    checkSealed(e, hashed[e.index] as string, who);
  }
  if (got.length > 10)
    assert.ok(
      got.some((e) => e.sealed !== undefined),
      `${who}: the demo's entries have sealed fields (the default sealing policy)`,
    );
}

/**
 * Reads to the end of the log through as many connections as it takes:
 * the server may close a client that fell behind (4008); it resumes from
 * the last index it received.
 */
async function resumeToEnd(node: ServedNode, client: Client, since: number, got: ReceivedEntry[]): Promise<{ end: number; dropped: number }> {
  let dropped = 0;
  for (;;) {
    const feed = openFeed(node, client, since);
    await feed.opened;
    try {
      const end = await readToEnd(node, feed);
      got.push(...feed.entries);
      await feed.close();
      return { end, dropped };
    } catch (e) {
      const closed = await feed.closed;
      if (closed.code !== 4008) throw e;
      dropped++;
      got.push(...feed.entries);
      since = feed.last(since);
    }
  }
}

describe('the feed, resumed after random disconnections while commands are posted', () => {
  let node: ServedNode;
  before(async () => {
    node = await serveDemo({ feed: { heartbeatMs: HEARTBEAT_MS } });
  });
  after(async () => {
    await node.stop();
    node.cleanup();
  });

  /** who reads: members of each agency (one of them named by messages), a reviewer, and the systems of the two agencies and of one taking no part */
  const READERS: readonly (Reader & { readonly name: string; readonly token?: boolean })[] = [
    { name: 'reyes', agency: 'city-pd', person: 'cpd-reyes' },
    { name: 'chen', agency: 'city-pd', person: 'cpd-chen' },
    { name: 'whitfield', agency: 'fed-ice', person: 'ice-whitfield' },
    { name: 'liu', agency: 'review-board', person: 'rb-ig', reviewer: true },
    { name: 'token:city-pd', agency: 'city-pd', token: true },
    { name: 'token:fed-ice', agency: 'fed-ice', token: true },
    { name: 'token:review-board', agency: 'review-board', token: true },
  ];

  type Write =
    | { kind: 'message'; from: 'santos' | 'whitfield' | 'chen'; to: 'other agency' | 'own agency' | 'chen by name' }
    | { kind: 'status'; unit: 'cpd-1231' | 'cpd-1232' | 'cpd-1233' | 'ice-fot3'; pick: number }
    | { kind: 'request' }
    | { kind: 'decline' };

  const writeArb: fc.Arbitrary<Write> = fc.oneof(
    fc.record({
      kind: fc.constant('message' as const),
      from: fc.constantFrom('santos' as const, 'whitfield' as const, 'chen' as const),
      to: fc.constantFrom('other agency' as const, 'own agency' as const, 'chen by name' as const),
    }),
    fc.record({
      kind: fc.constant('status' as const),
      unit: fc.constantFrom('cpd-1231' as const, 'cpd-1232' as const, 'cpd-1233' as const, 'ice-fot3' as const),
      pick: fc.nat(),
    }),
    fc.constant({ kind: 'request' as const }),
    fc.constant({ kind: 'decline' as const }),
  );

  /** a stop: after so many messages (entries or heartbeats), a clean close or a kill */
  const stopArb = fc.record({ after: fc.integer({ min: 1, max: 60 }), how: fc.constantFrom('close' as const, 'kill' as const) });

  const STATUSES = ['available', 'dispatched', 'en_route', 'on_scene', 'out_of_service', 'returning'];

  /** marks of the internal entries this test writes, to check them apart from the reference */
  const CITY_DESK = 'city-pd desk only';
  const ICE_DESK = 'fed-ice desk only';
  const CHEN_ONLY = 'for Lt. Chen only';

  it('every client receives each entry it may see exactly once, in order, and nothing of another agency’s own', async () => {
    const clients = new Map<string, Client>();
    for (const r of READERS) clients.set(r.name, r.token === true ? await node.withToken(r.agency, 'read') : await node.as(r.name));
    const writers = {
      santos: await node.as('santos'),
      whitfield: await node.as('whitfield'),
      chen: await node.as('chen'),
      citySystem: await node.withToken('city-pd', 'write'),
      iceSystem: await node.withToken('fed-ice', 'write'),
    };
    let requests = 0;
    let messages = 0;
    const open: string[] = [];

    async function write(w: Write): Promise<void> {
      switch (w.kind) {
        case 'message': {
          const own = w.from === 'chen' ? 'city-pd' : 'fed-ice';
          const other = w.from === 'chen' ? 'fed-ice' : 'city-pd';
          const n = ++messages;
          const body =
            w.to === 'other agency'
              ? { text: `#${n} to ${other}`, agencies: [other] }
              : w.to === 'own agency'
                ? { text: `#${n} ${own === 'city-pd' ? CITY_DESK : ICE_DESK}`, agencies: [own] }
                : // from fed-ice, Chen alone of city-pd reads it; from Chen, it is city-pd's own
                  { text: `#${n} ${w.from === 'chen' ? CITY_DESK : CHEN_ONLY}`, people: ['cpd-chen'] };
          return ok(await writers[w.from].post(`/v1/incidents/${INCIDENT}/messages`, body));
        }
        case 'status': {
          // a status other than the unit's own (setting the one it has changes nothing, and is refused)
          const now = node.live.coordination.world.units[w.unit]?.status?.status;
          const others = STATUSES.filter((s) => s !== now);
          const status = others[w.pick % others.length];
          return ok(await (w.unit === 'ice-fot3' ? writers.iceSystem : writers.citySystem).post(`/v1/units/${w.unit}/status`, { status }));
        }
        case 'request': {
          const id = `req-feed-${++requests}`;
          open.push(id);
          return ok(
            await writers.santos.post('/v1/requests', {
              requestId: id,
              incidentId: INCIDENT,
              to: 'city-pd',
              category: 'crowd_safety',
              urgency: 'routine',
              operation: 'unknown',
              description: 'Two cars for the south gate.',
              unitsRequested: 2,
            }),
          );
        }
        case 'decline': {
          const id = open.shift();
          if (id === undefined) return;
          return ok(await writers.chen.post(`/v1/requests/${id}/decline`, { reason: 'No cars free in sector 1230.' }));
        }
      }
    }

    await fc.assert(
      fc.asyncProperty(
        fc.array(writeArb, { minLength: 5, maxLength: 25 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.array(stopArb, { maxLength: 4 })), { minLength: READERS.length, maxLength: READERS.length }),
        async (writes, plans) => {
          const size0 = await node.live.ledger.store.size();
          let writing = true;
          const writesDone = (async () => {
            try {
              for (const w of writes) await write(w);
            } finally {
              writing = false;
            }
          })();
          const readers = READERS.map(async (r, i) => {
            const [back, stops] = plans[i] as [number, { after: number; how: 'close' | 'kill' }[]];
            const client = clients.get(r.name) as Client;
            // from somewhere in the log so far (or its start)
            const since0 = Math.max(-1, size0 - 1 - back);
            let since = since0;
            const got: ReceivedEntry[] = [];
            for (const stop of stops) {
              const feed: FeedClient = openFeed(node, client, since);
              await feed.opened;
              const seen = (): number => feed.entries.length + feed.cursors.length;
              await feed.until(() => seen() >= stop.after || !writing).catch(() => undefined);
              await (stop.how === 'close' ? feed.close() : feed.kill());
              got.push(...feed.entries);
              since = feed.last(since);
            }
            await writesDone;
            const { end } = await resumeToEnd(node, client, since, got);
            return { r, since0, end, got };
          });
          const results = await Promise.all(readers);
          await node.live.coordination.idle();
          for (const { r, since0, end, got } of results) {
            await assertReceivedExactly(node, r, since0, end, got, r.name);
            const texts = got.map((e) => e.text);
            // apart from the reference: what this test wrote for one agency's eyes only
            if (r.reviewer !== true && r.agency !== 'city-pd') assert.ok(!texts.some((t) => t.includes(CITY_DESK)), `${r.name} got a city-pd desk message`);
            if (r.reviewer !== true && r.agency !== 'fed-ice') assert.ok(!texts.some((t) => t.includes(ICE_DESK)), `${r.name} got a fed-ice desk message`);
            if (r.reviewer !== true && r.agency === 'city-pd' && r.person !== 'cpd-chen')
              assert.ok(!texts.some((t) => t.includes(CHEN_ONLY)), `${r.name} got a message for Chen only`);
            if (r.reviewer !== true && r.agency !== 'city-pd') {
              // a city car not on the incident is the city's own: its status reaches no one else
              const cityCars = got.filter((e) => {
                const entry = JSON.parse(e.text) as StoredEntry;
                return entry.type === 'unit.status_changed' && String(entry.body['unit']).startsWith('cpd-');
              });
              assert.ok(
                cityCars.every((e) => e.index < 117),
                `${r.name} got the status of a city car off the incident`,
              );
            }
          }
        },
      ),
      // one server for every run: shrinking would replay onto a ledger the failing run already changed
      { numRuns: 4, endOnFailure: true, includeErrorInReport: true },
    );
  });

  it('heartbeats carry the cursor to resume from', async () => {
    // nothing is appended meanwhile: no command under way, no clock running, no other client
    await node.live.coordination.idle();
    const size = await node.live.ledger.store.size();
    const feed = openFeed(node, await node.as('reyes'), size - 1);
    await feed.opened;
    await feed.until(() => feed.cursors.length >= 2, 'two heartbeats');
    await feed.close();
    assert.deepEqual(feed.entries, []);
    assert.deepEqual(feed.cursors.slice(0, 2), [size - 1, size - 1]);
    assert.deepEqual(feed.strange, []);
  });

  it('a bad since, or no credentials, is refused before the upgrade, as a problem', async () => {
    const size = await node.live.ledger.store.size();
    const reyes = await node.as('reyes');
    const refusal = async (client: Client, since?: string | number): Promise<FeedRefused> => {
      const feed = openFeed(node, client, since);
      const e = await feed.opened.then(
        () => assert.fail(`the upgrade went through (since=${since})`),
        (x: unknown) => x,
      );
      assert.ok(e instanceof FeedRefused, String(e));
      assert.equal(e.contentType, 'application/problem+json; charset=utf-8');
      return e;
    };
    for (const since of [size, size + 1000, 'abc', '1.5', '-2', '', '1e2', '0x10', ' 5', '99999999999999999999']) {
      const r = await refusal(reyes, since);
      assert.equal(r.status, 400, `since=${since}: ${r.body}`);
      const p = JSON.parse(r.body) as { code: string; field: string };
      assert.equal(p.code, 'BAD_INPUT');
      assert.equal(p.field, 'query.since', `since=${since}`);
    }
    for (const client of [
      node.anonymous,
      { ...node.anonymous, headers: { cookie: 'concord_session=forged' } },
      { ...node.anonymous, headers: { authorization: 'Bearer forged' } },
    ]) {
      for (const since of [undefined, -1, 'abc']) {
        const r = await refusal(client as Client, since);
        assert.equal(r.status, 401, r.body);
        assert.equal((JSON.parse(r.body) as { code: string }).code, 'UNAUTHENTICATED');
      }
    }
  });

  it('a notification the feed hands its recipient is delivered, and one it hands a colleague is not', async () => {
    const store = node.live.ledger.store;
    const since = (await store.size()) - 1;
    const whitfield = await node.as('whitfield');
    const feed = openFeed(node, whitfield, since);
    await feed.opened;
    // a request from fed-ice: city-pd's receipt and verdict are notified to fed-ice's liaison and supervisor
    await ok(
      await (
        await node.as('santos')
      ).post('/v1/requests', {
        requestId: 'req-feed-notice',
        incidentId: INCIDENT,
        to: 'city-pd',
        category: 'crowd_safety',
        urgency: 'routine',
        operation: 'unknown',
        description: 'One car at the east gate.',
        unitsRequested: 1,
      }),
    );
    await readToEnd(node, feed);
    await feed.close();
    const received = feed.entries.map((e) => JSON.parse(e.text) as StoredEntry);
    const notices = (person: string): string[] =>
      received
        .filter((e) => e.type === 'notification.created' && (e.body['recipient'] as { person?: string }).person === person)
        .map((e) => String(e.body['notification']));
    const toWhitfield = notices('ice-whitfield');
    const toSantos = notices('ice-santos');
    assert.ok(toWhitfield.length > 0 && toSantos.length > 0, 'the request notified both');
    const { entries } = await ledger(node);
    const deliveries = entries.filter((e) => e.type === 'notification.delivered');
    for (const id of toWhitfield) {
      const d = deliveries.filter((e) => e.body['notification'] === id);
      assert.equal(d.length, 1, `notification ${id} delivered once`);
      assert.deepEqual(d[0]?.actor, { agency: 'fed-ice', person: 'ice-whitfield' });
    }
    // seen by a colleague on the agency's feed is not received by its addressee
    for (const id of toSantos)
      assert.deepEqual(
        deliveries.filter((e) => e.body['notification'] === id),
        [],
      );
    // and the delivery entries reached the liaison's feed too (the sender's and recipient's agencies read them)
    assert.ok(received.some((e) => e.type === 'notification.delivered' && toWhitfield.includes(String(e.body['notification']))));
    assert.equal(node.live.coordination.world.notifications[toWhitfield[0] as string]?.status, 'delivered');
  });
});

describe('a client that stops reading', () => {
  let node: ServedNode;
  /** the backlog past which the server gives up on a client (the default is 4 MiB; a small one keeps the test short) */
  const SLOW_CLIENT_BYTES = 64 * 1024;
  before(async () => {
    node = await serveDemo({ feed: { heartbeatMs: HEARTBEAT_MS, slowClientBytes: SLOW_CLIENT_BYTES } });
  });
  after(async () => {
    await node.stop();
    node.cleanup();
  });

  /** resolves once the server has closed (or begun closing) every feed connection */
  async function serverClosedFeeds(): Promise<void> {
    const open = (): boolean => [...node.app.websocketServer.clients].some((s) => s.readyState === s.OPEN);
    while (open()) await new Promise((r) => setTimeout(r, 10));
  }

  it('is closed with 4008 once its backlog passes the limit, and resumes from the last index it received', async () => {
    // a city AVL feed reports big batches for a car on no incident: megabytes of city-pd's own entries, more than the sockets hold
    const avl = await node.withToken('city-pd', 'write');
    const observed = new Date(Date.now() - 60_000).toISOString();
    const batch = Array.from({ length: 1000 }, (_, i) => ({ unit: 'cpd-1232', lat: 41.87 + i / 1e5, lon: -87.66, accuracy: 5, observed }));
    for (let i = 0; i < 64; i++) await ok(await avl.post('/v1/units/positions', { positions: batch }));

    const chen = await node.as('chen');
    const slow = openFeed(node, chen, -1);
    await slow.opened;
    // it stops reading: the kernel's buffers fill, then the server's backlog grows past the limit
    slow.ws.pause();
    await serverClosedFeeds();
    slow.ws.resume();
    const closed = await slow.closed;
    assert.equal(closed.code, 4008, closed.reason);
    assert.match(closed.reason, /since/);

    const got = [...slow.entries];
    assert.ok(got.length > 0);
    const { end } = await resumeToEnd(node, chen, slow.last(-1), got);
    assert.ok(got.length > slow.entries.length, 'the rest came after resuming');
    await assertReceivedExactly(node, { agency: 'city-pd', person: 'cpd-chen' }, -1, end, got, 'chen');
  });
});
