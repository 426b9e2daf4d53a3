/**
 * Scenario files (src/app/scenario.ts, src/app/scenario-run.ts): how a file
 * compiles into commands, and how an invalid one is rejected — with
 * `FILE:LINE:` pointing at the line at fault, exit 2 from the CLI, and
 * nothing appended (the dry run refuses before the ledger is written). Most
 * cases are the demo scenario with one thing broken, so each also shows that
 * the unbroken demo was fine up to that line.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { initNodeDir } from '../../src/app/node-dir.ts';
import { readScenario } from '../../src/app/scenario.ts';
import { runScenario } from '../../src/app/scenario-run.ts';
import { isConcordError } from '../../src/errors.ts';
import { cli, isOneLine } from '../helpers/cli.ts';
import { tempRoot, withDb } from '../helpers/data-dir.ts';

const root = tempRoot('concord-scenario-');
after(() => root.cleanup());

// the demo, with its protocols found from wherever the copy is written
const DEMO = readFileSync('scenarios/demo.yaml', 'utf8').replace(/^protocols: policies$/m, `protocols: ${resolve('scenarios/policies')}`);
assert.notEqual(DEMO, readFileSync('scenarios/demo.yaml', 'utf8'), 'the demo names its protocols directory');

let n = 0;
function write(name: string, text: string): string {
  const p = join(root.path, `${name}-${n++}.yaml`);
  writeFileSync(p, text);
  return p;
}
function freshDir(): string {
  return join(root.path, `node-${n++}`);
}

/** the 1-based line of the `nth` line containing `needle` */
function lineWith(text: string, needle: string, nth = 0): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if ((lines[i] as string).includes(needle) && seen++ === nth) return i + 1;
  }
  throw new Error(`"${needle}" (#${nth}) is not in the text`);
}

/** the text with `from` (which must occur) replaced by `to` */
function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the demo contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

function entriesIn(dir: string): number {
  if (!existsSync(join(dir, 'ledger.db'))) return 0;
  return withDb(dir, (db) => (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n);
}

/**
 * The file is rejected by `concord scenario run` with exit 2 and a one-line
 * reason starting `FILE:LINE:` and matching `reason`; nothing is appended.
 */
async function rejected(text: string, line: number, reason: RegExp, name = 'bad'): Promise<string> {
  const file = write(name, text);
  const dir = freshDir();
  const r = await cli(['scenario', 'run', file, '--data', dir]);
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  assert.ok(isOneLine(r.stderr), r.stderr);
  assert.ok(r.stderr.startsWith(`concord scenario run: ${file}:${line}: `), `expected ${file}:${line}:, got ${r.stderr}`);
  assert.match(r.stderr, reason);
  assert.equal(r.stdout, '');
  assert.equal(entriesIn(dir), 0, 'nothing appended');
  return r.stderr;
}

describe('a valid scenario compiles into commands', () => {
  it('the demo: setup at the start time in file order, then the timeline; times in one form', () => {
    const s = readScenario('scenarios/demo.yaml');
    assert.equal(s.name, 'demo');
    assert.equal(s.protocolsDir, resolve('scenarios/policies'));
    const setup = s.steps.filter((x) => x.at === '2026-06-01T20:00:00.000Z');
    assert.deepEqual(
      [...new Set(setup.map((x) => x.command.type))],
      ['agency.register', 'position.establish', 'person.register', 'person.appoint', 'unit.register'],
    );
    const first = setup[0]?.command;
    assert.deepEqual(first, {
      type: 'agency.register',
      actor: { agency: 'city-pd' },
      agencyId: 'city-pd',
      name: 'City Police Department',
      kind: 'local',
      jurisdiction: 'Metro City',
    });
    const watch = setup.find((x) => x.command.type === 'position.establish' && x.command.positionId === 'city-pd.watch-commander');
    assert.deepEqual(watch?.command, {
      type: 'position.establish',
      actor: { agency: 'city-pd' },
      positionId: 'city-pd.watch-commander',
      title: 'Watch Commander, 12th District',
      reportsTo: 'city-pd.district-commander',
      rank: 4,
      handlesRequests: true,
    });
    const appoint = setup.find((x) => x.command.type === 'person.appoint' && x.command.personId === 'cpd-harris');
    assert.deepEqual(appoint?.command, {
      type: 'person.appoint',
      actor: { agency: 'city-pd' },
      personId: 'cpd-harris',
      positionId: 'city-pd.chief-of-patrol',
      from: '2026-06-01T20:00:00Z',
    });
    const unit = setup.find((x) => x.command.type === 'unit.register' && x.command.unitId === 'cpd-1231');
    assert.deepEqual(unit?.command, {
      type: 'unit.register',
      actor: { agency: 'city-pd' },
      unitId: 'cpd-1231',
      unitType: 'patrol car',
      callsign: '1231',
      members: ['cpd-ortiz'],
      supervisor: 'city-pd.sergeant-1231',
    });
    // every setup step points at its own line
    const text = readFileSync('scenarios/demo.yaml', 'utf8');
    assert.equal(unit?.line, lineWith(text, '{ id: cpd-1231,'));
    assert.equal(setup[0]?.line, lineWith(text, '  - id: city-pd'));

    const timeline = s.steps.slice(setup.length);
    assert.ok(timeline.every((x, i) => i === 0 || (timeline[i - 1] as { at: string }).at <= x.at));
    assert.equal(timeline[0]?.command.type, 'incident.open');
    assert.equal(timeline[0]?.line, lineWith(text, '  - at: 2026-06-01T20:30:00Z'));
    const refused = timeline.filter((x) => x.expectRefused !== undefined);
    assert.deepEqual(
      refused.map((x) => [x.command.type, x.expectRefused]),
      [
        ['order.issue', 'VERDICT_PROHIBITED'],
        ['request.accept', 'VERDICT_PROHIBITED'],
      ],
    );
    const selected = timeline.filter((x) => x.select !== undefined);
    assert.deepEqual(
      selected.map((x) => [x.command.type, x.select]),
      [
        ['notification.deliver', { order: 'ord-001' }],
        ['notification.acknowledge', { order: 'ord-001' }],
        ['notification.acknowledge', { order: 'ord-001' }],
      ],
    );
  });
});

describe('an invalid scenario file is rejected with FILE:LINE:, exit 2, and nothing appended', () => {
  it('YAML that does not parse: a key given twice', async () => {
    const text = edit(DEMO, '    do: incident.assign_unit\n', '    do: incident.assign_unit\n    do: incident.open\n');
    await rejected(text, lineWith(text, '    do: incident.open', 1), /not valid YAML: .*unique/);
  });

  it('YAML that does not parse: a flow sequence left open', async () => {
    const text = edit(DEMO, '    do: incident.assign_unit\n', '    do: [incident.assign_unit\n');
    const line = lineWith(text, 'do: [incident.assign_unit');
    // the parser notices the missing "]" where the next line starts
    const stderr = await rejected(text, line + 1, /not valid YAML/);
    assert.match(stderr, /\]/);
  });

  it('not a mapping at all', async () => {
    await rejected('- just\n- a list\n', 1, /a scenario is a YAML mapping/);
  });

  it('an unknown key in a timeline step points at the key', async () => {
    const text = edit(DEMO, '    do: incident.designate_liaison\n', '    do: incident.designate_liaison\n    whn: soon\n');
    await rejected(text, lineWith(text, 'whn: soon'), /timeline\.2: Unrecognized key: "whn"/);
  });

  it('an unknown key in an agency, and a missing required field', async () => {
    const text = edit(DEMO, '    jurisdiction: Metro City\n', '    jurisdiction: Metro City\n    mayor: someone\n');
    await rejected(text, lineWith(text, 'mayor: someone'), /agencies\.0: Unrecognized key: "mayor"/);
    const noTitle = edit(DEMO, 'title: Protest at the Harrison Street federal field office\n', '');
    // a missing key is reported where the mapping that lacks it starts
    await rejected(noTitle, lineWith(noTitle, 'scenario: demo'), /title: Invalid input/);
    const badKind = edit(DEMO, '    kind: federal\n', '    kind: galactic\n');
    await rejected(badKind, lineWith(badKind, 'kind: galactic'), /agencies\.1\.kind/);
  });

  it('a bad time', async () => {
    const text = edit(DEMO, '  - at: 2026-06-01T20:42:00Z', '  - at: 2026-06-01T25:42:00Z');
    await rejected(text, lineWith(text, '25:42:00Z'), /timeline\.4\.at: must be an RFC 3339 UTC time/);
    const noZone = edit(DEMO, '  - at: 2026-06-01T20:42:00Z', '  - at: 2026-06-01 20:42');
    await rejected(noZone, lineWith(noZone, '2026-06-01 20:42'), /timeline\.4\.at/);
    const badStart = edit(DEMO, 'start: 2026-06-01T20:00:00Z', 'start: tonight');
    await rejected(badStart, lineWith(badStart, 'start: tonight'), /start: must be an RFC 3339/);
  });

  it('a time the calendar does not have (February 30, hour 24, a leap second), which Date.parse would move to another instant', async () => {
    const feb30 = edit(DEMO, 'start: 2026-06-01T20:00:00Z', 'start: 2026-02-30T20:00:00Z');
    await rejected(feb30, lineWith(feb30, 'start: 2026-02-30'), /start: must be an RFC 3339/);
    const hour24 = edit(DEMO, '  - at: 2026-06-01T20:42:00Z', '  - at: 2026-06-01T24:00:00Z');
    await rejected(hour24, lineWith(hour24, 'T24:00:00Z'), /timeline\.4\.at: must be an RFC 3339/);
    const leap = edit(DEMO, '  - at: 2026-06-01T20:42:00Z', '  - at: 2026-06-30T23:59:60Z');
    await rejected(leap, lineWith(leap, 'T23:59:60Z'), /timeline\.4\.at: must be an RFC 3339/);
  });

  it('a number a double does not hold as written (the yaml package would read 12345678901234567890 as ...000) is refused at its line', async () => {
    const text = edit(DEMO, '      unitsRequested: 3\n', '      unitsRequested: 12345678901234567890\n');
    await rejected(
      text,
      lineWith(text, '12345678901234567890'),
      /timeline\[\d+\]\.with\.unitsRequested: 12345678901234567890 cannot be held exactly as a number: it would be stored as 12345678901234567000/,
    );
    const inf = edit(DEMO, '      unitsRequested: 3\n', '      unitsRequested: .inf\n');
    await rejected(inf, lineWith(inf, '.inf'), /unitsRequested: \.inf is not a finite number/);
  });

  it('a timeline running backwards', async () => {
    const text = edit(DEMO, '  - at: 2026-06-01T20:43:00Z', '  - at: 2026-06-01T20:40:00Z');
    await rejected(text, lineWith(text, '2026-06-01T20:40:00Z'), /timeline\.5\.at: 2026-06-01T20:40:00Z is earlier than the step before it/);
    // compared as instants: 20:42:00.500 comes after 20:42:00 though it sorts before it as text
    // (the accept step moves to 20:43:00.500; the commit step after it stays at 20:43:00)
    const backwards = edit(DEMO, '  - at: 2026-06-01T20:42:00Z', '  - at: 2026-06-01T20:43:00.500Z');
    await rejected(
      backwards,
      lineWith(backwards, '  - at: 2026-06-01T20:43:00Z'),
      /timeline\.5\.at: .* is earlier than the step before it \(2026-06-01T20:43:00\.500Z\)/,
    );
    // and the other way round is fine: a step at .500 after one at :00
    const forward = readScenario(write('forward', edit(DEMO, '  - at: 2026-06-01T20:43:00Z', '  - at: 2026-06-01T20:43:00.500Z')));
    assert.ok(forward.steps.some((x) => x.at === '2026-06-01T20:43:00.500Z'));
  });

  it('a step before the start time', async () => {
    const text = edit(DEMO, '  - at: 2026-06-01T20:30:00Z', '  - at: 2026-06-01T19:30:00Z');
    await rejected(text, lineWith(text, '19:30:00Z'), /earlier than the step before it \(2026-06-01T20:00:00Z\)/);
  });

  it('an unknown command type points at `do`', async () => {
    const text = edit(DEMO, '    do: request.commit', '    do: request.comit');
    await rejected(text, lineWith(text, 'do: request.comit'), /invalid command at type/);
  });

  it('a command field missing or malformed is named, on the line of the field (or of its `with`)', async () => {
    const bad = edit(DEMO, '      urgency: immediate\n', '      urgency: whenever\n');
    await rejected(bad, lineWith(bad, 'urgency: whenever'), /invalid command at urgency/);
    // `units` left out of request.commit: the line where the step's `with` block starts
    const missing = edit(DEMO, '      units: [cpd-1231, cpd-1232, cpd-1233]\n      reason: Sector', '      reason: Sector');
    const commit = lineWith(missing, '    do: request.commit');
    await rejected(missing, commit + 2, /invalid command at units/);
    // a field the command does not have
    const extra = edit(DEMO, '      unitsRequested: 3\n', '      unitsRequested: 3\n      priority: high\n');
    await rejected(extra, lineWith(extra, '      requestId: req-001'), /Unrecognized key: "priority"/);
    const actor = edit(
      DEMO,
      '    actor: { agency: city-pd, person: cpd-novak }\n    do: request.report_on_scene',
      '    actor: { agency: city-pd, badge: 12 }\n    do: request.report_on_scene',
    );
    await rejected(actor, lineWith(actor, 'badge: 12'), /timeline\.12\.actor: Unrecognized key: "badge"/);
  });

  it('a command the domain refuses: accepting an unknown request', async () => {
    const text = edit(DEMO, '      requestId: req-001\n      reason: Officers', '      requestId: req-999\n      reason: Officers');
    await rejected(text, lineWith(text, '  - at: 2026-06-01T20:42:00Z'), /request\.accept at 2026-06-01T20:42:00\.000Z: UNKNOWN_ENTITY: .*req-999/);
  });

  it('a command the domain refuses: an order without a rationale', async () => {
    const text = DEMO.replace(/      rationale: >-\n(        .*\n)+/, '      rationale: ""\n');
    assert.notEqual(text, DEMO);
    await rejected(text, lineWith(text, '  - at: 2026-06-01T21:05:00Z'), /order\.issue at .*: ORDER_REASON_REQUIRED/);
  });

  it("a command the domain refuses: an order to a unit outside the issuer's chain of command", async () => {
    const step = [
      '  - at: 2026-06-01T20:50:00Z',
      '    actor: { agency: city-pd, person: cpd-novak }',
      '    do: order.issue',
      '    with: { directive: move, units: [ice-fot3], rationale: Move the federal team back from the gate }',
      '',
    ].join('\n');
    const text = edit(DEMO, '  # the federal member of the unified command', `${step}  # the federal member of the unified command`);
    await rejected(text, lineWith(text, '  - at: 2026-06-01T20:50:00Z'), /NOT_IN_CHAIN_OF_COMMAND: .*ice-fot3/);
  });

  it('a command refused for lack of authority, and a setup the domain refuses', async () => {
    const text = edit(
      DEMO,
      '    actor: { agency: city-pd, person: cpd-chen }\n    do: request.accept\n    with:\n      requestId: req-001',
      '    actor: { agency: city-pd, person: cpd-ortiz }\n    do: request.accept\n    with:\n      requestId: req-001',
    );
    await rejected(text, lineWith(text, '  - at: 2026-06-01T20:42:00Z'), /NOT_AUTHORISED/);
    // a position reporting to one that does not exist, refused when the setup runs
    const setup = edit(DEMO, 'reports_to: city-pd.district-commander, rank: 4', 'reports_to: city-pd.nobody, rank: 4');
    await rejected(setup, lineWith(setup, 'reports_to: city-pd.nobody'), /position\.establish at 2026-06-01T20:00:00\.000Z: .*city-pd\.nobody/);
  });

  it('a wrong expect_refused: refused with another code, or not refused at all', async () => {
    const other = edit(DEMO, 'expect_refused: VERDICT_PROHIBITED', 'expect_refused: NOT_AUTHORISED');
    await rejected(other, lineWith(other, '  - at: 2026-06-01T20:52:00Z'), /refused with VERDICT_PROHIBITED .*expected NOT_AUTHORISED/);
    const accepted = edit(DEMO, '    do: request.commit\n', '    do: request.commit\n    expect_refused: INVALID_TRANSITION\n');
    await rejected(accepted, lineWith(accepted, '  - at: 2026-06-01T20:43:00Z'), /expected to be refused with INVALID_TRANSITION, but it was accepted/);
  });

  it('a notification selector matching nothing, or malformed', async () => {
    const none = edit(
      DEMO,
      'do: notification.deliver\n    with: { notifications: { order: ord-001 } }',
      'do: notification.deliver\n    with: { notifications: { order: ord-999 } }',
    );
    await rejected(none, lineWith(none, '  - at: 2026-06-01T21:06:30Z'), /no notification to fed-ice matches \{"order":"ord-999"\}/);
    // everything was delivered at 21:06:30, so a second delivery at 21:07 finds nothing left to deliver
    const twice = edit(
      DEMO,
      '  - at: 2026-06-01T21:07:10Z\n',
      '  - at: 2026-06-01T21:07:00Z\n    actor: { agency: fed-ice, device: fed-ice-cad }\n    do: notification.deliver\n    with: { notifications: { order: ord-001 } }\n  - at: 2026-06-01T21:07:10Z\n',
    );
    await rejected(twice, lineWith(twice, '  - at: 2026-06-01T21:07:00Z'), /no notification to fed-ice matches/);
    // a person acknowledges only what is addressed to them (or to their agency): the liaison has nothing left
    // once it is acknowledged, even though the supervisor's notices about the same order are there
    const ackTwice = edit(
      DEMO,
      '    actor: { agency: fed-ice, person: ice-santos }\n    do: notification.acknowledge',
      '    actor: { agency: fed-ice, person: ice-whitfield }\n    do: notification.acknowledge',
    );
    await rejected(ackTwice, lineWith(ackTwice, '  - at: 2026-06-01T21:08:00Z'), /no notification to ice-whitfield \(fed-ice\) matches/);
    const malformed = edit(DEMO, 'with: { notifications: { order: ord-001 } }', 'with: { notifications: { ordr: ord-001 } }');
    await rejected(malformed, lineWith(malformed, 'ordr: ord-001'), /notifications: Unrecognized key: "ordr"/);
  });

  it('a protocols directory that does not exist names the file', async () => {
    const text = DEMO.replace(/^protocols: .*$/m, 'protocols: no-such-policies');
    const file = write('no-protocols', text);
    const dir = freshDir();
    const r = await cli(['scenario', 'run', file, '--data', dir]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${file}: protocols:`), r.stderr);
    assert.equal(entriesIn(dir), 0);
  });

  it('readScenario throws BAD_INPUT with the same FILE:LINE: in-process', () => {
    const text = edit(DEMO, '    do: request.commit', '    do: request.comit');
    const file = write('in-process', text);
    assert.throws(
      () => readScenario(file),
      (e: unknown) => isConcordError(e, 'BAD_INPUT') && e.message.startsWith(`${file}:${lineWith(text, 'do: request.comit')}: `),
    );
    assert.throws(
      () => readScenario(join(root.path, 'missing.yaml')),
      (e: unknown) => isConcordError(e, 'NOT_FOUND') && /cannot read scenario .*missing.yaml: no such file or directory/.test(e.message),
    );
  });
});

/** two agencies, no protocols; city's request desk reports to mid, mid to top */
function smallScenario(name: string, start: string, timeline: string, extraPeople = ''): string {
  return `scenario: ${name}
title: ${name}
start: ${start}
agencies:
  - id: city
    name: City
    kind: local
    jurisdiction: City
    positions:
      - { id: city.top, title: Chief }
      - { id: city.mid, title: Commander, reports_to: city.top }
      - { id: city.desk, title: Desk, reports_to: city.mid, handles_requests: true }
    people:
      - { id: c-top, name: Top, positions: [city.top] }
      - { id: c-desk, name: Desk, positions: [city.desk] }
  - id: fed
    name: Fed
    kind: federal
    jurisdiction: US
    positions:
      - { id: fed.boss, title: Boss }
    people:
      - { id: f-boss, name: Boss, positions: [fed.boss] }${extraPeople}
timeline:
${timeline}`;
}

function sendStep(at: string, id: string): string {
  return `  - at: ${at}
    actor: { agency: fed, person: f-boss }
    do: request.send
    with: { requestId: ${id}, incidentId: inc-1, to: city, category: crowd_safety, urgency: urgent, operation: public_order, description: help, unitsRequested: 1 }
`;
}

const OPEN = `  - at: 2026-06-01T20:01:00Z
    actor: { agency: fed, person: f-boss }
    do: incident.open
    with: { incidentId: inc-1, name: Test, location: Here }
`;

describe('replay: deadlines and the dry run', () => {
  it('a request stuck at the top of the chain does not stop another request from escalating', async () => {
    // req-a (urgent, 600 s): desk → mid at 20:12, mid → top at 20:22, then stays at the top with
    // its deadline 20:32 passed; req-b, sent at 20:30, must still escalate at 20:40
    const timeline =
      OPEN +
      sendStep('2026-06-01T20:02:00Z', 'req-a') +
      sendStep('2026-06-01T20:30:00Z', 'req-b') +
      `  - at: 2026-06-01T20:45:00Z
    actor: { agency: city, person: c-desk }
    do: incident.designate_liaison
    with: { incidentId: inc-1, personId: c-desk }
`;
    const scenario = readScenario(write('stuck', smallScenario('stuck', '2026-06-01T20:00:00Z', timeline)));
    for (const until of [undefined, '2026-06-01T20:41:00Z']) {
      const dir = freshDir();
      initNodeDir(dir, 'concord.test/stuck');
      const r = await runScenario(scenario, dir, until ? { until } : {});
      const w = r.service.world;
      assert.deepEqual(
        w.requests['req-a']?.escalations.map((e) => [e.to, e.at]),
        [
          ['city.mid', '2026-06-01T20:12:00.000Z'],
          ['city.top', '2026-06-01T20:22:00.000Z'],
        ],
      );
      assert.deepEqual(
        w.requests['req-b']?.escalations.map((e) => [e.to, e.at]),
        [['city.mid', '2026-06-01T20:40:00.000Z']],
        `until ${until}`,
      );
      assert.equal(r.escalations, 3);
    }
  });

  it('the dry run starts from what the node already holds, so a step the real run would refuse appends nothing', async () => {
    const dir = freshDir();
    initNodeDir(dir, 'concord.test/layers');
    const first = readScenario(write('first', smallScenario('first', '2026-06-01T20:00:00Z', OPEN)));
    await runScenario(first, dir);
    const size = entriesIn(dir);
    assert.ok(size > 0);
    // a later scenario whose setup registers a new agency, then a person id the node already has
    const second = `scenario: second
title: second
start: 2026-06-01T21:00:00Z
agencies:
  - id: county
    name: County
    kind: county
    jurisdiction: County
    people:
      - { id: c-top, name: Someone Else }
`;
    const file = write('second', second);
    const r = await cli(['scenario', 'run', file, '--data', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`${file}:${lineWith(second, '{ id: c-top')}: person.register`), r.stderr);
    assert.equal(entriesIn(dir), size, 'not even the new agency was appended');
    // one that builds on it replays: its dry run sees the incident and the people the node holds
    const third = `scenario: third
title: third
start: 2026-06-01T21:00:00Z
agencies:
  - id: county
    name: County
    kind: county
    jurisdiction: County
    positions:
      - { id: county.sheriff, title: Sheriff, handles_requests: true }
    people:
      - { id: k-sheriff, name: Sheriff, positions: [county.sheriff] }
timeline:
${sendStep('2026-06-01T21:01:00Z', 'req-c').replace('to: city,', 'to: county,')}`;
    const ok = await cli(['scenario', 'run', write('third', third), '--data', dir, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(entriesIn(dir) > size);
    const out = JSON.parse(ok.stdout) as { incidents: Record<string, { requests: { id: string; to: string }[] }> };
    assert.deepEqual(
      out.incidents['inc-1']?.requests.map((r) => [r.id, r.to]),
      [['req-c', 'county']],
    );
    assert.equal((await cli(['verify', dir])).code, 0);
  });
});
