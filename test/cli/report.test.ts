/**
 * `concord report ...` on a node that replayed the demo: real files (a PDF
 * read back by pdftotext, CSV by csv-parse), written outside the data
 * directory only; bad input exits 2 with one line and writes nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { cli, isOneLine } from '../helpers/cli.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-cli-report-');
after(() => root.cleanup());
const INCIDENT = 'inc-2026-0601-harrison';
const PDFTOTEXT = '/usr/bin/pdftotext';

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

describe('concord report', () => {
  it(
    'after-action as PDF: the request, the withdrawal order and the checkpoint it rests on',
    { skip: !existsSync(PDFTOTEXT) && `${PDFTOTEXT} is missing` },
    async () => {
      const out = join(root.path, 'aar.pdf');
      const r = await cli(['report', 'after-action', '--data', node, '--incident', INCIDENT, '--out', out, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout) as { bytes: number; basis: { checkpoint: { size: number }; asOfIndex: number } };
      assert.ok(summary.basis.checkpoint.size > summary.basis.asOfIndex);
      assert.equal(readFileSync(out).subarray(0, 8).toString('latin1'), '%PDF-1.4');
      const text = execFileSync(PDFTOTEXT, ['-raw', out, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
      for (const s of ['req-001', 'ord-001', 'withdraw', `signedcheckpointofsize${summary.basis.checkpoint.size}`]) assert.ok(text.includes(s), s);
    },
  );

  it('compliance as CSV, and ICS 213RR and 214 as HTML', async () => {
    const csv = join(root.path, 'compliance.csv');
    const r = await cli([
      'report',
      'compliance',
      '--data',
      node,
      '--to',
      'city-pd',
      '--from-kind',
      'federal',
      '--from',
      '2026-01-01T00:00:00Z',
      '--until',
      '2027-01-01T00:00:00Z',
      '--format',
      'csv',
      '--out',
      csv,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rows = parse(readFileSync(csv, 'utf8')) as string[][];
    assert.ok(rows.some((row) => row[0] === 'req-001'));
    const html = join(root.path, '213rr.html');
    assert.equal(
      (await cli(['report', 'ics-213rr', '--data', node, '--request', 'req-001', '--format', 'html', '--tz', 'America/Chicago', '--out', html])).code,
      0,
    );
    assert.match(readFileSync(html, 'utf8'), /ICS 213RR Resource Request: req-001[\s\S]*CDT/);
    const log = join(root.path, '214.html');
    const u = await cli(['report', 'ics-214', '--data', node, '--incident', INCIDENT, '--person', 'cpd-harris', '--format', 'html', '--out', log]);
    assert.equal(u.code, 0, u.stderr);
    assert.match(readFileSync(log, 'utf8'), /ICS 214 Activity Log/);
  });

  it('refuses bad input in one line and writes nothing', async () => {
    const out = join(root.path, 'never.pdf');
    refused(await cli(['report', 'after-action', '--data', node, '--incident', INCIDENT, '--out', join(node, 'ledger.db')]), /inside the data directory/);
    refused(
      await cli(['report', 'after-action', '--data', node, '--incident', INCIDENT, '--out', out, '--format', 'docx']),
      /--format must be one of pdf, html, csv/,
    );
    refused(
      await cli(['report', 'after-action', '--data', node, '--incident', INCIDENT, '--out', out, '--tz', 'Mars/Olympus']),
      /--tz: time zone "Mars\/Olympus"/,
    );
    refused(await cli(['report', 'ics-214', '--data', node, '--incident', INCIDENT, '--out', out]), /exactly one of --unit U or --person P/);
    refused(
      await cli([
        'report',
        'compliance',
        '--data',
        node,
        '--to',
        'city-pd',
        '--from-kind',
        'martian',
        '--from',
        '2026-01-01T00:00:00Z',
        '--until',
        '2027-01-01T00:00:00Z',
        '--out',
        out,
      ]),
      /--from-kind must be one of/,
    );
    refused(
      await cli([
        'report',
        'compliance',
        '--data',
        node,
        '--to',
        'city-pd',
        '--from-kind',
        'federal',
        '--from',
        '2026-02-30T00:00:00Z',
        '--until',
        '2027-01-01T00:00:00Z',
        '--out',
        out,
      ]),
      /from/,
    );
    assert.equal(existsSync(out), false);
  });

  it('an unknown incident or request: exit 2, one line, nothing written', async () => {
    const out = join(root.path, 'none.pdf');
    const r = await cli(['report', 'ics-213rr', '--data', node, '--request', 'req-nope', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(isOneLine(r.stderr));
    assert.equal(existsSync(out), false);
  });
});
