/**
 * CoordinationService (src/app/coordination.ts) against a real LedgerService
 * in a temporary data directory, with an injected clock and the demo's
 * protocols: what one command appends (a sent request is received and
 * evaluated in the same append), verdicts on requests and orders, escalation
 * driven by the clock, the withdrawal notice, refusals that append nothing,
 * and bad input named by field. Then the property: for random command
 * sequences, the world rebuilt from the ledger equals the live world, the
 * world rebuilt as of any time t equals the fold of the entries received by
 * t (and the live world as it was then), and the data directory verifies.
 */
import { revealedEntries } from '../../src/app/revealed.ts';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CoordinationService, rebuildWorld, type EventLedger, type Executed } from '../../src/app/coordination.ts';
import { LedgerService } from '../../src/app/ledger.ts';
import { initNodeDir } from '../../src/app/node-dir.ts';
import { readScenario } from '../../src/app/scenario.ts';
import { verifyDataDir } from '../../src/app/verify.ts';
import { foldUntil, type Command, type RecordedEvent } from '../../src/domain/index.ts';
import { DIRECTIVES, OPERATION_KINDS, REQUEST_CATEGORIES, URGENCIES } from '../../src/domain/vocabulary.ts';
import { emptyWorld, type World } from '../../src/domain/world.ts';
import type { EntryDraft } from '../../src/ledger/entry.ts';
import { isConcordError, type ErrorCode } from '../../src/errors.ts';
import { loadProtocolBook, readProtocolSources } from '../../src/app/protocol-files.ts';
import { prepareProtocolBook, type ProtocolBook } from '../../src/policy/index.ts';
import type { Appended, Receipt } from '../../src/store/store.ts';
import { tempRoot } from '../helpers/data-dir.ts';
import { snapshotWorld } from '../helpers/world-snapshot.ts';

const root = tempRoot('concord-coordination-');
after(() => root.cleanup());

const INCIDENT = 'inc-2026-0601-harrison';
const START = '2026-06-01T20:00:00.000Z';
/** the demo's organisation and incident: its setup and the steps before the first request */
const SETUP = readScenario('scenarios/demo.yaml').steps.filter((s) => s.at < '2026-06-01T20:41:00.000Z');

const santos = { agency: 'fed-ice', person: 'ice-santos' };
const whitfield = { agency: 'fed-ice', person: 'ice-whitfield' };
const chen = { agency: 'city-pd', person: 'cpd-chen' };
const harris = { agency: 'city-pd', person: 'cpd-harris' };
const novak = { agency: 'city-pd', person: 'cpd-novak' };
const ortiz = { agency: 'city-pd', person: 'cpd-ortiz' };
const CITY_UNITS = ['cpd-1231', 'cpd-1232', 'cpd-1233'];

let protocols: ProtocolBook;
before(async () => {
  protocols = await loadProtocolBook('scenarios/policies');
});

/** the node's ledger, counting append calls */
class CountingLedger implements EventLedger {
  readonly calls: number[] = [];
  constructor(private readonly inner: LedgerService) {}
  get store() {
    return this.inner.store;
  }
  append(drafts: readonly EntryDraft[], receipts?: readonly Receipt[]): Promise<Appended[]> {
    this.calls.push(drafts.length);
    return this.inner.append(drafts, receipts);
  }
}

interface Node {
  readonly dir: string;
  readonly ledger: LedgerService;
  readonly counting: CountingLedger;
  readonly service: CoordinationService;
  /** every successful execution, in order */
  readonly done: Executed[];
  /** the live world right after each successful execution, with the receive time of its entries */
  readonly snapshots: { received: string; world: World }[];
  now: number;
  advance(seconds: number): void;
  iso(): string;
  run(command: unknown): Promise<Executed>;
  escalate(): Promise<Executed[]>;
  close(): Promise<void>;
}

let nodes = 0;
async function openNode(opts: { protocols?: boolean; book?: ProtocolBook; setup?: boolean } = {}): Promise<Node> {
  const dir = join(root.path, `node-${nodes++}`);
  initNodeDir(dir, 'concord.test.example/coordination');
  const clock = (): number => node.now;
  const ledger = await LedgerService.open(dir, { clock, checkpoints: { everyMs: 0, everyEntries: 0 } });
  const counting = new CountingLedger(ledger);
  let seq = 0;
  const service = await CoordinationService.open(counting, {
    ...(opts.protocols === false ? {} : { protocols: opts.book ?? protocols }),
    clock,
    newId: (prefix) => `${prefix}-${++seq}`,
  });
  const executed = (x: Executed): Executed => {
    node.done.push(x);
    const last = x.entries[x.entries.length - 1];
    if (last) node.snapshots.push({ received: last.received, world: snapshotWorld(service.world) });
    return x;
  };
  const node: Node = {
    dir,
    ledger,
    counting,
    service,
    done: [],
    snapshots: [],
    now: Date.parse(START),
    advance(seconds) {
      node.now += seconds * 1000;
    },
    iso: () => new Date(node.now).toISOString(),
    run: async (command) => executed(await service.execute(command)),
    escalate: async () => (await service.escalateOverdue()).map(executed),
    close: () => ledger.close(),
  };
  if (opts.setup !== false) {
    for (const step of SETUP) {
      node.now = Date.parse(step.at);
      await node.run(step.command);
    }
    node.now = Date.parse('2026-06-01T20:40:00.000Z');
  }
  return node;
}

function sendCommand(requestId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'request.send',
    actor: santos,
    requestId,
    incidentId: INCIDENT,
    to: 'city-pd',
    category: 'officer_in_danger',
    urgency: 'immediate',
    operation: 'civil_immigration_enforcement',
    description: 'FOT-3 surrounded at the gate',
    unitsRequested: 3,
    ...extra,
  };
}

/** the command is refused with `code`; the ledger and the live world are as they were */
async function refused(node: Node, command: unknown, code: ErrorCode, message?: RegExp): Promise<void> {
  const size = await node.ledger.store.size();
  const calls = node.counting.calls.length;
  const world = snapshotWorld(node.service.world);
  await assert.rejects(node.service.execute(command), (e: unknown) => {
    assert.ok(isConcordError(e), `a ConcordError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
  assert.equal(await node.ledger.store.size(), size, 'nothing appended');
  assert.equal(node.counting.calls.length, calls, 'the ledger was not even called');
  assert.deepEqual(node.service.world, world, 'the live world is unchanged');
}

describe('CoordinationService on a real ledger', () => {
  it('a sent request is received and evaluated in the same append: one call, consecutive indexes, one receive time', async () => {
    const node = await openNode();
    try {
      const size = await node.ledger.store.size();
      const calls = node.counting.calls.length;
      const x = await node.run(sendCommand('req-1'));
      assert.equal(node.counting.calls.length, calls + 1, 'one append');
      assert.deepEqual(
        x.entries.map((e) => e.index),
        x.events.map((_, i) => size + i),
      );
      assert.equal(await node.ledger.store.size(), size + x.events.length);
      assert.ok(x.entries.every((e) => e.received === '2026-06-01T20:40:00.000Z'));
      const types = x.events.map((e) => e.type);
      assert.equal(types[0], 'request.sent');
      assert.ok(types.indexOf('request.received') > 0);
      // evaluated the moment it is received, so the verdict is on record before anyone acts
      assert.equal(types[types.indexOf('request.received') + 1], 'request.evaluated');
      // the stored entries are the events, in order
      for (const [i, e] of x.entries.entries()) assert.equal((JSON.parse(e.text) as { type: string }).type, types[i]);
      const r = node.service.world.requests['req-1'];
      assert.equal(r?.state, 'evaluated');
      assert.deepEqual(r?.verdict, {
        decision: 'permitted',
        clauses: [
          {
            id: '2-173-030(a)',
            cite: 'Metro City Code § 2-173-030(a)',
            summary: 'Nothing in this chapter prohibits assistance to a law enforcement officer in immediate danger.',
          },
        ],
        agency: 'city-pd',
        policyVersion: 'city-pd/2026-01-01',
        evaluatedAt: '2026-06-01T20:40:00.000Z',
      });
      // the receiving agency's desk is told about the request in the same append
      assert.ok(Object.values(node.service.world.notifications).some((n) => n.request === 'req-1' && n.recipient.person === 'cpd-chen'));
    } finally {
      await node.close();
    }
  });

  it('without protocols a request is received but carries no verdict, and cannot be accepted', async () => {
    const node = await openNode({ protocols: false });
    try {
      const x = await node.run(sendCommand('req-1'));
      assert.deepEqual(
        x.events.filter((e) => e.type.startsWith('request.')).map((e) => e.type),
        ['request.sent', 'request.received'],
      );
      assert.equal(node.service.world.requests['req-1']?.verdict, undefined);
      await refused(node, { type: 'request.accept', actor: chen, requestId: 'req-1', reason: 'go' }, 'INVALID_TRANSITION', /is received; cannot accept it/);
      await refused(node, { type: 'request.evaluate', actor: chen, requestId: 'req-1' }, 'POLICY_NOT_EFFECTIVE', /no protocol of city-pd/);
    } finally {
      await node.close();
    }
  });

  it('a prohibited request cannot be accepted (nothing appended), and is declined with a reason', async () => {
    const node = await openNode();
    try {
      await node.run(sendCommand('req-2', { category: 'perimeter', urgency: 'urgent', unitsRequested: 4 }));
      const r = node.service.world.requests['req-2'];
      assert.equal(r?.verdict?.decision, 'prohibited');
      assert.deepEqual(
        r?.verdict?.clauses.map((c) => c.id),
        ['2-173-020(b)'],
      );
      node.advance(60);
      await refused(node, { type: 'request.accept', actor: chen, requestId: 'req-2', reason: 'anyway' }, 'VERDICT_PROHIBITED', /2-173-020\(b\)/);
      await refused(node, { type: 'request.accept', actor: harris, requestId: 'req-2', reason: 'I am the chief' }, 'VERDICT_PROHIBITED');
      await node.run({ type: 'request.decline', actor: chen, requestId: 'req-2', reason: 'prohibited by 2-173-020(b)' });
      assert.equal(node.service.world.requests['req-2']?.state, 'declined');
      assert.equal(node.service.world.requests['req-2']?.answer?.reason, 'prohibited by 2-173-020(b)');
    } finally {
      await node.close();
    }
  });

  it("a verdict is never taken from a command: one that carries one is refused as input, and the node's protocols decide", async () => {
    const node = await openNode();
    try {
      await node.run(sendCommand('req-2', { category: 'perimeter', urgency: 'urgent' }));
      node.advance(30);
      const madeUp = {
        decision: 'permitted',
        clauses: [{ id: 'made-up' }],
        agency: 'city-pd',
        policyVersion: 'city-pd/2026-01-01',
        evaluatedAt: '2026-06-01T20:40:00Z',
      };
      await refused(node, { type: 'request.evaluate', actor: chen, requestId: 'req-2', verdict: madeUp }, 'BAD_INPUT', /verdict/);
      await refused(
        node,
        { type: 'order.issue', actor: novak, orderId: 'ord-x', directive: 'hold', units: ['cpd-1231'], rationale: 'Hold', verdict: madeUp },
        'BAD_INPUT',
        /verdict/,
      );
      // re-evaluation is allowed, and it is the protocols that answer
      const x = await node.run({ type: 'request.evaluate', actor: chen, requestId: 'req-2' });
      const recorded = (x.events[0]?.body as { verdict: { decision: string; clauses: { id: string }[]; evaluatedAt: string } }).verdict;
      assert.equal(recorded.decision, 'prohibited');
      assert.deepEqual(
        recorded.clauses.map((c) => c.id),
        ['2-173-020(b)'],
      );
      assert.equal(recorded.evaluatedAt, node.iso());
      await refused(node, { type: 'request.accept', actor: chen, requestId: 'req-2', reason: 'the verdict says permitted' }, 'VERDICT_PROHIBITED');
      await node.run({ type: 'order.issue', actor: novak, orderId: 'ord-x', directive: 'hold', units: ['cpd-1231'], rationale: 'Hold' });
      assert.deepEqual(
        node.service.world.orders['ord-x']?.verdicts.map((v) => v.clauses.map((c) => c.id)),
        [['GO-7.03-III.A']],
      );
    } finally {
      await node.close();
    }
  });

  it('a request that needs approval names the role; someone below it cannot accept', async () => {
    const node = await openNode();
    try {
      await node.run(sendCommand('req-3', { category: 'traffic_control', urgency: 'urgent', operation: 'unknown' }));
      const v = node.service.world.requests['req-3']?.verdict;
      assert.equal(v?.decision, 'needs_approval');
      assert.equal(v?.approvalRole, 'city-pd.watch-commander');
      assert.deepEqual(
        v?.clauses.map((c) => c.id),
        ['2-173-040'],
      );
      await refused(node, { type: 'request.accept', actor: novak, requestId: 'req-3', reason: 'on my own' }, 'NOT_AUTHORISED');
      await node.run({ type: 'request.accept', actor: chen, requestId: 'req-3', reason: 'the chapter does not apply to a road closure' });
      assert.equal(node.service.world.requests['req-3']?.state, 'accepted');
    } finally {
      await node.close();
    }
  });

  it("order.issue gets a verdict from the issuer's protocols, with clause ids and version, recorded in the entry", async () => {
    const node = await openNode();
    try {
      const x = await node.run({
        type: 'order.issue',
        actor: novak,
        orderId: 'ord-hold',
        incidentId: INCIDENT,
        directive: 'hold',
        units: ['cpd-1231'],
        rationale: 'Hold at Ashland and Polk',
        target: 'Ashland and Polk',
      });
      const o = node.service.world.orders['ord-hold'];
      assert.deepEqual(
        o?.verdicts.map((v) => [v.agency, v.decision, v.policyVersion]),
        [['city-pd', 'permitted', 'city-pd/2026-01-01']],
      );
      assert.deepEqual(
        o?.verdicts[0]?.clauses.map((c) => c.id),
        ['GO-7.03-III.A'],
      );
      const entry = JSON.parse((x.entries[0] as Appended).text) as { type: string; body: { verdicts: { clauses: { id: string }[] }[] } };
      assert.equal(entry.type, 'order.issued');
      assert.deepEqual(
        entry.body.verdicts[0]?.clauses.map((c) => c.id),
        ['GO-7.03-III.A'],
      );
      // an order left unnamed is named before it is evaluated, so verdict and record agree
      await node.run({ type: 'order.issue', actor: novak, directive: 'move', units: ['cpd-1232'], rationale: 'Move to the north gate' });
      const named = Object.values(node.service.world.orders).find((ord) => ord.id !== 'ord-hold');
      assert.ok(named?.id.startsWith('order-'));
      assert.equal(named?.verdicts[0]?.decision, 'permitted');
    } finally {
      await node.close();
    }
  });

  it('escalation is driven by the injected clock: nothing before the deadline, one step up the chain at each deadline', async () => {
    const node = await openNode();
    try {
      const t0 = node.now;
      await node.run(sendCommand('req-3', { category: 'traffic_control', urgency: 'urgent', operation: 'unknown' }));
      node.now = t0 + 599_000;
      assert.deepEqual(await node.service.escalateOverdue(), []);
      node.now = t0 + 600_000;
      const size = await node.ledger.store.size();
      const first = await node.service.escalateOverdue();
      assert.equal(first.length, 1);
      assert.equal(first[0]?.events[0]?.type, 'request.escalated');
      assert.equal(first[0]?.entries[0]?.index, size);
      assert.ok(first[0]?.entries.every((e) => e.received === '2026-06-01T20:50:00.000Z'));
      let r = node.service.world.requests['req-3'];
      assert.equal(r?.responsible, 'city-pd.district-commander');
      assert.deepEqual(r?.escalations[0]?.authority, { kind: 'response_deadline', deadline: '2026-06-01T20:50:00.000Z' });
      assert.equal(r?.escalations[0]?.by.device, 'deadline-clock');
      // the position it went to is told
      assert.ok(Object.values(node.service.world.notifications).some((n) => n.topic === 'request.escalated' && n.recipient.person === 'cpd-okafor'));
      node.now = t0 + 1_199_000;
      assert.deepEqual(await node.service.escalateOverdue(), []);
      node.now = t0 + 1_200_000;
      assert.equal((await node.service.escalateOverdue()).length, 1);
      r = node.service.world.requests['req-3'];
      assert.equal(r?.responsible, 'city-pd.chief-of-patrol');
      // answered: the deadline stops
      node.now = t0 + 1_300_000;
      await node.run({ type: 'request.decline', actor: harris, requestId: 'req-3', reason: 'not a city task' });
      node.now = t0 + 10_000_000;
      assert.deepEqual(await node.service.escalateOverdue(), []);
      assert.equal(node.service.world.requests['req-3']?.escalations.length, 2);
    } finally {
      await node.close();
    }
  });

  it("a withdrawal by the home agency notifies the requesting agency's liaison and the incident command at once, with the reason", async () => {
    const node = await openNode();
    try {
      await node.run(sendCommand('req-1'));
      node.advance(60);
      await node.run({ type: 'request.accept', actor: chen, requestId: 'req-1', reason: 'officer in danger: 2-173-030(a)' });
      await node.run({ type: 'request.commit', actor: chen, requestId: 'req-1', units: CITY_UNITS });
      await node.run({
        type: 'incident.establish_command',
        actor: santos,
        incidentId: INCIDENT,
        structure: { kind: 'unified', members: ['ice-santos', 'cpd-chen'] },
        reason: 'two agencies on scene',
      });
      node.advance(300);
      const rationale = 'No officer is in danger any more; de-escalation per GO 7.03 IV.B';
      const x = await node.run({
        type: 'order.issue',
        actor: harris,
        orderId: 'ord-w',
        incidentId: INCIDENT,
        directive: 'withdraw',
        units: CITY_UNITS,
        rationale,
      });
      // one append: the order, the withdrawal from the request, and the notices
      assert.ok(x.events.some((e) => e.type === 'request.units_withdrawn'));
      const w = node.service.world;
      assert.equal(w.orders['ord-w']?.verdicts[0]?.clauses[0]?.id, 'GO-7.03-IV.B');
      const r = w.requests['req-1'];
      assert.equal(r?.state, 'withdrawn');
      assert.deepEqual(
        r?.withdrawals.map((x) => [x.units, x.order, x.reason, x.by.person]),
        [[CITY_UNITS, 'ord-w', rationale, 'cpd-harris']],
      );
      const notices = Object.values(w.notifications).filter((n) => n.order === 'ord-w');
      const toFed = notices.filter((n) => n.recipient.agency === 'fed-ice');
      assert.ok(
        toFed.some((n) => n.recipient.person === 'ice-whitfield' && n.topic === 'request.units_withdrawn'),
        'the liaison of the requesting agency',
      );
      for (const member of ['ice-santos', 'cpd-chen'])
        assert.ok(
          notices.some((n) => n.recipient.person === member),
          `unified command member ${member}`,
        );
      for (const n of notices) {
        assert.equal(n.reason, rationale);
        assert.equal(n.urgent, true);
        assert.equal(n.status, 'created');
        assert.equal(n.createdAt, node.iso());
        assert.ok(
          x.entries.some((e) => e.index === n.index),
          'created in the same append',
        );
      }
      // the federal side's console delivers it and the liaison acknowledges
      node.advance(30);
      const notice = toFed.find((n) => n.recipient.person === 'ice-whitfield');
      await refused(node, { type: 'notification.acknowledge', actor: chen, notificationId: notice?.id }, 'NOT_A_RECIPIENT');
      await node.run({ type: 'notification.deliver', actor: { agency: 'fed-ice', device: 'cad' }, notificationId: notice?.id });
      await node.run({ type: 'notification.acknowledge', actor: whitfield, notificationId: notice?.id });
      assert.equal(node.service.world.notifications[notice?.id ?? '']?.status, 'acknowledged');
    } finally {
      await node.close();
    }
  });

  it('refused commands append nothing and leave the live world as it was', async () => {
    const node = await openNode();
    try {
      await node.run(sendCommand('req-1'));
      await refused(node, { type: 'request.accept', actor: chen, requestId: 'req-999', reason: 'go' }, 'UNKNOWN_ENTITY', /req-999/);
      await refused(node, { type: 'order.issue', actor: novak, directive: 'move', units: ['cpd-1231'], rationale: '' }, 'ORDER_REASON_REQUIRED');
      await refused(node, { type: 'order.issue', actor: novak, directive: 'move', units: ['cpd-1231'], rationale: '   ' }, 'ORDER_REASON_REQUIRED');
      await refused(
        node,
        { type: 'order.issue', actor: novak, directive: 'move', units: ['ice-fot3'], rationale: 'Move back' },
        'NOT_IN_CHAIN_OF_COMMAND',
        /ice-fot3/,
      );
      await refused(node, { type: 'order.issue', actor: santos, directive: 'withdraw', units: ['cpd-1231'], rationale: 'Leave' }, 'NOT_IN_CHAIN_OF_COMMAND');
      await refused(node, { type: 'request.decline', actor: chen, requestId: 'req-1', reason: '' }, 'REASON_REQUIRED');
      await refused(node, { type: 'request.commit', actor: chen, requestId: 'req-1', units: ['cpd-1231'] }, 'INVALID_TRANSITION');
      await refused(node, { type: 'request.accept', actor: ortiz, requestId: 'req-1', reason: 'go' }, 'NOT_AUTHORISED');
      await refused(node, sendCommand('req-1'), 'DUPLICATE_ID');
      await refused(
        node,
        { type: 'request.escalate', actor: { agency: 'city-pd', device: 'deadline-clock' }, requestId: 'req-1', reason: 'late', automatic: true },
        'INVALID_TRANSITION',
        /not overdue/,
      );
      await refused(node, { type: 'order.acknowledge', actor: ortiz, orderId: 'ord-none', unit: 'cpd-1231' }, 'UNKNOWN_ENTITY');
    } finally {
      await node.close();
    }
  });

  it('bad command input is BAD_INPUT naming the field, and appends nothing', async () => {
    const node = await openNode();
    try {
      await refused(node, { type: 'request.explode', actor: chen }, 'BAD_INPUT', /at type/);
      await refused(node, { type: 'request.accept', actor: chen, reason: 'go' }, 'BAD_INPUT', /at requestId/);
      await refused(node, { ...sendCommand('req-9'), unitsRequested: 'three' }, 'BAD_INPUT', /at unitsRequested/);
      await refused(node, { ...sendCommand('req-9'), urgency: 'whenever' }, 'BAD_INPUT', /at urgency/);
      await refused(node, { type: 'request.accept', actor: { person: 'cpd-chen' }, requestId: 'req-1', reason: 'go' }, 'BAD_INPUT', /at actor\.agency/);
      await refused(node, { type: 'request.accept', actor: chen, requestId: 'req-1', reason: 'go', priority: 'high' }, 'BAD_INPUT', /"priority"/);
      await refused(node, null, 'BAD_INPUT');
      await refused(node, 'request.accept', 'BAD_INPUT');
      // the issues name every field at fault, for a client to show
      await assert.rejects(node.service.execute({ type: 'request.send', actor: santos }), (e: unknown) => {
        assert.ok(isConcordError(e, 'BAD_INPUT'));
        const paths = (e.details?.['issues'] as { path: string[] }[]).map((i) => i.path.join('.'));
        for (const f of ['incidentId', 'to', 'category', 'urgency', 'operation', 'description']) assert.ok(paths.includes(f), f);
        return true;
      });
      // what a request must carry depends on its kind: how many units, or what information
      const { unitsRequested: _n, ...noCount } = sendCommand('req-9');
      await refused(node, noCount, 'BAD_INPUT', /at unitsRequested: a request for units says how many/);
      await refused(node, { ...sendCommand('req-9'), kind: 'information' }, 'BAD_INPUT', /at unitsRequested: a request for information asks for no units/);
      await refused(node, { ...noCount, kind: 'information' }, 'BAD_INPUT', /at information: an information request says what it asks for/);
      await refused(
        node,
        { ...noCount, kind: 'information', information: { kind: 'records', personalData: 'yes' } },
        'BAD_INPUT',
        /at information\.personalData/,
      );
      await refused(
        node,
        { ...sendCommand('req-9'), legalBasis: { warrant: { kind: 'verbal', reference: 'x' } } },
        'BAD_INPUT',
        /at legalBasis\.warrant\.kind/,
      );
      await refused(
        node,
        { ...sendCommand('req-9'), legalBasis: { warrant: { kind: 'judicial', reference: '  ' } } },
        'BAD_INPUT',
        /at legalBasis\.warrant\.reference/,
      );
    } finally {
      await node.close();
    }
  });

  it('a request no clause covers gets the manifest default (no clauses, a note), and the ledger still rebuilds', async () => {
    const node = await openNode();
    try {
      // traffic control for a public-order operation: no city rule matches
      await node.run(sendCommand('req-d', { category: 'traffic_control', urgency: 'routine', operation: 'public_order' }));
      const v = node.service.world.requests['req-d']?.verdict;
      assert.equal(v?.decision, 'needs_approval');
      assert.equal(v?.approvalRole, 'city-pd.watch-commander');
      assert.deepEqual(v?.clauses, []);
      assert.match(v?.note ?? '', /manifest default/);
      assert.deepEqual(await rebuildWorld(node.ledger.store), node.service.world);
      const reopened = await CoordinationService.open(node.ledger, { protocols });
      assert.deepEqual(reopened.world.requests['req-d']?.verdict, v);
    } finally {
      await node.close();
    }
  });

  it('a service reopened on the ledger has the same world, and state --at reads the past from the ledger', async () => {
    const node = await openNode();
    try {
      await node.run(sendCommand('req-1'));
      const sentAt = node.iso();
      node.advance(60);
      await node.run({ type: 'request.accept', actor: chen, requestId: 'req-1', reason: 'go' });
      const reopened = await CoordinationService.open(node.ledger, { protocols });
      assert.deepEqual(reopened.world, node.service.world);
      const past = await node.service.incidentState(INCIDENT, sentAt);
      assert.equal(past.requests[0]?.state, 'evaluated');
      // the same instant written another way
      const past2 = await node.service.incidentState(INCIDENT, sentAt.replace('.000Z', 'Z'));
      assert.deepEqual(past2, past);
      assert.equal((await node.service.incidentState(INCIDENT)).requests[0]?.state, 'accepted');
      await assert.rejects(node.service.incidentState(INCIDENT, '2026-06-01T20:29:59Z'), (e: unknown) => isConcordError(e, 'UNKNOWN_ENTITY'));
      await assert.rejects(node.service.incidentState(INCIDENT, 'yesterday'), (e: unknown) => isConcordError(e, 'BAD_INPUT'));
    } finally {
      await node.close();
    }
  });
});

describe("every agency's protocols, on every path, with the real protocols of the demo", () => {
  /** fed-ice's request req-1 accepted and the three city units committed, under a unified command of santos and chen */
  async function jointIncident(): Promise<Node> {
    const node = await openNode();
    await node.run({
      type: 'incident.establish_command',
      actor: santos,
      incidentId: INCIDENT,
      structure: { kind: 'unified', members: ['ice-santos', 'cpd-chen'] },
      reason: 'two agencies on scene',
    });
    await node.run(sendCommand('req-1'));
    node.advance(60);
    await node.run({ type: 'request.accept', actor: chen, requestId: 'req-1', reason: 'officer in danger: 2-173-030(a)' });
    await node.run({ type: 'request.commit', actor: chen, requestId: 'req-1', units: CITY_UNITS });
    node.advance(60);
    return node;
  }

  it("an order from the federal member of the unified command to city units is decided by the city's protocols too", async () => {
    const node = await jointIncident();
    try {
      // a perimeter for the enforcement action: the city's ordinance forbids it to its units, whoever directs them
      await refused(
        node,
        {
          type: 'order.issue',
          actor: santos,
          directive: 'hold',
          units: ['cpd-1231'],
          target: 'Harrison between Loomis and Ashland',
          task: 'perimeter',
          rationale: 'hold the perimeter while FOT-3 completes the arrest',
        },
        'VERDICT_PROHIBITED',
        /city-pd's protocols \(city-pd\/2026-01-01\) prohibit it under 2-173-020\(b\)/,
      );
      // no stated task: the city's general order wants its watch commander, whom santos is not
      await refused(
        node,
        { type: 'order.issue', actor: santos, directive: 'move', units: ['cpd-1232'], target: 'north gate', rationale: 'cover the gate' },
        'APPROVAL_REQUIRED',
        /city-pd\.watch-commander/,
      );
      // a task the city allows its units under a joint command: both agencies' verdicts are on the order
      await node.run({
        type: 'order.issue',
        actor: santos,
        orderId: 'ord-gate',
        directive: 'hold',
        units: ['cpd-1232'],
        target: 'north gate',
        task: 'officer_in_danger',
        rationale: 'shield the injured officer',
      });
      const o = node.service.world.orders['ord-gate']!;
      assert.deepEqual(o.authority, { kind: 'unified_command', incident: INCIDENT, agency: 'fed-ice' });
      assert.deepEqual(
        o.verdicts.map((v) => [v.agency, v.decision, v.clauses.map((c) => c.id)]),
        [
          ['fed-ice', 'permitted', ['FOD-11-2(6)', 'FOD-11-2(7)']],
          ['city-pd', 'permitted', ['GO-7.03-III.B']],
        ],
      );
    } finally {
      await node.close();
    }
  });

  it("the order request.withdraw issues carries the city's verdict, and the federal team is told at once", async () => {
    const node = await jointIncident();
    try {
      await node.run({ type: 'request.withdraw', actor: harris, requestId: 'req-1', orderId: 'ord-w', reason: 'de-escalation per GO 7.03 IV.B' });
      const o = node.service.world.orders['ord-w']!;
      assert.deepEqual(
        o.verdicts.map((v) => [v.agency, v.clauses.map((c) => c.id)]),
        [['city-pd', ['GO-7.03-IV.B']]],
      );
      const told = Object.values(node.service.world.notifications).filter((n) => n.order === 'ord-w' && n.recipient.agency === 'fed-ice');
      assert.deepEqual(told.map((n) => [n.recipient.person, n.topic, n.urgent]).sort(), [
        ['ice-santos', 'request.units_withdrawn', true],
        ['ice-whitfield', 'request.units_withdrawn', true],
      ]);
    } finally {
      await node.close();
    }
  });

  it("the city's member of the joint command pulling city units off is a withdrawal the federal team hears of", async () => {
    const node = await jointIncident();
    try {
      await node.run({
        type: 'order.issue',
        actor: chen,
        orderId: 'ord-sd',
        directive: 'stand_down',
        units: CITY_UNITS,
        rationale: 'the line is provoking the crowd',
        authority: { kind: 'unified_command', incident: INCIDENT, agency: 'city-pd' },
      });
      const r = node.service.world.requests['req-1']!;
      assert.equal(r.state, 'withdrawn');
      assert.deepEqual(
        r.withdrawals.map((w) => [w.order, w.authority.kind, w.by.person]),
        [['ord-sd', 'unified_command', 'cpd-chen']],
      );
      assert.ok(Object.values(node.service.world.notifications).some((n) => n.order === 'ord-sd' && n.recipient.person === 'ice-whitfield' && n.urgent));
    } finally {
      await node.close();
    }
  });

  it('a decision rests on the protocol version in force when it is taken: a new version between receipt and answer is applied and recorded', async () => {
    // the city council's emergency resolution takes effect at 20:45: no assistance to federal civil immigration enforcement
    const sources = await readProtocolSources('scenarios/policies');
    const current = sources.find((v) => v.agency === 'city-pd' && v.version === '2026-01-01')!;
    const manifest = current.manifest.text
      .replace('version: 2026-01-01', 'version: 2026-06-01b')
      .replace(/effective_from: .*/, 'effective_from: "2026-06-01T20:45:00Z"');
    const resolution = {
      path: 'city-pd/2026-06-01b/resolution.cedar',
      text: [
        '@id("R-2026-77")',
        '@cite("City Council Resolution R-2026-77")',
        'forbid (principal, action == Action::"request_assistance", resource)',
        'when { principal.kind == "federal" && context.operation == "civil_immigration_enforcement" };',
      ].join('\n'),
    };
    const book = prepareProtocolBook([
      ...sources,
      {
        agency: 'city-pd',
        version: '2026-06-01b',
        manifest: { path: 'city-pd/2026-06-01b/protocol.yaml', text: manifest },
        policies: [...current.policies, resolution],
      },
    ]);
    const node = await openNode({ book });
    try {
      await node.run(sendCommand('req-1'));
      assert.equal(node.service.world.requests['req-1']?.verdict?.policyVersion, 'city-pd/2026-01-01');
      assert.equal(node.service.world.requests['req-1']?.verdict?.decision, 'permitted');
      node.now = Date.parse('2026-06-01T20:46:00.000Z');
      await refused(
        node,
        { type: 'request.accept', actor: chen, requestId: 'req-1', reason: 'it was permitted when it came in' },
        'VERDICT_PROHIBITED',
        /city-pd\/2026-06-01b.*R-2026-77/,
      );
      const x = await node.run({ type: 'request.decline', actor: chen, requestId: 'req-1', reason: 'Resolution R-2026-77 took effect at 20:45' });
      assert.deepEqual(
        x.events.slice(0, 2).map((e) => e.type),
        ['request.evaluated', 'request.declined'],
      );
      const r = node.service.world.requests['req-1']!;
      assert.deepEqual(
        [r.verdict?.policyVersion, r.verdict?.decision, r.verdict?.evaluatedAt],
        ['city-pd/2026-06-01b', 'prohibited', '2026-06-01T20:46:00.000Z'],
      );
      assert.deepEqual(r.log.map((s) => s.action).slice(-2), ['evaluated', 'declined']);
    } finally {
      await node.close();
    }
  });

  it('an information request: personal data for the enforcement action only under a judicial warrant', async () => {
    const node = await openNode();
    try {
      const ask = {
        type: 'request.send',
        actor: santos,
        incidentId: INCIDENT,
        to: 'city-pd',
        kind: 'information',
        information: { kind: 'records', personalData: true },
        category: 'investigation_support',
        urgency: 'routine',
        operation: 'civil_immigration_enforcement',
        description: 'Home address of a named resident',
      };
      await node.run({ ...ask, requestId: 'req-adm', legalBasis: { warrant: { kind: 'administrative', reference: 'I-200 2026-4471' } } });
      assert.deepEqual(
        node.service.world.requests['req-adm']?.verdict?.clauses.map((c) => c.id),
        ['2-173-025'],
      );
      assert.equal(node.service.world.requests['req-adm']?.verdict?.decision, 'prohibited');
      await refused(
        node,
        { type: 'request.provide', actor: chen, requestId: 'req-adm', provided: 'address', reason: 'they asked' },
        'VERDICT_PROHIBITED',
        /2-173-025/,
      );
      await node.run({ type: 'request.refuse', actor: chen, requestId: 'req-adm', reason: 'an administrative warrant does not suffice under 2-173-025' });
      await node.run({ ...ask, requestId: 'req-jud', legalBasis: { warrant: { kind: 'judicial', reference: '26-CR-0412' } } });
      assert.equal(node.service.world.requests['req-jud']?.verdict?.decision, 'permitted');
      await node.run({ type: 'request.provide', actor: chen, requestId: 'req-jud', provided: 'last known address', reason: 'judicial warrant 26-CR-0412' });
      assert.equal(node.service.world.requests['req-jud']?.state, 'provided');
      assert.deepEqual(await rebuildWorld(node.ledger.store), node.service.world);
    } finally {
      await node.close();
    }
  });
});

// ---------------------------------------------------------------------------
// property: ledger rebuild = live state; state at t = fold of entries up to t

const FED_PEOPLE = ['ice-santos', 'ice-brennan', 'ice-whitfield'];
const CITY_PEOPLE = ['cpd-chen', 'cpd-harris', 'cpd-okafor', 'cpd-novak', 'cpd-ortiz', 'cpd-alvarez'];
const ACTORS = [
  ...FED_PEOPLE.map((person) => ({ agency: 'fed-ice', person })),
  ...CITY_PEOPLE.map((person) => ({ agency: 'city-pd', person })),
  { agency: 'fed-ice', device: 'console' },
  { agency: 'city-pd', device: 'console' },
];
const CITY_SIDE = ACTORS.filter((a) => a.agency === 'city-pd' && 'person' in a).slice(0, 4);
const REQUESTS = ['r1', 'r2', 'r3'];
const UNITS = [...CITY_UNITS, 'ice-fot3'];
const REASONS = ['because', 'officer down', 'de-escalation', ''];
/** categories the city permits come up more often, so requests get accepted */
const SEND_CATEGORIES = ['officer_in_danger', 'crowd_safety', 'medical', ...REQUEST_CATEGORIES];
/** issuers: mostly the city's chain, which commands the units requests bring */
const ISSUERS = [harris, chen, novak, ...ACTORS];

type Op =
  | { kind: 'send'; request: number; category: number; urgency: number; operation: number; actor: number }
  | { kind: 'answer'; what: number; request: number; actor: number; reason: number; units: number }
  | { kind: 'order'; issuer: number; directive: number; units: number; reason: number; incident: boolean }
  | { kind: 'ack'; order: number; unit: number; actor: number }
  | { kind: 'notice'; pick: number; deliver: boolean; own: boolean; actor: number }
  | { kind: 'organise'; what: number; actor: number }
  | { kind: 'escalate' };

const ANSWERS = [
  'request.accept',
  'request.accept_partly',
  'request.decline',
  'request.commit',
  'request.report_on_scene',
  'request.withdraw',
  'request.release',
  'request.close',
  'request.cancel',
  'request.escalate',
  'request.approve',
] as const;
/** what usually comes next for a request in each state */
const NEXT: Partial<Record<string, readonly (typeof ANSWERS)[number][]>> = {
  sent: ['request.accept', 'request.decline', 'request.escalate'],
  received: ['request.accept', 'request.decline', 'request.escalate'],
  evaluated: ['request.accept', 'request.accept', 'request.approve', 'request.accept_partly', 'request.decline', 'request.escalate', 'request.cancel'],
  escalated: ['request.accept', 'request.approve', 'request.decline'],
  accepted: ['request.commit'],
  partly_accepted: ['request.commit'],
  units_committed: ['request.report_on_scene', 'request.withdraw', 'request.release'],
  on_scene: ['request.withdraw', 'request.withdraw', 'request.release', 'request.report_on_scene'],
  withdrawn: ['request.close'],
  released: ['request.close'],
  declined: ['request.close'],
};

const nat = fc.nat({ max: 999 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('send' as const), request: nat, category: nat, urgency: nat, operation: nat, actor: nat }) },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('answer' as const), what: nat, request: nat, actor: nat, reason: nat, units: fc.integer({ min: 1, max: 15 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      issuer: nat,
      directive: nat,
      units: fc.integer({ min: 0, max: 15 }),
      reason: nat,
      incident: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ack' as const), order: nat, unit: nat, actor: nat }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('notice' as const), pick: nat, deliver: fc.boolean(), own: fc.boolean(), actor: nat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('organise' as const), what: nat, actor: nat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('escalate' as const) }) },
);
/** each op after a pause of 0 s to 20 min: times only move forward */
const stepArb = fc.record({ op: opArb, pause: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1200 })) });

function pick<T>(xs: readonly T[], i: number): T {
  return xs[i % xs.length] as T;
}
function unitsOf(mask: number, from: readonly string[] = UNITS): string[] {
  return from.filter((_, i) => (mask >> i) & 1);
}

/** turns a generated op into a command, looking at the live world only to pick ids that exist */
function commandFor(op: Op, world: World): Command | 'escalate' {
  switch (op.kind) {
    case 'escalate':
      return 'escalate';
    case 'send':
      return {
        type: 'request.send',
        actor: op.actor % 4 === 0 ? pick(ACTORS, op.actor) : santos,
        requestId: pick(REQUESTS, op.request),
        incidentId: INCIDENT,
        to: 'city-pd',
        category: pick(SEND_CATEGORIES, op.category),
        urgency: pick(URGENCIES, op.urgency),
        operation: pick(OPERATION_KINDS, op.operation),
        description: 'help needed',
        unitsRequested: 1 + (op.category % 3),
      } as Command;
    case 'answer': {
      const requestId = pick(REQUESTS, op.request);
      const state = world.requests[requestId]?.state;
      // mostly the step that moves the request on from where it is, so runs reach commitments and withdrawals
      const natural = op.what % 10 < 7 && state !== undefined ? NEXT[state] : undefined;
      const type = natural ? pick(natural, op.what) : pick(ANSWERS, op.what);
      const actor = op.actor % 5 === 0 ? pick(ACTORS, op.actor) : type === 'request.cancel' ? santos : pick(CITY_SIDE, op.actor);
      const reason = pick(REASONS, op.reason);
      const units = unitsOf(op.units, CITY_UNITS);
      switch (type) {
        case 'request.commit':
        case 'request.report_on_scene':
          return { type, actor, requestId, units: units.length > 0 ? units : ['cpd-1231'] } as Command;
        case 'request.accept_partly':
          return { type, actor, requestId, count: 1, reason } as Command;
        case 'request.withdraw':
        case 'request.release':
          return { type, actor, requestId, reason, ...(op.units % 2 === 0 ? { units } : {}) } as Command;
        default:
          return { type, actor, requestId, reason } as Command;
      }
    }
    case 'order': {
      const units = unitsOf(op.units);
      return {
        type: 'order.issue',
        actor: pick(ISSUERS, op.issuer),
        directive: pick(DIRECTIVES, op.directive),
        units: units.length > 0 ? units : ['cpd-1231'],
        rationale: pick(REASONS, op.reason),
        ...(op.incident ? { incidentId: INCIDENT } : {}),
      } as Command;
    }
    case 'ack': {
      const orders = Object.keys(world.orders).sort();
      return {
        type: 'order.acknowledge',
        actor: pick(ACTORS, op.actor),
        orderId: orders.length > 0 ? pick(orders, op.order) : 'order-none',
        unit: pick(UNITS, op.unit),
      } as Command;
    }
    case 'notice': {
      const notices = Object.values(world.notifications).sort((a, b) => a.index - b.index);
      const n = notices.length > 0 ? pick(notices, op.pick) : undefined;
      const actor =
        op.own && n ? { agency: n.recipient.agency, ...(n.recipient.person ? { person: n.recipient.person } : { device: 'console' }) } : pick(ACTORS, op.actor);
      return { type: op.deliver ? 'notification.deliver' : 'notification.acknowledge', actor, notificationId: n?.id ?? 'notification-none' } as Command;
    }
    case 'organise':
      switch (op.what % 3) {
        case 0:
          return { type: 'incident.designate_liaison', actor: chen, incidentId: INCIDENT, personId: 'cpd-novak' } as Command;
        case 1:
          return {
            type: 'incident.establish_command',
            actor: pick([santos, chen], op.actor),
            incidentId: INCIDENT,
            structure: { kind: 'unified', members: ['ice-santos', 'cpd-chen'] },
            reason: 'joint scene',
          } as Command;
        default:
          return {
            type: 'incident.establish_command',
            actor: santos,
            incidentId: INCIDENT,
            structure: { kind: 'single', commander: 'ice-santos' },
            reason: 'one commander',
          } as Command;
      }
  }
}

/** the time written another way, where it can be ("…:00.000Z" → "…:00Z") */
function otherForm(iso: string): string {
  return iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso;
}

describe('property: the ledger alone gives the live state, now and at any past moment', () => {
  it('for random command sequences: rebuild = live world; rebuild as of t = fold of the entries received by t = live world then; the node verifies', async () => {
    let runs = 0;
    const stats = { executed: 0, refused: 0 };
    const details = await fc.check(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 10, maxLength: 60, size: 'max' }),
        fc.array(fc.tuple(nat, fc.constantFrom(-1, 0, 1), fc.boolean()), { minLength: 1, maxLength: 6 }),
        async (steps, probes) => {
          const node = await openNode();
          runs++;
          try {
            for (const { op, pause } of steps) {
              node.advance(pause);
              const command = commandFor(op, node.service.world);
              if (command === 'escalate') {
                await node.escalate();
                continue;
              }
              const size = await node.ledger.store.size();
              const before = snapshotWorld(node.service.world);
              try {
                await node.run(command);
                stats.executed++;
              } catch (e) {
                if (!isConcordError(e)) throw e;
                stats.refused++;
                assert.equal(await node.ledger.store.size(), size, `refused ${command.type} (${e.code}) appended nothing`);
                assert.deepEqual(node.service.world, before, `refused ${command.type} left the world as it was`);
              }
            }
            const store = node.ledger.store;
            // (a) the ledger alone gives the live world
            assert.deepEqual(await rebuildWorld(store), node.service.world);
            // (b) as of t: the fold of exactly the appended entries received by t, and the live world as it was then
            const recorded: RecordedEvent[] = node.done.flatMap((x) =>
              x.events.map((event, i) => ({ event, meta: { index: (x.entries[i] as Appended).index, received: (x.entries[i] as Appended).received } })),
            );
            assert.equal(recorded.length, await store.size());
            const times = recorded.map((r) => r.meta.received);
            for (const [i, delta, rewrite] of probes) {
              const base = Date.parse(times[i % times.length] as string) + delta;
              const t = new Date(base).toISOString();
              const asked = rewrite ? otherForm(t) : t;
              const rebuilt = await rebuildWorld(store, asked);
              assert.deepEqual(rebuilt, foldUntil(recorded, t), `rebuild as of ${asked} = fold of the entries received by then`);
              const then = node.snapshots.filter((s) => s.received <= t).pop()?.world ?? emptyWorld;
              assert.deepEqual(rebuilt, then, `rebuild as of ${asked} = the live world then`);
            }
            assert.deepEqual(await rebuildWorld(store, '2026-06-01T19:00:00Z'), emptyWorld);
          } finally {
            await node.close();
          }
          // (c) the data directory verifies
          const report = await verifyDataDir(node.dir);
          assert.ok(report.ok, JSON.stringify(report.problems));
          rmSync(node.dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 40 },
    );
    // the report with the counterexample and the error that failed it (node:test shows no error cause)
    assert.ok(
      !details.failed,
      details.failed ? `${fc.defaultReportMessage(details)}\n${String((details.errorInstance as Error)?.stack ?? details.errorInstance)}` : '',
    );
    assert.ok(runs >= 40);
    // the sequences reach past the refusals
    assert.ok(stats.executed > 0 && stats.refused > 0, JSON.stringify(stats));
  });
});

describe('commands taken together (group commit)', () => {
  /** what a command came to: its entries' texts, or the code it was refused with */
  async function outcome(p: Promise<Executed>, node: Node): Promise<string> {
    try {
      const x = await p;
      const texts: string[] = [];
      // sealed values revealed: their salts are drawn at random, the decisions are what must match
      for (const a of x.entries) for await (const e of revealedEntries(node.ledger.store, a.index, a.index + 1)) texts.push(e.text);
      return `ok ${texts.join('\n')}`;
    } catch (e) {
      if (!isConcordError(e)) throw e;
      return `refused ${e.code}`;
    }
  }

  it('property: commands sent all at once come out exactly as if sent one after the other, in fewer appends', async () => {
    let batched = 0;
    const details = await fc.check(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40 }), async (ops) => {
        // one after the other, each awaited: the commands, chosen against the world as it goes
        const one = await openNode();
        const all = await openNode();
        try {
          const commands: Command[] = [];
          const sequential: string[] = [];
          for (const op of ops) {
            const c = commandFor(op, one.service.world);
            if (c === 'escalate') continue;
            commands.push(c);
            sequential.push(await outcome(one.service.execute(c), one));
          }
          // the same commands on a twin node, all taken before the first is stored
          const calls = all.counting.calls.length;
          const together = await Promise.all(commands.map((c) => all.service.execute(c)).map((p) => outcome(p, all)));
          assert.deepEqual(together, sequential, 'each command decided against the world the ones before it left');
          assert.deepEqual(snapshotWorld(all.service.world), snapshotWorld(one.service.world));
          assert.deepEqual(await rebuildWorld(all.ledger.store), all.service.world, 'the ledger alone gives the live world');
          const appends = all.counting.calls.length - calls;
          if (appends < sequential.filter((o) => o.startsWith('ok')).length) batched++;
        } finally {
          await one.close();
          await all.close();
        }
        for (const n of [one, all]) {
          const report = await verifyDataDir(n.dir);
          assert.ok(report.ok, JSON.stringify(report.problems));
          rmSync(n.dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
    assert.ok(
      !details.failed,
      details.failed ? `${fc.defaultReportMessage(details)}\n${String((details.errorInstance as Error)?.stack ?? details.errorInstance)}` : '',
    );
    assert.ok(batched > 0, 'commands taken together were appended together');
  });

  it('a batch the ledger refuses is taken again one command at a time: only the command it cannot store fails', async () => {
    const node = await openNode();
    try {
      // a ledger that refuses any append holding the word "poison"
      const inner = node.counting.append.bind(node.counting);
      node.counting.append = (drafts) =>
        drafts.some((d) => JSON.stringify(d.body).includes('poison')) ? Promise.reject(new Error('the disk refused this write')) : inner(drafts);
      const message = (text: string): Record<string, unknown> => ({ type: 'message.send', actor: santos, incidentId: INCIDENT, text, agencies: ['fed-ice'] });
      const size = await node.ledger.store.size();
      const calls = node.counting.calls.length;
      const results = await Promise.allSettled(['first', 'second', 'poison', 'fourth'].map((t) => node.service.execute(message(t))));
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.status : `${r.status}: ${String(r.reason)}`)),
        ['fulfilled', 'fulfilled', 'rejected: Error: the disk refused this write', 'fulfilled'],
      );
      assert.equal(await node.ledger.store.size(), size + 3, 'the three others are stored, once each');
      const texts = Object.values(node.service.world.messages).map((m) => m.text);
      assert.ok(['first', 'second', 'fourth'].every((t) => texts.includes(t)) && !texts.includes('poison'));
      assert.ok(node.counting.calls.length - calls <= 4, `the first command alone, then the batch, then the three stored one by one`);
      assert.deepEqual(await rebuildWorld(node.ledger.store), node.service.world);
    } finally {
      await node.close();
    }
  });

  it("each command's receipt is stored with its own entries, in a batch of several; a refused command stores none", async () => {
    const node = await openNode();
    try {
      await node.run(sendCommand('req-r'));
      const message = (text: string): Record<string, unknown> => ({ type: 'message.send', actor: santos, incidentId: INCIDENT, text, agencies: ['fed-ice'] });
      const calls = node.counting.calls.length;
      const [a, refusedOne, b] = await Promise.allSettled([
        node.service.execute(message('one'), { receipt: { id: 'r-1', fingerprint: 'f-1' } }),
        node.service.execute({ type: 'request.accept', actor: novak, requestId: 'req-r', reason: 'on my own' }, { receipt: { id: 'r-2', fingerprint: 'f-2' } }),
        node.service.execute(sendCommand('req-s'), { receipt: { id: 'r-3', fingerprint: 'f-3' } }),
      ]);
      assert.equal(refusedOne.status, 'rejected');
      assert.equal(node.counting.calls.length - calls, 1, 'the two stored together');
      for (const [id, x] of [
        ['r-1', a],
        ['r-3', b],
      ] as const) {
        assert.equal(x.status, 'fulfilled');
        const entries = (x as PromiseFulfilledResult<Executed>).value.entries;
        const recalled = await node.service.recall(id);
        assert.deepEqual(
          recalled?.entries,
          entries.map((e, i) => ({ index: e.index, type: (x as PromiseFulfilledResult<Executed>).value.events[i]?.type, received: e.received })),
        );
      }
      assert.equal(await node.service.recall('r-2'), undefined);
    } finally {
      await node.close();
    }
  });

  it('a command refused in a batch changes nothing for the others', async () => {
    const node = await openNode();
    try {
      await node.run(sendCommand('req-a'));
      // the same request accepted twice at once: the first wins, the second finds it no longer open
      const accept = { type: 'request.accept', actor: harris, requestId: 'req-a', reason: 'officers in danger: we go' };
      const [a, b] = await Promise.allSettled([node.service.execute(accept), node.service.execute(accept)]);
      assert.equal(a.status, 'fulfilled');
      assert.equal(b.status, 'rejected');
      assert.equal(node.service.world.requests['req-a']?.state, 'accepted');
      assert.deepEqual(await rebuildWorld(node.ledger.store), node.service.world);
    } finally {
      await node.close();
    }
  });
});
