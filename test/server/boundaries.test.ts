/**
 * The boundary matrix over the real server (issue 16's acceptance): each
 * demo role logs in, and a token of each agency calls, every read route
 * that needs a login (every GET of /openapi.json with a security
 * requirement) and the live feed from the start of the log; what each gets
 * is held against an expectation written from docs/boundaries.md in
 * test/helpers/boundary-reference.ts (not the server's own functions),
 * itself checked first against the demo's record classified by hand.
 *
 * Zero leaks: nothing internal to one agency reaches a member of another,
 * a message addressed to a person by name reaches that person and not the
 * rest of their agency, the reviewer reads everything, and an agency that
 * takes no part in the incident reads nothing of it.
 *
 * Reading the inbox delivers (each delivery an entry), and a notification
 * the feed hands its recipient is delivered too: the expectation is always
 * computed from the ledger as it stands after the reads.
 */
import { revealedEntries } from '../../src/app/revealed.ts';
import { verifyBundleText } from '../../src/ledger/bundle.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BoundaryReference,
  reads,
  type MessageRecord,
  type NotificationRecord,
  type OrderRecord,
  type Reader,
  type Readers,
  type RequestRecord,
  type StoredEntry,
} from '../helpers/boundary-reference.ts';
import { openFeed, readToEnd } from '../helpers/feed-reader.ts';
import { serveDemo, type Client, type ServedNode } from '../helpers/server.ts';

const INCIDENT = 'inc-2026-0601-harrison';

/** who each caller is, as docs/boundaries.md reads them, and the positions each demo person holds (scenarios/demo.yaml) */
interface Caller extends Reader {
  readonly name: string;
  readonly positions: readonly string[];
  readonly token?: boolean;
}

const LOGINS: readonly Caller[] = [
  { name: 'santos', agency: 'fed-ice', person: 'ice-santos', positions: ['fed-ice.supervisory-officer'] },
  { name: 'whitfield', agency: 'fed-ice', person: 'ice-whitfield', positions: ['fed-ice.team-leader'] },
  { name: 'reyes', agency: 'city-pd', person: 'cpd-reyes', positions: [] },
  { name: 'chen', agency: 'city-pd', person: 'cpd-chen', positions: ['city-pd.watch-commander'] },
  { name: 'harris', agency: 'city-pd', person: 'cpd-harris', positions: ['city-pd.chief-of-patrol'] },
  { name: 'liu', agency: 'review-board', person: 'rb-ig', positions: [], reviewer: true },
];
/** a system of each agency (a read token), and of an agency this test registers that takes part in nothing */
const TOKENS: readonly Caller[] = ['fed-ice', 'city-pd', 'review-board', 'county-so'].map((agency) => ({
  name: `token:${agency}`,
  agency,
  positions: [],
  token: true,
}));

/**
 * The demo's record (entries 0..151, scenarios/demo.yaml replayed), classified by
 * hand from docs/boundaries.md: each agency's organisation is its own; the
 * incident is fed-ice's alone until it sends city-pd a request (39); from
 * then on the two share it, except city-pd's withdrawal order to its own
 * units and its acknowledgements (97, 118-120), notices one agency sends its
 * own people (59, 67, 101, 107, 108, 111, 112, 115, 116, 138, 142, 148) and
 * the status of a car already released (117).
 */
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const DEMO_SIZE = 152;
const CITY_PD_ONLY = new Set([...range(0, 22), 67, 97, 101, 107, 108, 111, 112, 115, 116, 117, 118, 119, 120, 138, 142, 148]);
const FED_ICE_ONLY = new Set([...range(23, 33), 36, 37, 38, 59]);
const REVIEW_BOARD_ONLY = new Set([34, 35]);

let node: ServedNode;
/** the entries written on top of the demo before the matrix, by what they are */
const extra: Record<string, number> = {};

async function ledger(): Promise<StoredEntry[]> {
  const store = node.live.ledger.store;
  const out: StoredEntry[] = [];
  // as the node's readers read them: sealed values in place (app/revealed.ts)
  for await (const s of revealedEntries(store, 0, await store.size())) out.push(JSON.parse(s.text) as StoredEntry);
  return out;
}

/** the index of the one entry a command appended */
async function posted(r: Response): Promise<number> {
  const text = await r.text();
  assert.equal(r.status, 201, text);
  const { entries } = JSON.parse(text) as { entries: { index: number }[] };
  assert.equal(entries.length, 1, text);
  return (entries[0] as { index: number }).index;
}

before(async () => {
  node = await serveDemo({ feed: { heartbeatMs: 20 } });
  assert.equal(await node.live.ledger.store.size(), DEMO_SIZE, 'the demo record this test classified by hand');
  const santos = await node.as('santos');
  const chen = await node.as('chen');
  // a message to one person by name: that person reads it, the rest of their agency does not
  extra['message to chen'] = await posted(
    await santos.post(`/v1/incidents/${INCIDENT}/messages`, { messageId: 'msg-to-chen', text: 'Chen only: FOT-3 is moving out.', people: ['cpd-chen'] }),
  );
  // a message to one's own agency: internal to it
  extra['city-pd desk message'] = await posted(
    await chen.post(`/v1/incidents/${INCIDENT}/messages`, {
      messageId: 'msg-city-desk',
      text: 'Desk: stage 1231-1233 at Ashland and Polk.',
      agencies: ['city-pd'],
    }),
  );
  // a unit's status: the shared picture while it is on the incident, its agency's own once released
  const iceSystem = await node.withToken('fed-ice', 'write');
  extra['ice-fot3 status'] = await posted(await iceSystem.post('/v1/units/ice-fot3/status', { status: 'returning' }));
  const citySystem = await node.withToken('city-pd', 'write');
  extra['cpd-1232 status'] = await posted(await citySystem.post('/v1/units/cpd-1232/status', { status: 'available' }));
  // a third agency registers itself on the node (its administration, as `concord` run by its staff does): it takes part in nothing
  const registered = await node.live.coordination.execute({
    type: 'agency.register',
    actor: { agency: 'county-so' },
    agencyId: 'county-so',
    name: 'County Sheriff',
    kind: 'local',
    jurisdiction: 'Metro County',
  });
  extra['county-so registered'] = (registered.entries[0] as { index: number }).index;
});
after(async () => {
  await node.stop();
  node.cleanup();
});

async function clientOf(c: Caller): Promise<Client> {
  return c.token === true ? node.withToken(c.agency, 'read') : node.as(c.name);
}

async function json<T>(client: Client, path: string, status = 200): Promise<T> {
  const r = await client.get(path);
  const text = await r.text();
  assert.equal(r.status, status, `${client.login} GET ${path}: ${text}`);
  return JSON.parse(text) as T;
}

const ids = (xs: readonly { id: string }[]): string[] => xs.map((x) => x.id).sort();
const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

/** the reference over the entries received up to `at` (all, without it) */
function referenceAt(entries: readonly StoredEntry[], at?: string): BoundaryReference {
  return BoundaryReference.of(at === undefined ? entries : entries.filter((e) => Date.parse(e.received) <= Date.parse(at)));
}

function seesIncident(c: Caller, ref: BoundaryReference): boolean {
  const parts = ref.takingPart.get(INCIDENT);
  return parts !== undefined && (c.reviewer === true || parts.has(c.agency));
}

describe('the boundary matrix', () => {
  it('the reference agrees with the demo record classified by hand', async () => {
    const ref = BoundaryReference.of((await ledger()).slice(0, DEMO_SIZE));
    for (let i = 0; i < DEMO_SIZE; i++) {
      const want = CITY_PD_ONLY.has(i) ? ['city-pd'] : FED_ICE_ONLY.has(i) ? ['fed-ice'] : REVIEW_BOARD_ONLY.has(i) ? ['review-board'] : ['city-pd', 'fed-ice'];
      assert.deepEqual(sorted(ref.readersOf(i).agencies), want, `entry ${i}`);
    }
    assert.deepEqual(sorted(ref.readersOf(62).people), ['cpd-novak']);
  });

  it('every read route that needs a login is in this matrix', async () => {
    const doc = (await (await fetch(`${node.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const reads = Object.entries(doc.paths)
      .filter(([, ops]) => (ops['get']?.security?.length ?? 0) > 0)
      .map(([path]) => path)
      .sort();
    assert.deepEqual(reads, [...COVERED].sort());
  });

  for (const c of [...LOGINS, ...TOKENS]) {
    it(`${c.name} (${c.reviewer === true ? 'reviewer' : c.agency}) reads what it may and nothing else`, async () => {
      const client = await clientOf(c);
      await readRoutes(c, client);
      await readFeed(c, client);
    });
  }

  it('the entries written for the matrix reach exactly their readers', async () => {
    const ref = BoundaryReference.of(await ledger());
    const who = (i: number): string[] =>
      [...LOGINS, ...TOKENS]
        .filter((c) => reads(c, ref.readersOf(i)))
        .map((c) => c.name)
        .sort();
    assert.deepEqual(who(extra['message to chen'] as number), sorted(['santos', 'whitfield', 'chen', 'liu', 'token:fed-ice']));
    assert.deepEqual(who(extra['city-pd desk message'] as number), sorted(['reyes', 'chen', 'harris', 'liu', 'token:city-pd']));
    assert.deepEqual(
      who(extra['ice-fot3 status'] as number),
      sorted(['santos', 'whitfield', 'reyes', 'chen', 'harris', 'liu', 'token:fed-ice', 'token:city-pd']),
    );
    assert.deepEqual(who(extra['cpd-1232 status'] as number), sorted(['reyes', 'chen', 'harris', 'liu', 'token:city-pd']));
    assert.deepEqual(who(extra['county-so registered'] as number), sorted(['liu', 'token:county-so']));
  });
});

const COVERED = [
  '/v1/session',
  '/v1/incidents',
  '/v1/incidents/{incidentId}',
  '/v1/incidents/{incidentId}/bundle',
  '/v1/requests',
  '/v1/requests/{requestId}',
  '/v1/orders',
  '/v1/orders/{orderId}',
  '/v1/conflicts',
  '/v1/conflicts/{conflictId}',
  '/v1/units',
  '/v1/notifications',
  '/v1/incidents/{incidentId}/timeline',
  '/v1/incidents/{incidentId}/statements',
  '/v1/orders/{orderId}/trace',
  '/v1/requests/{requestId}/trace',
  '/v1/review/knew',
];

/** moments of the demo: fed-ice's incident alone, both agencies with units on scene, after the withdrawal order; and before it opened */
const MOMENTS = ['2026-06-01T20:35:00Z', '2026-06-01T20:50:00Z', '2026-06-01T21:05:30Z', '2026-06-01T20:10:00Z'];

async function readRoutes(c: Caller, client: Client): Promise<void> {
  const who = await json<{ agency: string; person?: string; reviewer: boolean }>(client, '/v1/session');
  assert.equal(who.agency, c.agency);
  assert.equal(who.person, c.person);
  assert.equal(who.reviewer, c.reviewer === true);

  const entries = await ledger();
  const ref = referenceAt(entries);

  // incidents: the list, and the view now and at past moments
  const incidents = (await json<{ incidents: { id: string }[] }>(client, '/v1/incidents')).incidents;
  assert.deepEqual(ids(incidents), seesIncident(c, ref) ? [INCIDENT] : []);
  for (const at of [undefined, ...MOMENTS]) {
    const path = `/v1/incidents/${INCIDENT}${at === undefined ? '' : `?at=${at}`}`;
    const then = referenceAt(entries, at);
    if (!seesIncident(c, then)) {
      const p = await json<{ code: string }>(client, path, 404);
      assert.equal(p.code, 'UNKNOWN_ENTITY', path);
      continue;
    }
    const view = await json<IncidentViewIds>(client, path);
    const of = <R extends { id: string; incident: string | undefined }>(records: Map<string, R>, readers: (r: R) => Readers): string[] =>
      sorted([...records.values()].filter((r) => r.incident === INCIDENT && reads(c, readers(r))).map((r) => r.id));
    const at_ = at ?? 'now';
    assert.deepEqual(
      ids(view.requests),
      of(then.requests, (r) => then.requestReaders(r)),
      `requests at ${at_}`,
    );
    assert.deepEqual(
      ids(view.orders),
      of(then.orders, (o) => then.orderReaders(o)),
      `orders at ${at_}`,
    );
    assert.deepEqual(
      ids(view.conflicts),
      of(then.conflicts, (x) => then.conflictReaders(x)),
      `conflicts at ${at_}`,
    );
    assert.deepEqual(
      ids(view.notifications),
      of(then.notifications, (n) => then.notificationReaders(n)),
      `notifications at ${at_}`,
    );
    assert.deepEqual(
      ids(view.messages),
      of(then.messages, (m) => then.messageReaders(m)),
      `messages at ${at_}`,
    );
    // the shared picture is whole for whoever sees the incident
    assert.deepEqual(ids(view.units), sorted(then.unitsOn(INCIDENT)), `units at ${at_}`);
  }

  // the incident's bundle: exactly the incident's entries the caller reads, verifying with the log's key
  const bundlePath = `/v1/incidents/${INCIDENT}/bundle`;
  if (!seesIncident(c, ref)) assert.equal((await json<{ code: string }>(client, bundlePath, 404)).code, 'UNKNOWN_ENTITY', bundlePath);
  else {
    const r = await client.get(bundlePath);
    const text = await r.text();
    assert.equal(r.status, 200, text);
    const report = verifyBundleText(text, [parseVerifierKey(node.live.node.verifierKey)]);
    assert.ok(report.ok, JSON.stringify(report.problems));
    const got = (JSON.parse(text) as { entries: { index: number }[] }).entries.map((e) => e.index);
    const size = Number(/^.*\n(\d+)\n/.exec((JSON.parse(text) as { checkpoint: string }).checkpoint)?.[1]);
    const want = entries.map((e, i) => ({ e, i })).filter(({ e, i }) => i < size && e.incident === INCIDENT && reads(c, ref.readersOf(i)));
    assert.deepEqual(
      got,
      want.map(({ i }) => i),
      bundlePath,
    );
  }

  // requests, orders and conflicts: the lists (all, and of the incident) and each one by id
  const lists: readonly (readonly [string, string, readonly { id: string; readers: Readers }[]])[] = [
    ['requests', '/v1/requests', [...ref.requests.values()].map((r) => ({ id: r.id, readers: ref.requestReaders(r) }))],
    ['orders', '/v1/orders', [...ref.orders.values()].map((o) => ({ id: o.id, readers: ref.orderReaders(o) }))],
    ['conflicts', '/v1/conflicts', [...ref.conflicts.values()].map((x) => ({ id: x.id, readers: ref.conflictReaders(x) }))],
  ];
  for (const [key, path, records] of lists) {
    assert.ok(records.length > 0, `the demo has ${key}`);
    const want = sorted(records.filter((r) => reads(c, r.readers)).map((r) => r.id));
    assert.deepEqual(ids((await json<Record<string, { id: string }[]>>(client, path))[key] ?? []), want, path);
    assert.deepEqual(ids((await json<Record<string, { id: string }[]>>(client, `${path}?incident=${INCIDENT}`))[key] ?? []), want, `${path}?incident=`);
    for (const { id } of records) {
      const one = `${path}/${encodeURIComponent(id)}`;
      if (want.includes(id)) assert.equal((await json<{ id: string }>(client, one)).id, id);
      else assert.equal((await json<{ code: string }>(client, one, 404)).code, 'UNKNOWN_ENTITY', one);
    }
  }

  // the review reads (docs/review.md): the timeline holds exactly the incident's entries the caller reads, page by page
  if (seesIncident(c, ref)) {
    const got: number[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await json<{ items: { index: number }[]; next?: number }>(
        client,
        `/v1/incidents/${INCIDENT}/timeline?limit=40${after === undefined ? '' : `&after=${after}`}`,
      );
      got.push(...page.items.map((i) => i.index));
      if (page.next === undefined) break;
      after = page.next;
    }
    const want = entries
      .map((e, i) => ({ e, i }))
      .filter(({ e, i }) => e.incident === INCIDENT && reads(c, ref.readersOf(i)))
      .map(({ i }) => i);
    assert.deepEqual(got, want, `${c.name}'s timeline`);
    assert.ok(Array.isArray((await json<{ statements: unknown[] }>(client, `/v1/incidents/${INCIDENT}/statements`)).statements));
  } else {
    for (const path of [`/v1/incidents/${INCIDENT}/timeline`, `/v1/incidents/${INCIDENT}/statements`]) {
      assert.equal((await json<{ code: string }>(client, path, 404)).code, 'UNKNOWN_ENTITY', path);
    }
  }
  // a trace only of an order or request the caller reads; the notices in it only those it reads
  for (const [kind, records, readers] of [
    ['orders', [...ref.orders.values()], (o: OrderRecord) => ref.orderReaders(o)],
    ['requests', [...ref.requests.values()], (r: RequestRecord) => ref.requestReaders(r)],
  ] as const) {
    for (const r of records) {
      const path = `/v1/${kind}/${encodeURIComponent(r.id)}/trace`;
      if (!reads(c, (readers as (x: typeof r) => Readers)(r))) {
        assert.equal((await json<{ code: string }>(client, path, 404)).code, 'UNKNOWN_ENTITY', path);
        continue;
      }
      const trace = await json<{ notified: { notification: string }[] }>(client, path);
      for (const n of trace.notified) {
        const rec = ref.notifications.get(n.notification);
        assert.ok(rec !== undefined && reads(c, ref.notificationReaders(rec)), `${c.name} reads notice ${n.notification} in ${path}`);
      }
    }
  }
  // who knew what when, about the caller's own agency now: only notices, orders and messages the caller reads
  const knew = await json<{ known: { kind: string; id: string }[]; undelivered: { kind: string; id: string }[] }>(
    client,
    `/v1/review/knew?agency=${c.agency}&at=2026-06-02T00:00:00Z`,
  );
  for (const f of [...knew.known, ...knew.undelivered]) {
    const readers =
      f.kind === 'notification'
        ? ref.notifications.get(f.id) && ref.notificationReaders(ref.notifications.get(f.id) as NotificationRecord)
        : f.kind === 'order'
          ? ref.orders.get(f.id) && ref.orderReaders(ref.orders.get(f.id) as OrderRecord)
          : f.kind === 'message'
            ? ref.messages.get(f.id) && ref.messageReaders(ref.messages.get(f.id) as MessageRecord)
            : ref.requests.get(f.id) && ref.requestReaders(ref.requests.get(f.id) as RequestRecord);
    assert.ok(readers !== undefined && reads(c, readers), `${c.name} reads ${f.kind} ${f.id} in who-knew-what-when`);
  }

  // units: the agency's own, and those on an incident it takes part in
  const units = (await json<{ units: { id: string; agency: string }[] }>(client, '/v1/units')).units;
  const allUnits = ['cpd-1231', 'cpd-1232', 'cpd-1233', 'ice-fot3'];
  const onShared = seesIncident(c, ref) ? ref.unitsOn(INCIDENT) : [];
  assert.deepEqual(
    ids(units),
    allUnits.filter((u) => c.reviewer === true || (u.startsWith('cpd-') ? 'city-pd' : 'fed-ice') === c.agency || onShared.includes(u)),
  );

  // the inbox: the notifications addressed to the caller (its agency's desk, the person, or a post the person holds)
  const inbox = (await json<{ notifications: { id: string; status: string }[] }>(client, '/v1/notifications')).notifications;
  const addressed = [...ref.notifications.values()].filter(
    (n) =>
      c.reviewer !== true &&
      n.to.agency === c.agency &&
      (c.person === undefined || ((n.to.person === undefined || n.to.person === c.person) && (n.position === undefined || c.positions.includes(n.position)))),
  );
  assert.deepEqual(ids(inbox), sorted(addressed.map((n) => n.id)));
  // reading it delivered them: nothing in it is left undelivered
  assert.deepEqual(
    inbox.filter((n) => n.status === 'created'),
    [],
  );
}

interface IncidentViewIds {
  readonly requests: { id: string }[];
  readonly orders: { id: string }[];
  readonly conflicts: { id: string }[];
  readonly notifications: { id: string }[];
  readonly messages: { id: string }[];
  readonly units: { id: string }[];
}

async function readFeed(c: Caller, client: Client): Promise<void> {
  const feed = openFeed(node, client, -1);
  await feed.opened;
  await readToEnd(node, feed);
  await feed.close();
  const entries = await ledger();
  const ref = BoundaryReference.of(entries);
  const want = entries.map((_, i) => i).filter((i) => reads(c, ref.readersOf(i)));
  assert.deepEqual(
    feed.entries.map((e) => e.index),
    want,
    `${c.name}'s feed`,
  );
  assert.deepEqual(feed.strange, []);
  // each entry exactly as the ledger holds it, with the node's sealed values in place
  const store = node.live.ledger.store;
  const texts = new Map<number, string>();
  for await (const s of revealedEntries(store, 0, await store.size())) texts.set(s.index, s.text);
  for (const e of feed.entries) assert.equal(e.text, texts.get(e.index), `entry ${e.index}`);
  if (c.reviewer === true) assert.equal(want.length, entries.length, 'the reviewer reads every entry');
  if (c.reviewer !== true && (c.agency === 'review-board' || c.agency === 'county-so')) {
    // an agency taking no part: nothing of the incident, only its own organisation
    assert.deepEqual(
      feed.entries.filter((e) => (JSON.parse(e.text) as StoredEntry).incident !== undefined),
      [],
    );
    assert.ok(feed.entries.every((e) => (JSON.parse(e.text) as StoredEntry).actor.agency === c.agency));
  }
}
