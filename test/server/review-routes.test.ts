/**
 * The review routes on the demo over real HTTP (issue 19's acceptance):
 * who knew what when for the fed-ice supervisor around the withdrawal; a
 * statement held against the notices that contradict it; the decision trace
 * of the withdrawal order; the timeline's skew flag and filters; and the
 * agency boundaries on every review read: a city-pd member cannot read
 * fed-ice's internal facts through them, a reviewer reads everything. Bad
 * input is a 4xx problem+json naming the field. (The boundary matrix over
 * every read route is test/server/boundaries.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serveDemo, type Client, type ServedNode } from '../helpers/server.ts';

const INCIDENT = 'inc-2026-0601-harrison';
let node: ServedNode;
let santos: Client;
let reyes: Client;
let liu: Client;
/** the message fed-ice sends only to its own people: internal to fed-ice */
let internal: number;

async function json<T>(client: Client, path: string, status = 200): Promise<T> {
  const r = await client.get(path);
  const text = await r.text();
  assert.equal(r.status, status, `${client.login} GET ${path}: ${text}`);
  if (status >= 400) assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
  return JSON.parse(text) as T;
}

async function post(client: Client, path: string, body: unknown, status = 201): Promise<{ entries: { index: number }[]; code?: string; detail?: string }> {
  const r = await client.post(path, body);
  const text = await r.text();
  assert.equal(r.status, status, `${client.login} POST ${path}: ${text}`);
  return JSON.parse(text) as { entries: { index: number }[] };
}

interface Fact {
  kind: string;
  id: string;
  topic: string;
  state: string;
  about: { order?: string; request?: string };
  deliveredAt?: string;
  acknowledgedAt?: string;
}
interface Knew {
  known: Fact[];
  acknowledged: Fact[];
  undelivered: Fact[];
  unacknowledged: Fact[];
}

const aboutWithdrawal = (f: Fact): boolean => f.about.order === 'ord-001' || f.topic === 'request.units_withdrawn';

before(async () => {
  node = await serveDemo();
  [santos, reyes, liu] = await Promise.all([node.as('santos'), node.as('reyes'), node.as('liu')]);
  const r = await post(santos, `/v1/incidents/${INCIDENT}/messages`, {
    messageId: 'msg-ice-internal',
    text: 'FOT-3: debrief at 23:00, field office.',
    people: ['ice-whitfield'],
  });
  internal = (r.entries[0] as { index: number }).index;
});
after(async () => {
  await node.stop();
  node.cleanup();
});

describe('who knew what when', () => {
  it('the fed-ice supervisor did not know of the withdrawal a second before its notice, and did a second after acknowledging it', async () => {
    // the withdrawal order ord-001 and its notices were recorded at 21:05:00; santos acknowledged them at 21:07:10
    const before = await json<Knew>(santos, '/v1/review/knew?person=ice-santos&at=2026-06-01T21:04:59Z');
    assert.deepEqual(before.known.filter(aboutWithdrawal), []);
    assert.deepEqual(before.undelivered.filter(aboutWithdrawal), []);
    // the notices of the commitment to his request (20:43) have no receipt on record: told, not known to have reached him
    assert.ok(before.undelivered.some((f) => f.about.request === 'req-001' && f.topic === 'request.units_committed'));

    // in between: told (created) but not yet delivered
    const between = await json<Knew>(santos, '/v1/review/knew?person=ice-santos&at=2026-06-01T21:05:30Z');
    assert.deepEqual(between.known.filter(aboutWithdrawal), []);
    assert.ok(between.undelivered.some(aboutWithdrawal), 'the withdrawal notices were on their way');

    const afterAck = await json<Knew>(santos, '/v1/review/knew?person=ice-santos&at=2026-06-01T21:07:11Z');
    const withdrawal = afterAck.known.filter(aboutWithdrawal);
    assert.ok(withdrawal.length > 0);
    for (const f of withdrawal) {
      assert.equal(f.state, 'acknowledged');
      assert.equal(f.deliveredAt, '2026-06-01T21:06:30.000Z');
      assert.equal(f.acknowledgedAt, '2026-06-01T21:07:10.000Z');
    }
    assert.deepEqual(afterAck.undelivered.filter(aboutWithdrawal), []);
    // the reviewer gets the same answer
    assert.deepEqual(await json<Knew>(liu, '/v1/review/knew?person=ice-santos&at=2026-06-01T21:07:11Z'), afterAck);
  });

  it('for a period: the first moment each fact reached him', async () => {
    const d = await json<{ facts: { key: string; at: string }[] }>(
      santos,
      '/v1/review/knew?person=ice-santos&from=2026-06-01T21:00:00Z&until=2026-06-01T21:10:00Z',
    );
    const order = d.facts.find((f) => f.key === 'order:ord-001');
    assert.equal(order?.at, '2026-06-01T21:06:30.000Z');
    const keys = d.facts.map((f) => f.key);
    assert.equal(new Set(keys).size, keys.length, 'each fact once');
    const times = d.facts.map((f) => Date.parse(f.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
  });

  it("a city-pd member does not read fed-ice's internal message through it", async () => {
    const own = await json<Knew>(santos, '/v1/review/knew?person=ice-whitfield&at=2099-01-01T00:00:00Z');
    assert.ok(own.known.some((f) => f.id === 'msg-ice-internal'));
    const city = await json<Knew>(reyes, '/v1/review/knew?person=ice-whitfield&at=2099-01-01T00:00:00Z');
    assert.ok(!city.known.some((f) => f.id === 'msg-ice-internal'));
    const cityAgency = await json<Knew>(reyes, '/v1/review/knew?agency=fed-ice&at=2099-01-01T00:00:00Z');
    assert.ok(!JSON.stringify(cityAgency).includes('debrief'));
    // a person of another agency city-pd shares nothing with, and one that does not exist, answer alike
    const none = await json<{ code: string; detail: string }>(reyes, '/v1/review/knew?person=ice-brennan&at=2099-01-01T00:00:00Z', 404);
    const missing = await json<{ code: string; detail: string }>(reyes, '/v1/review/knew?person=nobody&at=2099-01-01T00:00:00Z', 404);
    assert.equal(none.code, 'UNKNOWN_ENTITY');
    assert.equal(none.detail.replace('ice-brennan', 'X'), missing.detail.replace('nobody', 'X'));
  });
});

describe('the timeline', () => {
  it('shows sealed values as their readers read them, never the commitments', async () => {
    const page = await json<{ items: { type: string; body: { reason?: unknown; text?: unknown } }[] }>(
      santos,
      `/v1/incidents/${INCIDENT}/timeline?limit=1000&type=request.units_withdrawn,message`,
    );
    const withdrawal = page.items.find((i) => i.type === 'request.units_withdrawn');
    assert.equal(typeof withdrawal?.body.reason, 'string', JSON.stringify(withdrawal));
    assert.ok(page.items.every((i) => !JSON.stringify(i.body).includes('$sealed')));
  });

  it("is ordered by server time, flags a source's skewed clock, and keeps fed-ice's internal entries from city-pd", async () => {
    const all = await json<{ items: { index: number; received: string; type: string; claimed?: string; skewed: boolean; skewMs?: number }[] }>(
      liu,
      `/v1/incidents/${INCIDENT}/timeline?limit=1000`,
    );
    const received = all.items.map((i) => Date.parse(i.received));
    assert.deepEqual(
      received,
      [...received].sort((a, b) => a - b),
    );
    assert.ok(all.items.some((i) => i.index === internal));
    // the car's terminal reported en route at 20:43:18 by its clock, received at 20:43:20: 2 s, within the default bound
    const enRoute = all.items.find((i) => i.type === 'unit.status_changed' && i.claimed === '2026-06-01T20:43:18Z');
    assert.equal(enRoute?.skewMs, 2000);
    assert.equal(enRoute?.skewed, false);
    const strict = await json<{ items: { index: number; skewed: boolean }[] }>(liu, `/v1/incidents/${INCIDENT}/timeline?type=unit.status_changed&skew=1`);
    assert.equal(strict.items.find((i) => i.index === enRoute?.index)?.skewed, true);

    const city = await json<{ items: { index: number }[] }>(reyes, `/v1/incidents/${INCIDENT}/timeline?limit=1000`);
    assert.ok(!city.items.some((i) => i.index === internal));
    assert.ok(city.items.length < all.items.length);
  });

  it('filters by type, unit, person, agency and time, and pages from any point', async () => {
    const acks = await json<{ items: { type: string; source: string }[] }>(
      liu,
      `/v1/incidents/${INCIDENT}/timeline?type=notification.acknowledged,order.acknowledged`,
    );
    assert.ok(acks.items.length > 0);
    assert.ok(acks.items.every((i) => i.source === 'acknowledgement'));
    const unit = await json<{ items: { units: string[] }[] }>(liu, `/v1/incidents/${INCIDENT}/timeline?unit=cpd-1232`);
    assert.ok(unit.items.length > 0 && unit.items.every((i) => i.units.includes('cpd-1232')));
    const person = await json<{ items: { people: string[] }[] }>(liu, `/v1/incidents/${INCIDENT}/timeline?person=cpd-harris`);
    assert.ok(person.items.length > 0 && person.items.every((i) => i.people.includes('cpd-harris')));
    const window = await json<{ items: { received: string; agencies: string[] }[] }>(
      liu,
      `/v1/incidents/${INCIDENT}/timeline?agency=fed-ice&from=2026-06-01T21:05:00Z&until=2026-06-01T21:07:10Z`,
    );
    assert.ok(window.items.length > 0);
    for (const i of window.items) {
      assert.ok(i.agencies.includes('fed-ice'));
      assert.ok(i.received >= '2026-06-01T21:05:00.000Z' && i.received <= '2026-06-01T21:07:10.000Z');
    }
    const first = await json<{ items: { index: number }[]; next: number }>(liu, `/v1/incidents/${INCIDENT}/timeline?limit=3`);
    const second = await json<{ items: { index: number }[] }>(liu, `/v1/incidents/${INCIDENT}/timeline?limit=3&after=${first.next}`);
    assert.equal(first.items.length, 3);
    assert.ok((second.items[0]?.index ?? 0) > (first.items[2]?.index ?? Infinity));
  });

  it('refuses bad input with a problem naming the field, and callers without a login', async () => {
    for (const [query, field] of [
      ['limit=0', 'query.limit'],
      ['limit=5000', 'query.limit'],
      ['after=abc', 'query.after'],
      ['after=1e3', 'query.after'],
      ['from=yesterday', 'query.from'],
      ['skew=-1', 'query.skew'],
      ['type=Request!', 'query.type'],
      ['colour=red', 'query.colour'],
    ] as const) {
      const p = await json<{ code: string; field?: string; detail: string }>(liu, `/v1/incidents/${INCIDENT}/timeline?${query}`, 400);
      assert.equal(p.code, 'BAD_INPUT', query);
      assert.ok(p.detail.startsWith(field), `${query}: ${p.detail}`);
    }
    const p = await json<{ code: string }>(liu, `/v1/incidents/${INCIDENT}/timeline?from=2026-06-02T00:00:00Z&until=2026-06-01T00:00:00Z`, 400);
    assert.equal(p.code, 'BAD_INPUT');
    assert.equal((await node.anonymous.get(`/v1/incidents/${INCIDENT}/timeline`)).status, 401);
    assert.equal((await node.anonymous.get('/v1/review/knew?person=ice-santos&at=2026-06-01T21:00:00Z')).status, 401);
    for (const q of [
      'at=2026-06-01T21:00:00Z',
      'person=ice-santos',
      'person=ice-santos&unit=cpd-1231&at=2026-06-01T21:00:00Z',
      'person=ice-santos&from=2026-06-01T21:00:00Z',
      'person=ice-santos&at=noon',
    ]) {
      assert.equal((await json<{ code: string }>(santos, `/v1/review/knew?${q}`, 400)).code, 'BAD_INPUT', q);
    }
  });
});

describe('the decision trace', () => {
  it('of the withdrawal order: authority through the appointment, reason, conflicts, notices and acknowledgements', async () => {
    const trace = await json<{
      actor: { person: string };
      authority: { description: string; basis: { kind: string; position: string; title: string } };
      reason: string;
      followed: { withdrawals: { request: string }[]; conflicts: { with: string; resolved?: { reason: string } }[]; acknowledgements: unknown[] };
      notified: { recipient: { agency: string; person?: string }; deliveredAt?: string; acknowledgedAt?: string }[];
    }>(liu, '/v1/orders/ord-001/trace');
    assert.equal(trace.actor.person, 'cpd-harris');
    assert.equal(trace.authority.basis.kind, 'appointment');
    assert.equal(trace.authority.basis.position, 'city-pd.chief-of-patrol');
    assert.match(trace.reason, /De-escalation per General Order 7.03/);
    assert.deepEqual(
      trace.followed.withdrawals.map((w) => w.request),
      ['req-001'],
    );
    assert.ok(trace.followed.conflicts.length === 3 && trace.followed.conflicts.every((c) => c.with === 'ord-000' && c.resolved !== undefined));
    assert.equal(trace.followed.acknowledgements.length, 3);
    const toSantos = trace.notified.find((n) => n.recipient.person === 'ice-santos');
    assert.equal(toSantos?.acknowledgedAt, '2026-06-01T21:07:10.000Z');
    // the order is to city-pd's own units: city-pd's alone (fed-ice was told of it by notices, which it reads)
    assert.equal((await json<{ code: string }>(santos, '/v1/orders/ord-001/trace', 404)).code, 'UNKNOWN_ENTITY');
  });

  it("of a request: its verdict with clauses, each decision with its authority; another agency's organisation is not shown", async () => {
    const own = await json<{
      verdict: { clauses: { id: string }[]; policyVersion: string };
      decisions: { action: string; authority?: { basis?: { kind: string } } }[];
    }>(reyes, '/v1/requests/req-001/trace');
    assert.equal(own.verdict.policyVersion, 'city-pd/2026-01-01');
    assert.deepEqual(
      own.verdict.clauses.map((c) => c.id),
      ['2-173-030(a)'],
    );
    assert.equal(own.decisions.find((d) => d.action === 'accepted')?.authority?.basis?.kind, 'appointment');
    const other = await json<{ decisions: { action: string; authority?: { basis?: { kind: string } } }[] }>(santos, '/v1/requests/req-001/trace');
    assert.equal(other.decisions.find((d) => d.action === 'accepted')?.authority?.basis?.kind, 'not shared');
    assert.equal((await json<{ code: string }>(santos, '/v1/requests/nothing/trace', 404)).code, 'UNKNOWN_ENTITY');
  });
});

describe('statements against the record', () => {
  it('"city police abandoned our officers without notice" is shown against the notice and acknowledgement that contradict it', async () => {
    const s = await post(santos, `/v1/incidents/${INCIDENT}/statements`, {
      statementId: 'stmt-1',
      speaker: { agency: 'fed-ice', person: 'ice-brennan' },
      madeAt: '2026-06-02T09:00:00Z',
      publishedIn: 'press release, Metro Field Office',
      text: 'City police abandoned our officers without notice.',
    });
    assert.equal(s.entries.length, 1);
    await post(santos, '/v1/statements/stmt-1/claims', {
      claimId: 'abandoned',
      text: 'City police left our officers without support from 21:05.',
      check: { kind: 'supported', request: 'req-001', at: '2026-06-01T21:05:00Z', asserted: false },
    });
    await post(santos, '/v1/statements/stmt-1/claims', {
      claimId: 'no-notice',
      text: 'We were not told.',
      check: { kind: 'notified', agency: 'fed-ice', order: 'ord-001', asserted: false },
    });
    // city-pd links the acknowledgement of its notice as contradicting the claim
    const chen = await node.as('chen');
    const ack = (
      await json<{ items: { index: number; type: string; actor: { person?: string } }[] }>(
        liu,
        `/v1/incidents/${INCIDENT}/timeline?type=notification.acknowledged&person=ice-santos`,
      )
    ).items[0];
    assert.ok(ack !== undefined);
    await post(chen, '/v1/statements/stmt-1/links', {
      claimId: 'no-notice',
      entry: ack.index,
      relation: 'contradicts',
      note: 'Santos acknowledged the withdrawal at 21:07:10.',
    });

    interface Claim {
      id: string;
      result: { finding: string; explanation: string; evidence: { index: number; what: string; at: string }[] };
      contradictedBy: { entry: number; readable: boolean }[];
    }
    for (const reader of [santos, reyes, liu]) {
      const { statements } = await json<{ statements: { id: string; claims: Claim[] }[] }>(reader, `/v1/incidents/${INCIDENT}/statements`);
      const claims = statements.find((x) => x.id === 'stmt-1')?.claims ?? [];
      const noNotice = claims.find((c) => c.id === 'no-notice');
      assert.equal(noNotice?.result.finding, 'contradicted', reader.login);
      assert.match(
        noNotice?.result.explanation ?? '',
        /first delivered at 2026-06-01T21:06:30.000Z, first acknowledged at 2026-06-01T21:07:10.000Z by ice-santos/,
      );
      assert.ok(noNotice?.result.evidence.some((e) => e.at === '2026-06-01T21:07:10.000Z' && /acknowledged/.test(e.what)));
      assert.deepEqual(
        noNotice?.contradictedBy.map((l) => [l.entry, l.readable]),
        [[ack.index, true]],
      );
      const abandoned = claims.find((c) => c.id === 'abandoned');
      assert.equal(abandoned?.result.finding, 'supported', 'the units did leave at 21:05');
      assert.match(abandoned?.result.explanation ?? '', /withdrawn at 2026-06-01T21:05:00.000Z by order ord-001/);
    }
  });

  it('is recorded only by a person of an agency taking part, and refused on bad input', async () => {
    const body = { speaker: { agency: 'fed-ice' }, madeAt: '2026-06-02T09:00:00Z', publishedIn: 'briefing', text: 'A statement.' };
    // a reviewer reads and changes nothing
    assert.equal((await post(liu, `/v1/incidents/${INCIDENT}/statements`, body, 403)).code, 'READ_ONLY');
    // an agency's system is no person
    const system = await node.withToken('fed-ice', 'write');
    assert.equal((await post(system, `/v1/incidents/${INCIDENT}/statements`, body, 403)).code, 'NOT_AUTHORISED');
    assert.equal((await post(santos, `/v1/incidents/${INCIDENT}/statements`, { ...body, text: '   ' }, 400)).code, 'BAD_INPUT');
    assert.equal((await post(santos, `/v1/incidents/${INCIDENT}/statements`, { ...body, madeAt: 'tomorrow' }, 400)).code, 'BAD_INPUT');
    assert.equal((await post(santos, `/v1/incidents/${INCIDENT}/statements`, { ...body, speaker: { agency: 'nobody' } }, 404)).code, 'UNKNOWN_ENTITY');
    assert.equal((await post(santos, '/v1/statements/stmt-none/claims', { text: 'x' }, 404)).code, 'UNKNOWN_ENTITY');
    assert.equal(
      (await post(santos, '/v1/statements/stmt-1/links', { claimId: 'no-notice', entry: 10_000_000, relation: 'contradicts' }, 409)).code,
      'COMMAND_INCONSISTENT',
    );
    assert.equal((await post(santos, '/v1/statements/stmt-1/links', { claimId: 'no-notice', entry: 1, relation: 'maybe' }, 400)).code, 'BAD_INPUT');
  });
});
