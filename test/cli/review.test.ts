/**
 * `concord review timeline|knew|trace|statements` on a node that replayed
 * the demo: the answers the API gives, read as a reviewer from the data
 * directory (in-process); bad input exits 2 with one line on stderr and
 * nothing on stdout. One run goes through the real bin/concord.js.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, isOneLine, spawnCli } from '../helpers/cli.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-cli-review-');
after(() => root.cleanup());
const INCIDENT = 'inc-2026-0601-harrison';

let node: string;
before(async () => {
  node = join(root.path, 'demo');
  const r = await cli(['scenario', 'run', 'scenarios/demo.yaml', '--data', node]);
  assert.equal(r.code, 0, r.stderr);
});

function refused(r: { code: number; stdout: string; stderr: string }, reason: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
  assert.match(r.stderr, reason);
  assert.equal(r.stdout, '');
}

describe('concord review', () => {
  it('knew: the supervisor knew of the withdrawal after acknowledging it, not before its notice', async () => {
    const at = async (t: string): Promise<{ known: { about: { order?: string }; topic: string }[] }> => {
      const r = await cli(['review', 'knew', '--data', node, '--person', 'ice-santos', '--at', t, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as never;
    };
    const about = (f: { about: { order?: string }; topic: string }): boolean => f.about.order === 'ord-001' || f.topic === 'request.units_withdrawn';
    assert.equal((await at('2026-06-01T21:04:59Z')).known.filter(about).length, 0);
    assert.ok((await at('2026-06-01T21:07:11Z')).known.some(about));
    const text = await cli(['review', 'knew', '--data', node, '--agency', 'fed-ice', '--from', '2026-06-01T21:00:00Z', '--until', '2026-06-01T21:10:00Z']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /2026-06-01T21:06:30.000Z {2}order:ord-001/);
  });

  it('timeline: pages with a cursor, filters, and flags skew in text', async () => {
    const first = await cli(['review', 'timeline', '--data', node, '--incident', INCIDENT, '--limit', '5', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const page = JSON.parse(first.stdout) as { items: { index: number }[]; next: number };
    assert.equal(page.items.length, 5);
    const second = await cli(['review', 'timeline', '--data', node, '--incident', INCIDENT, '--limit', '5', '--after', String(page.next), '--json']);
    assert.ok((JSON.parse(second.stdout) as { items: { index: number }[] }).items.every((i) => i.index > page.next));
    const text = await cli(['review', 'timeline', '--data', node, '--incident', INCIDENT, '--type', 'unit.status_changed', '--skew', '1']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /unit\.status_changed {2}by cpd-mdt-1231 \(city-pd\) claimed 2026-06-01T20:43:18Z \(2 s\) SKEW/);
    assert.match(text.stdout, /end of the timeline/);
  });

  it('trace and statements', async () => {
    const r = await cli(['review', 'trace', '--data', node, '--order', 'ord-001']);
    assert.equal(r.code, 0, r.stderr);
    const trace = JSON.parse(r.stdout) as { actor: { person: string }; authority: { basis: { kind: string } }; notified: unknown[] };
    assert.equal(trace.actor.person, 'cpd-harris');
    assert.equal(trace.authority.basis.kind, 'appointment');
    assert.ok(trace.notified.length > 0);
    const s = await cli(['review', 'statements', '--data', node, '--incident', INCIDENT]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /no statements recorded/);
  });

  it('bad input exits 2 with one line', async () => {
    const base = ['--data', node];
    refused(await cli(['review', 'timeline', ...base, '--incident', INCIDENT, '--limit', '0']), /--limit must be a number from 1 to 1000/);
    refused(await cli(['review', 'timeline', ...base, '--incident', INCIDENT, '--after', 'x']), /--after must be a non-negative integer/);
    refused(await cli(['review', 'timeline', ...base, '--incident', INCIDENT, '--from', 'noon']), /--from must be an RFC 3339 time/);
    refused(await cli(['review', 'timeline', ...base, '--incident', 'inc-none']), /incident inc-none does not exist/);
    refused(await cli(['review', 'knew', ...base, '--at', '2026-06-01T21:00:00Z']), /name exactly one subject/);
    refused(await cli(['review', 'knew', ...base, '--person', 'ice-santos']), /a moment \(--at\) or a period/);
    refused(await cli(['review', 'knew', ...base, '--person', 'ice-santos', '--from', '2026-06-01T21:00:00Z']), /needs both --from and --until/);
    refused(await cli(['review', 'knew', ...base, '--person', 'nobody', '--at', '2026-06-01T21:00:00Z']), /person nobody does not exist/);
    refused(await cli(['review', 'trace', ...base]), /name one decision/);
    refused(await cli(['review', 'trace', ...base, '--order', 'ord-none']), /order ord-none does not exist/);
    refused(await cli(['review', 'statements', '--data', join(root.path, 'nothing'), '--incident', INCIDENT]), /not a Concord data directory/);
  });

  it('runs through bin/concord.js', async () => {
    const r = await spawnCli(['review', 'trace', '--data', node, '--request', 'req-001']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { verdict: { policyVersion: string } }).verdict.policyVersion, 'city-pd/2026-01-01');
  });
});
