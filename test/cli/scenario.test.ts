/**
 * The scenario, state and protocol commands, end to end through the CLI
 * (in-process runCli): the demo scenario's acceptance story, `--until`,
 * `state --at` against a replay cut at the same moment, a second replay into
 * the same node refused, `verify` on the replayed node, `protocol check` and
 * `protocol test` on the shipped policies, and what `npm start` does.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/command.ts';
import { runStart } from '../../src/cli/start.ts';
import type { IncidentView } from '../../src/domain/index.ts';
import { cli, isOneLine, spawnCli, type CliResult } from '../helpers/cli.ts';
import { tempRoot, withDb } from '../helpers/data-dir.ts';
import { BILLION_LAUGHS } from '../helpers/yaml.ts';

const DEMO = 'scenarios/demo.yaml';
const POLICIES = 'scenarios/policies';
const INCIDENT = 'inc-2026-0601-harrison';

const root = tempRoot('concord-scenario-cli-');
after(() => root.cleanup());

let dirs = 0;
function freshPath(name = 'node'): string {
  return join(root.path, `${name}-${dirs++}`);
}

interface RunOutput {
  readonly scenario: string;
  readonly steps: number;
  readonly refused_as_expected: number;
  readonly escalations: number;
  readonly entries_appended: number;
  readonly incidents: Record<string, IncidentView>;
}

function ok(r: CliResult, what: string): CliResult {
  assert.equal(r.code, 0, `${what}: exit code (stderr: ${r.stderr})`);
  return r;
}

async function replay(dir: string, ...extra: string[]): Promise<RunOutput> {
  const r = ok(await cli(['scenario', 'run', DEMO, '--data', dir, '--json', ...extra]), `scenario run ${extra.join(' ')}`);
  return JSON.parse(r.stdout) as RunOutput;
}

async function stateAt(dir: string, at?: string): Promise<IncidentView> {
  const r = ok(await cli(['state', '--data', dir, '--incident', INCIDENT, '--json', ...(at ? ['--at', at] : [])]), `state --at ${at}`);
  return JSON.parse(r.stdout) as IncidentView;
}

function ledgerSize(dir: string): { entries: number; checkpoints: number } {
  return withDb(dir, (db) => ({
    entries: (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n,
    checkpoints: (db.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n,
  }));
}

/**
 * Notification ids are random (made when the notification is), so two
 * replays of the same scenario name them differently. Everything else must
 * match; the ids are replaced by the ledger index of the notification.
 */
function withStableIds(view: IncidentView): unknown {
  const text = JSON.stringify(view);
  let out = text;
  for (const n of view.notifications) out = out.split(`"${n.id}"`).join(`"notification@${n.index}"`);
  return JSON.parse(out);
}

type View = IncidentView;
type RequestOf = View['requests'][number];

function request(view: View, id: string): RequestOf {
  const r = view.requests.find((x) => x.id === id);
  assert.ok(r, `request ${id} is in the view`);
  return r;
}

const RATIONALE_START = 'FOT-3 has left the gate and no officer is now reported in danger';

describe('concord scenario run scenarios/demo.yaml', () => {
  const full = freshPath('demo');
  let out: RunOutput;
  let view: View;

  before(async () => {
    out = await replay(full);
    view = out.incidents[INCIDENT] as View;
  });

  it('replays every step, with the two expected refusals and two escalations', () => {
    assert.equal(out.scenario, 'demo');
    assert.equal(out.refused_as_expected, 2);
    assert.equal(out.escalations, 2);
    assert.deepEqual(Object.keys(out.incidents), [INCIDENT]);
    assert.equal(out.entries_appended, ledgerSize(full).entries);
    assert.equal(view.asOf.index, out.entries_appended - 1);
  });

  it('req-001 was answered (accepted) with a verdict citing 2-173-030(a) under city-pd/2026-01-01', () => {
    const r = request(view, 'req-001');
    assert.equal(r.verdict?.decision, 'permitted');
    assert.deepEqual(
      r.verdict?.clauses.map((c) => c.id),
      ['2-173-030(a)'],
    );
    assert.equal(r.verdict?.policyVersion, 'city-pd/2026-01-01');
    assert.equal(r.answer?.kind, 'accepted');
    assert.equal(r.answer?.by.person, 'cpd-chen');
    assert.match(r.answer?.reason ?? '', /2-173-030\(a\)/);
    // the request's history shows every step, ending closed after the withdrawal
    assert.deepEqual(r.log.map((s) => s.action).slice(0, 5), ['sent', 'received', 'evaluated', 'accepted', 'units_committed']);
    assert.equal(r.state, 'closed');
  });

  it('units cpd-1231..1233 were committed, reached the scene, and were withdrawn by ord-001 with its reason', () => {
    const r = request(view, 'req-001');
    assert.deepEqual(
      r.units.map((u) => u.unit),
      ['cpd-1231', 'cpd-1232', 'cpd-1233'],
    );
    for (const u of r.units) {
      assert.equal(u.committedAt, '2026-06-01T20:43:00.000Z');
      assert.equal(u.onSceneAt, '2026-06-01T20:49:00.000Z');
      assert.equal(u.ended?.kind, 'withdrawn');
      assert.equal(u.ended?.order, 'ord-001');
    }
    assert.equal(r.withdrawals.length, 1);
    const w = r.withdrawals[0];
    assert.deepEqual(w?.units, ['cpd-1231', 'cpd-1232', 'cpd-1233']);
    assert.equal(w?.order, 'ord-001');
    assert.equal(w?.by.person, 'cpd-harris');
    assert.ok(w?.reason.startsWith(RATIONALE_START), w?.reason);
    assert.equal(w?.at, '2026-06-01T21:05:00.000Z');
  });

  it('ord-001 is a withdrawal from the chief of patrol, with its rationale, a verdict and every acknowledgement', () => {
    const o = view.orders.find((x) => x.id === 'ord-001');
    assert.ok(o);
    assert.equal(o.directive, 'withdraw');
    assert.equal(o.issuer.person, 'cpd-harris');
    assert.deepEqual(o.authority, { kind: 'position', position: 'city-pd.chief-of-patrol' });
    assert.ok(o.rationale.startsWith(RATIONALE_START));
    assert.match(o.rationale, /General Order 7\.03 IV\.B/);
    // the city's units, the city's order: its protocols are the ones concerned, and fed-ice's are not asked
    assert.deepEqual(
      o.verdicts.map((v) => [v.agency, v.decision, v.policyVersion]),
      [['city-pd', 'permitted', 'city-pd/2026-01-01']],
    );
    assert.deepEqual(
      o.verdicts[0]?.clauses.map((c) => c.id),
      ['GO-7.03-IV.B'],
    );
    assert.deepEqual(o.unevaluated, []);
    assert.deepEqual(
      o.acknowledgements.map((a) => [a.id, a.acknowledged]),
      [
        ['cpd-1231', true],
        ['cpd-1232', true],
        ['cpd-1233', true],
      ],
    );
  });

  it('fed-ice was notified about ord-001, with the reason; every such notice was delivered and acknowledged', () => {
    const notices = view.notifications.filter((n) => n.order === 'ord-001' && n.recipient.agency === 'fed-ice' && n.topic !== 'order.conflict_detected');
    assert.ok(notices.length >= 2, 'at least the liaison and the incident command');
    const people = notices.map((n) => n.recipient.person);
    assert.ok(people.includes('ice-whitfield'), 'the liaison of fed-ice');
    assert.ok(people.includes('ice-santos'), 'the requester, a member of unified command');
    const withdrawn = notices.filter((n) => n.topic === 'request.units_withdrawn');
    assert.ok(withdrawn.length >= 1);
    for (const n of withdrawn) assert.equal(n.request, 'req-001');
    for (const n of notices) {
      assert.ok(n.reason?.startsWith(RATIONALE_START), `notice ${n.id} carries the reason`);
      assert.equal(n.status, 'acknowledged', `notice ${n.id} to ${n.recipient.person}`);
      assert.equal(n.deliveredAt, '2026-06-01T21:06:30.000Z');
      // each by the person it was addressed to
      assert.equal(n.acknowledgedBy?.person, n.recipient.person);
      assert.equal(n.acknowledgedAt, n.recipient.person === 'ice-santos' ? '2026-06-01T21:07:10.000Z' : '2026-06-01T21:08:00.000Z');
      assert.equal(n.createdAt, '2026-06-01T21:05:00.000Z');
    }
  });

  it("the federal supervisor directs the city units only as the city's rules allow: his order carries both agencies' verdicts", () => {
    const o = view.orders.find((x) => x.id === 'ord-000');
    assert.ok(o);
    assert.deepEqual(o.authority, { kind: 'unified_command', incident: INCIDENT, agency: 'fed-ice' });
    assert.deepEqual(
      o.verdicts.map((v) => [v.agency, v.decision]),
      [
        ['fed-ice', 'permitted'],
        ['city-pd', 'permitted'],
      ],
    );
    assert.deepEqual(
      o.verdicts[1]?.clauses.map((c) => c.id),
      ['GO-7.03-III.B'],
    );
    // his earlier order, a perimeter for the arrest, was refused and left no trace but the replay's count
    assert.equal(view.orders.filter((x) => x.task === 'perimeter').length, 0);
  });

  it('the withdrawal contradicted his hold at the gate: raised at once, resolved from the file by the orders it is between', () => {
    assert.deepEqual(
      view.conflicts.map((c) => [c.id, c.status, c.resolution?.by.person]),
      ['cpd-1231', 'cpd-1232', 'cpd-1233'].map((u) => [`conflict:ord-000:ord-001:${u}`, 'resolved', 'ice-santos']),
    );
  });

  it('req-004, personal data on an administrative warrant, was prohibited by 2-173-025 and refused', () => {
    const r = request(view, 'req-004');
    assert.equal(r.kind, 'information');
    assert.deepEqual(r.information, { kind: 'records', personalData: true });
    assert.deepEqual(r.legalBasis?.warrant, { kind: 'administrative', reference: 'I-200 2026-4471' });
    assert.equal(r.verdict?.decision, 'prohibited');
    assert.deepEqual(
      r.verdict?.clauses.map((c) => c.id),
      ['2-173-025'],
    );
    assert.equal(r.state, 'refused');
  });

  it('the live picture: coordinates, the cars status and positions from their terminals and the AVL feed, a message to the city', async () => {
    assert.deepEqual(view.incident.coordinates, { lat: 41.87434, lon: -87.66121 });
    assert.deepEqual(request(view, 'req-001').coordinates, { lat: 41.87468, lon: -87.66109 });
    assert.deepEqual(
      view.messages.map((m) => [m.id, m.from.person, m.agencies, m.people.map((p) => p.id), m.sentAt]),
      [['msg-001', 'ice-santos', ['city-pd'], ['cpd-novak'], '2026-06-01T20:47:00.000Z']],
    );
    // withdrawn by ord-001 from the city's chain, the cars left the incident
    assert.deepEqual(
      view.units.map((u) => u.id),
      ['ice-fot3'],
    );
    const then = await stateAt(full, '2026-06-01T20:50:00Z');
    assert.deepEqual(
      then.units.map((u) => [u.id, u.status?.status, u.status?.by.person ?? u.status?.by.device, u.position?.observed, u.position?.received]),
      [
        ['cpd-1231', 'on_scene', 'cpd-ortiz', '2026-06-01T20:45:58Z', '2026-06-01T20:46:00.000Z'],
        ['cpd-1232', undefined, undefined, '2026-06-01T20:45:57Z', '2026-06-01T20:46:00.000Z'],
        ['cpd-1233', undefined, undefined, '2026-06-01T20:45:55Z', '2026-06-01T20:46:00.000Z'],
        ['ice-fot3', undefined, undefined, undefined, undefined],
      ],
    );
    assert.equal((await stateAt(full, '2026-06-01T20:45:00Z')).units.find((u) => u.id === 'cpd-1231')?.status?.status, 'en_route');
    const text = ok(await cli(['state', '--data', full, '--incident', INCIDENT, '--at', '2026-06-01T20:50:00Z']), 'state text').stdout;
    assert.match(text, /at 1400 W Harrison St, Metro City \(41\.87434, -87\.66121\)/);
    assert.match(text, /\n {4}1231 \(city-pd\): on scene since 2026-06-01 20:48:40Z by PO Maria Ortiz \(city-pd\); last at 41\.87385, -87\.6658 ±6 m/);
    assert.match(text, /Messages:\n {4}2026-06-01 20:47:00Z SDDO Javier Santos \(fed-ice\) to city-pd, Sgt\. Robert Novak \(city-pd\): FOT-3 is pinned/);
  });

  it('req-002 was prohibited by 2-173-020(b) and declined', () => {
    const r = request(view, 'req-002');
    assert.equal(r.verdict?.decision, 'prohibited');
    assert.deepEqual(
      r.verdict?.clauses.map((c) => c.id),
      ['2-173-020(b)'],
    );
    assert.equal(r.state, 'declined');
    assert.equal(r.answer?.kind, 'declined');
    assert.deepEqual(r.units, []);
  });

  it('req-003 needed approval, escalated twice up the city chain on its deadlines, then was declined', () => {
    const r = request(view, 'req-003');
    assert.equal(r.verdict?.decision, 'needs_approval');
    assert.equal(r.verdict?.approvalRole, 'city-pd.watch-commander');
    assert.deepEqual(
      r.escalations.map((e) => [e.from, e.to, e.at, e.authority.kind]),
      [
        ['city-pd.watch-commander', 'city-pd.district-commander', '2026-06-01T21:10:00.000Z', 'response_deadline'],
        ['city-pd.district-commander', 'city-pd.chief-of-patrol', '2026-06-01T21:20:00.000Z', 'response_deadline'],
      ],
    );
    assert.equal(r.state, 'declined');
    assert.equal(r.answer?.by.person, 'cpd-harris');
  });

  it('concord verify passes on the replayed node', async () => {
    const r = ok(await cli(['verify', full]), 'verify');
    assert.match(r.stdout, /ok|OK|verified/i);
  });

  it('the text output names the incident and the requests', async () => {
    const r = ok(await cli(['scenario', 'run', DEMO, '--data', freshPath('text')]), 'text run');
    assert.match(r.stdout, /Replayed Protest at the Harrison Street federal field office: \d+ steps/);
    for (const s of ['req-001', 'req-002', 'req-003', 'ord-001', '2-173-030(a)', '2-173-020(b)']) assert.ok(r.stdout.includes(s), s);
    const s = ok(await cli(['state', '--data', full, '--incident', INCIDENT]), 'state text');
    assert.ok(s.stdout.includes('ord-001'));
  });

  it('--until 2026-06-01T20:50:00Z stops with req-001 on scene and no withdrawal order yet', async () => {
    const until = await replay(freshPath('until'), '--until', '2026-06-01T20:50:00Z');
    const v = until.incidents[INCIDENT] as View;
    const r = request(v, 'req-001');
    assert.equal(r.state, 'on_scene');
    assert.deepEqual(r.withdrawals, []);
    assert.equal(
      v.orders.find((o) => o.id === 'ord-001'),
      undefined,
    );
    assert.deepEqual(
      v.requests.map((x) => x.id),
      ['req-001'],
    );
    assert.equal(until.escalations, 0);
    assert.equal(v.asOf.received, '2026-06-01T20:49:00.000Z');
  });

  it('--until with a UTC offset or another precision means the same instant', async () => {
    const z = await replay(freshPath('until-z'), '--until', '2026-06-01T21:06:10Z');
    const offset = await replay(freshPath('until-offset'), '--until', '2026-06-01T16:06:10.000-05:00');
    assert.equal(offset.steps, z.steps);
    assert.equal(offset.entries_appended, z.entries_appended);
    assert.deepEqual(withStableIds(offset.incidents[INCIDENT] as View), withStableIds(z.incidents[INCIDENT] as View));
  });

  /*
   * Does `state --at T` on the full replay equal the state a replay cut with
   * `--until T` prints? It should, entry for entry: both ledgers hold the same
   * commands at the same receive times up to T. The steps at or before T are
   * the same; an escalation whose deadline is at or before T is appended at
   * its deadline in both — in the full run before the first step after it, in
   * the cut run by the final catch-up at T — and one due after T is received
   * after T, so `--at T` leaves it out. The one legitimate difference is the
   * notification ids, which are random per replay (see withStableIds).
   * Moments picked: before the withdrawal, between the acknowledgements,
   * exactly at the first escalation's deadline, between the escalations, and
   * after the last step.
   */
  for (const t of ['2026-06-01T20:50:00Z', '2026-06-01T21:06:15Z', '2026-06-01T21:10:00Z', '2026-06-01T21:15:00Z', '2026-06-01T21:45:00Z']) {
    it(`state --at ${t} on the full replay equals the replay --until ${t}`, async () => {
      const cut = await replay(freshPath('cut'), '--until', t);
      const atT = await stateAt(full, t);
      assert.deepEqual(withStableIds(atT), withStableIds(cut.incidents[INCIDENT] as View));
    });
  }

  it('the escalation due at 21:10 is in a replay cut at 21:10 and also in state --at 21:10', async () => {
    const atT = await stateAt(full, '2026-06-01T21:10:00Z');
    assert.equal(request(atT, 'req-003').escalations.length, 1);
    const before = await stateAt(full, '2026-06-01T21:09:59.999Z');
    assert.equal(request(before, 'req-003').escalations.length, 0);
  });

  it('state --at before the incident existed exits 2; a bad --at exits 2', async () => {
    const r = await cli(['state', '--data', full, '--incident', INCIDENT, '--at', '2026-06-01T20:29:00Z']);
    assert.equal(r.code, 2);
    assert.ok(isOneLine(r.stderr));
    assert.match(r.stderr, /did not exist at/);
    assert.equal((await cli(['state', '--data', full, '--incident', INCIDENT, '--at', 'yesterday'])).code, 2);
    assert.equal((await cli(['state', '--data', full, '--incident', 'no-such-incident'])).code, 2);
  });

  it('state without --at equals the state the replay printed', async () => {
    assert.deepEqual(await stateAt(full), view);
  });

  it('a second replay into the same node is refused with exit 2 and appends nothing', async () => {
    const sizeBefore = ledgerSize(full);
    const r = await cli(['scenario', 'run', DEMO, '--data', full, '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /already holds entries/);
    assert.equal(r.stdout, '');
    assert.deepEqual(ledgerSize(full), sizeBefore);
    // also after a replay cut short: the full replay starts before the cut one ended
    const cutDir = freshPath('cut-then-full');
    await replay(cutDir, '--until', '2026-06-01T20:45:00Z');
    const cutSize = ledgerSize(cutDir);
    assert.equal((await cli(['scenario', 'run', DEMO, '--data', cutDir])).code, 2);
    assert.deepEqual(ledgerSize(cutDir), cutSize);
    ok(await cli(['verify', full]), 'verify after the refused replay');
  });

  it('a bad --until exits 2 before anything is created', async () => {
    const dir = freshPath('bad-until');
    const r = await cli(['scenario', 'run', DEMO, '--data', dir, '--until', '21:00']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--until must be an RFC 3339 time/);
    assert.equal(existsSync(dir), false);
  });
});

describe('concord protocol check / test', () => {
  it('a perimeter for a civil immigration enforcement action is prohibited by 2-173-020(b)', async () => {
    const r = ok(
      await cli(['protocol', 'check', '--policies', POLICIES, '--request', 'scenarios/requests/perimeter-for-ice.yaml', '--json']),
      'protocol check',
    );
    const v = JSON.parse(r.stdout) as { decision: string; clauses: { id: string; cite?: string }[]; policyVersion: string; agency: string };
    assert.equal(v.decision, 'prohibited');
    assert.deepEqual(
      v.clauses.map((c) => c.id),
      ['2-173-020(b)'],
    );
    assert.equal(v.clauses[0]?.cite, 'Metro City Code § 2-173-020(b)');
    assert.equal(v.agency, 'city-pd');
    assert.equal(v.policyVersion, 'city-pd/2026-01-01');
    const text = ok(await cli(['protocol', 'check', '--policies', POLICIES, '--request', 'scenarios/requests/perimeter-for-ice.yaml']), 'text');
    assert.match(text.stdout, /^PROHIBITED/);
    assert.match(text.stdout, /2-173-020\(b\)/);
  });

  it('an officer in danger is permitted by 2-173-030(a), even during an enforcement action', async () => {
    const r = ok(await cli(['protocol', 'check', '--policies', POLICIES, '--request', 'scenarios/requests/officer-down.yaml', '--json']), 'check');
    const v = JSON.parse(r.stdout) as { decision: string; clauses: { id: string }[] };
    assert.equal(v.decision, 'permitted');
    assert.deepEqual(
      v.clauses.map((c) => c.id),
      ['2-173-030(a)'],
    );
  });

  it('a malformed request file exits 2 with a one-line reason naming the field', async () => {
    const cases: [string, string, RegExp][] = [
      ['category', 'category: perimetre\n', /category/],
      ['urgency', 'urgency: whenever\n', /urgency/],
      ['requested_units', 'requested_units: many\n', /requested_units/],
    ];
    const base = [
      'id: req-x',
      'from: { id: fed-ice, kind: federal }',
      'to: { id: city-pd, kind: local }',
      'category: perimeter',
      'urgency: urgent',
      'operation: civil_immigration_enforcement',
      'officer_in_danger: false',
      'description: hold a perimeter',
      'requested_units: 4',
      'at: "2026-03-14T20:30:00-05:00"',
    ];
    for (const [field, line, reason] of cases) {
      const p = join(root.path, `bad-${field}.yaml`);
      writeFileSync(p, base.map((l) => (l.startsWith(`${field}:`) ? line.trimEnd() : l)).join('\n') + '\n');
      const r = await cli(['protocol', 'check', '--policies', POLICIES, '--request', p]);
      assert.equal(r.code, 2, `${field}: ${r.stderr}`);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, reason);
      assert.equal(r.stdout, '');
    }
    // a required field left out
    const p = join(root.path, 'no-to.yaml');
    writeFileSync(p, base.filter((l) => !l.startsWith('to:')).join('\n') + '\n');
    const r = await cli(['protocol', 'check', '--policies', POLICIES, '--request', p]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\bto\b/);
    // not YAML at all
    const q = join(root.path, 'not-yaml.yaml');
    writeFileSync(q, 'id: [unclosed\n');
    assert.equal((await cli(['protocol', 'check', '--policies', POLICIES, '--request', q])).code, 2);
    assert.equal((await cli(['protocol', 'check', '--policies', POLICIES, '--request', join(root.path, 'missing.yaml')])).code, 2);
  });

  it('protocol test passes on the shipped policies', async () => {
    const r = ok(await cli(['protocol', 'test', '--policies', POLICIES]), 'protocol test');
    assert.match(r.stdout, /protocol tests: (\d+) of \1 passed\n$/);
    assert.equal(r.stderr, '', 'the shipped policies have no warnings');
    const j = ok(await cli(['protocol', 'test', '--policies', POLICIES, '--json']), 'protocol test --json');
    const report = JSON.parse(j.stdout) as { passed: number; failed: number; warnings: unknown[] };
    assert.ok(report.passed > 0);
    assert.equal(report.failed, 0);
    assert.deepEqual(report.warnings, []);
  });

  describe('warnings of the loaded protocols', () => {
    // a copy of the shipped policies with two rules that can never match: one Cedar sees, one only we do
    const policies = join(root.path, 'policies-with-warnings');
    const cedar = join(policies, 'city-pd', '2026-01-01', 'zz-never.cedar');
    const expected = [
      `${cedar}:1: policy NEVER-1: policy is impossible: the policy expression evaluates to false for all valid requests`,
      `${cedar}:7: policy NEVER-2: context.category == "perimeter" && context.category == "medical" cannot hold together: the rule never matches`,
    ];
    before(() => {
      cpSync(POLICIES, policies, { recursive: true });
      writeFileSync(
        cedar,
        [
          '@id("NEVER-1") @cite("x")',
          'permit (principal, action == Action::"request_assistance", resource)',
          'when { context.officer_in_danger && false };',
          '@id("NEVER-2") @cite("x")',
          'forbid (principal, action == Action::"request_assistance", resource)',
          'when { context.category == "perimeter" &&',
          '       context.category == "medical" };',
          '',
        ].join('\n'),
      );
    });

    it('protocol check prints each on stderr as warning: FILE:LINE: policy CLAUSE: message, and still exits 0', async () => {
      const r = ok(await cli(['protocol', 'check', '--policies', policies, '--request', 'scenarios/requests/perimeter-for-ice.yaml']), 'check');
      assert.equal(r.stderr, expected.map((w) => `warning: ${w}\n`).join(''));
      assert.match(r.stdout, /^PROHIBITED/);
      const j = ok(
        await cli(['protocol', 'check', '--policies', policies, '--request', 'scenarios/requests/perimeter-for-ice.yaml', '--json']),
        'check --json',
      );
      assert.equal(j.stderr, '');
      const v = JSON.parse(j.stdout) as { decision: string; warnings: { file: string; line: number; clause: string; message: string }[] };
      assert.equal(v.decision, 'prohibited');
      assert.deepEqual(
        v.warnings.map((w) => `${w.file}:${w.line}: policy ${w.clause}: ${w.message}`),
        expected,
      );
    });

    it('protocol test prints them too; warnings never change the exit status, a failing case does', async () => {
      const r = ok(await cli(['protocol', 'test', '--policies', policies]), 'test');
      assert.equal(r.stderr, expected.map((w) => `warning: ${w}\n`).join(''));
      const j = ok(await cli(['protocol', 'test', '--policies', policies, '--json']), 'test --json');
      assert.equal((JSON.parse(j.stdout) as { warnings: unknown[] }).warnings.length, 2);
      const failing = join(root.path, 'policies-failing');
      cpSync(policies, failing, { recursive: true });
      writeFileSync(
        join(failing, 'fed-ice', 'tests.yaml'),
        'cases:\n  - name: wrong\n    at: "2026-03-14T21:05:00Z"\n    request: { id: r, from: { id: city-pd, kind: local }, to: { id: fed-ice, kind: federal }, category: medical, urgency: routine, operation: other, officer_in_danger: false, requested_units: 1 }\n    expect: { error: POLICY_NOT_EFFECTIVE }\n',
      );
      const f = await cli(['protocol', 'test', '--policies', failing]);
      assert.equal(f.code, 1);
      assert.equal(f.stderr.split('\n').filter((l) => l.startsWith('warning: ')).length, 2);
    });
  });
});

describe('hostile input files: exit 2 with one line, nothing written', () => {
  function refused(r: CliResult, reason: RegExp, what: string): void {
    assert.equal(r.code, 2, `${what}: exit code (stderr: ${r.stderr})`);
    assert.ok(isOneLine(r.stderr), `${what}: one line, got ${JSON.stringify(r.stderr.slice(0, 300))}`);
    assert.match(r.stderr, reason, what);
    assert.equal(r.stdout, '', what);
  }

  it('a scenario file that is a YAML alias bomb (billion laughs)', async () => {
    const file = join(root.path, 'bomb.yaml');
    writeFileSync(
      file,
      `${BILLION_LAUGHS}scenario: *i
`,
    );
    const dir = freshPath('bomb');
    refused(await cli(['scenario', 'run', file, '--data', dir]), /bomb\.yaml:\d+: refused: aliases here expand to more than 100,000 nodes/, 'in-process');
    assert.equal(existsSync(dir), false, 'no data directory created');
    // the real command line too: an exit 2, not a crash (70)
    refused(await spawnCli(['scenario', 'run', file, '--data', dir]), /refused: aliases/, 'bin');
    assert.equal(existsSync(dir), false);
  });

  it('a 200 MB scenario file is refused from its size', async () => {
    const file = join(root.path, 'huge.yaml');
    writeFileSync(file, '');
    truncateSync(file, 200 * 1024 * 1024);
    const dir = freshPath('huge');
    refused(
      await cli(['scenario', 'run', file, '--data', dir]),
      /cannot read scenario .*huge\.yaml: 209,715,200 bytes \(200 MiB\) is larger than the limit of 8,388,608 bytes \(8 MiB\)/,
      'huge',
    );
    assert.equal(existsSync(dir), false);
  });

  it('into an existing node: nothing is appended', async () => {
    const dir = freshPath('existing');
    ok(await cli(['init', '--data', dir, '--origin', 'concord.test/hostile']), 'init');
    const before = ledgerSize(dir);
    const file = join(root.path, 'bomb-2.yaml');
    writeFileSync(
      file,
      `${BILLION_LAUGHS}scenario: *i
`,
    );
    refused(await cli(['scenario', 'run', file, '--data', dir]), /refused: aliases/, 'existing');
    assert.deepEqual(ledgerSize(dir), before);
  });

  it('a request file or a protocol file that is an alias bomb or too large', async () => {
    const bomb = join(root.path, 'request-bomb.yaml');
    writeFileSync(
      bomb,
      `${BILLION_LAUGHS}id: *i
`,
    );
    refused(await cli(['protocol', 'check', '--policies', POLICIES, '--request', bomb]), /request-bomb\.yaml:\d+: refused: aliases/, 'request');
    const big = join(root.path, 'request-big.yaml');
    writeFileSync(big, '');
    truncateSync(big, 2 * 1024 * 1024);
    refused(
      await cli(['protocol', 'check', '--policies', POLICIES, '--request', big]),
      /cannot read request .*: 2,097,152 bytes \(2 MiB\) is larger than the limit of 1,048,576 bytes \(1 MiB\)/,
      'big request',
    );
    const policies = join(root.path, 'policies-bomb');
    cpSync(POLICIES, policies, { recursive: true });
    writeFileSync(
      join(policies, 'city-pd', 'tests.yaml'),
      `${BILLION_LAUGHS}cases: *i
`,
    );
    refused(await cli(['protocol', 'test', '--policies', policies]), /tests\.yaml:\d+: refused: aliases/, 'tests.yaml');
  });
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function start(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIo = { stdout, stderr, stdin: new PassThrough().end(), cwd: root.path };
  const code = await runStart([dir], io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('npm start (runStart)', () => {
  it('creates the demo node on the first call and shows the existing node on the second; both exit 0', async () => {
    const dir = freshPath('start');
    const first = await start(dir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Creating the demo node in start-\d+ and replaying/);
    assert.match(first.stdout, /Replayed Protest at the Harrison Street/);
    assert.match(first.stdout, /Verifying the ledger offline/);
    assert.equal(first.stderr, '');
    const size = ledgerSize(dir);
    assert.ok(size.entries > 100);

    const second = await start(dir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /exists \(delete it to replay the demo from scratch\)/);
    assert.ok(second.stdout.includes('ord-001'), 'the incident is shown');
    assert.doesNotMatch(second.stdout, /Creating the demo node/);
    assert.equal(ledgerSize(dir).entries, size.entries, 'nothing replayed the second time');
    ok(await cli(['verify', dir]), 'verify');
  });
});
