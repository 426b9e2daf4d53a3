/**
 * The reports on the demo over real HTTP (issue 19's acceptance): the
 * after-action report names the request, its verdict and clauses, the
 * commitment of units, the withdrawal order with its authority and reason,
 * and when fed-ice was notified and acknowledged; PDFs are read back with
 * poppler's pdftotext, their first page rendered to PNG under
 * test-results/reports/; CSVs parse with csv-parse; the HTML page comes
 * with a CSP that allows nothing but its own style. Agency boundaries and
 * bad input as for every read.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { ROOT } from '../../bin/dist.js';
import type { IncidentView } from '../../src/domain/incident-view.ts';
import { serveDemo, type Client, type ServedNode } from '../helpers/server.ts';

const INCIDENT = 'inc-2026-0601-harrison';
const PDFTOTEXT = '/usr/bin/pdftotext';
const PDFTOPPM = '/usr/bin/pdftoppm';
const SHOTS = join(ROOT, 'test-results', 'reports');
const noPoppler = !existsSync(PDFTOTEXT) && `${PDFTOTEXT} is missing (npm test installs poppler-utils: bin/ensure-test-tools.js)`;

let node: ServedNode;
let liu: Client;
let chen: Client;
let santos: Client;
let view: IncidentView;
let work: string;

async function file(client: Client, path: string, status = 200): Promise<Response> {
  const r = await client.get(path);
  if (r.status !== status) assert.fail(`${client.login} GET ${path}: ${r.status} ${await r.text()}`);
  return r;
}

/** the PDF's text in content order, all whitespace squeezed out (a cell's text may wrap anywhere) */
function pdfText(bytes: Buffer, name: string): string {
  const path = join(work, `${name}.pdf`);
  writeFileSync(path, bytes);
  return execFileSync(PDFTOTEXT, ['-raw', path, '-'], { encoding: 'utf8' });
}
const squeeze = (s: string): string => s.replace(/\s+/g, '');

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'concord-reports-'));
  mkdirSync(SHOTS, { recursive: true });
  node = await serveDemo();
  [liu, chen, santos] = await Promise.all([node.as('liu'), node.as('chen'), node.as('santos')]);
  view = (await (await file(liu, `/v1/incidents/${INCIDENT}`)).json()) as IncidentView;
});
after(async () => {
  await node.stop();
  node.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('after-action report', () => {
  it(
    'names the request, its verdict and clauses, the commitment, the withdrawal order with its authority and reason, and when fed-ice was notified and acknowledged',
    { skip: noPoppler },
    async () => {
      const r = await file(liu, `/v1/reports/after-action?incident=${INCIDENT}`);
      assert.equal(r.headers.get('content-type'), 'application/pdf');
      assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename="after-action-inc-2026-0601-harrison-at-\d+\.pdf"$/);
      const pdf = Buffer.from(await r.arrayBuffer());
      const text = squeeze(pdfText(pdf, 'after-action'));
      const request = view.requests.find((q) => q.id === 'req-001');
      assert.ok(request?.verdict, 'the demo request has a verdict');
      assert.ok(text.includes('req-001'));
      for (const c of request.verdict.clauses) assert.ok(text.includes(squeeze(c.id)), `clause ${c.id}`);
      assert.ok(text.includes(squeeze(request.verdict.policyVersion)));
      for (const u of request.units) assert.ok(text.includes(u.unit ?? ''), `committed unit ${JSON.stringify(u)}`);
      const order = view.orders.find((o) => o.directive === 'withdraw');
      assert.ok(order, 'the demo has a withdrawal order');
      assert.ok(text.includes(order.id));
      assert.ok(text.includes(squeeze(order.rationale)), 'the order rationale');
      assert.ok(text.includes(squeeze(order.authority.kind === 'position' ? `position ${order.authority.position}` : order.authority.kind)), 'the authority');
      // fed-ice's notice of the withdrawal: when it was sent and when it was acknowledged (UTC by default)
      const notice = view.notifications.find((n) => n.recipient.agency === 'fed-ice' && n.acknowledgedAt !== undefined);
      assert.ok(notice?.acknowledgedAt);
      const utc = (iso: string): string => `${iso.slice(0, 10)}${iso.slice(11, 19)}UTC`;
      assert.ok(text.includes(utc(notice.createdAt)), `notified at ${notice.createdAt}`);
      assert.ok(text.includes(utc(notice.acknowledgedAt)), `acknowledged at ${notice.acknowledgedAt}`);
      // what it was built on, on every page
      const size = r.headers.get('concord-checkpoint-size');
      assert.ok(text.includes(squeeze(`signed checkpoint of size ${size}`)));
      assert.ok(text.includes(squeeze(`concord export bundle --incident ${INCIDENT}`)));
      assert.ok(text.includes('Areasforimprovement'));
      if (existsSync(PDFTOPPM)) {
        writeFileSync(join(SHOTS, 'after-action.pdf'), pdf);
        execFileSync(PDFTOPPM, ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', join(SHOTS, 'after-action.pdf'), join(SHOTS, 'after-action-page1')]);
        assert.ok(existsSync(join(SHOTS, 'after-action-page1.png')));
      }
    },
  );

  it('shows times in the time zone asked for', { skip: noPoppler }, async () => {
    const r = await file(liu, `/v1/reports/after-action?incident=${INCIDENT}&tz=America/Chicago`);
    assert.match(pdfText(Buffer.from(await r.arrayBuffer()), 'after-action-chicago'), /2026-06-01 \d\d:\d\d:\d\d CDT/);
  });

  it('as CSV: the key decisions, read back by csv-parse', async () => {
    const r = await file(liu, `/v1/reports/after-action?incident=${INCIDENT}&format=csv`);
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
    const rows = parse(await r.text()) as string[][];
    assert.deepEqual(rows[0], ['Time', 'Who', 'Decision', 'Authority', 'Reason', 'Entry']);
    assert.ok(rows.some((row) => row[2]?.startsWith('order ') && row[2].endsWith(': withdraw')));
  });

  it('as HTML: inline, under a CSP that allows its own style and nothing else', async () => {
    const r = await file(liu, `/v1/reports/after-action?incident=${INCIDENT}&format=html`);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    const html = await r.text();
    assert.match(html, /<h1>After-action report: /);
    assert.doesNotMatch(html, /<script/);
  });
});

describe('ICS forms and the compliance report', () => {
  it('ICS 213RR of the demo request', { skip: noPoppler }, async () => {
    const r = await file(chen, '/v1/reports/ics-213rr?request=req-001');
    const text = squeeze(pdfText(Buffer.from(await r.arrayBuffer()), 'ics-213rr'));
    assert.ok(text.includes('ICS213RRResourceRequest:req-001'));
    assert.ok(text.includes(squeeze(view.requests.find((q) => q.id === 'req-001')?.description ?? '?')));
  });

  it('ICS 214 of a committed unit: its activity, entry by entry', async () => {
    const unit = view.requests.find((q) => q.id === 'req-001')?.units[0]?.unit;
    assert.ok(unit);
    const rows = parse(await (await file(chen, `/v1/reports/ics-214?incident=${INCIDENT}&unit=${unit}&format=csv`)).text()) as string[][];
    assert.deepEqual(rows[0], ['Date/time (server)', 'Claimed by source', 'By', 'Notable activity', 'Entry']);
    assert.ok(rows.length > 2, `${rows.length - 1} activities`);
    assert.ok(rows.slice(1).every((row) => /^\d+$/.test(row[4] ?? '')));
  });

  it("compliance: city-pd's requests from federal agencies, as a city would report them", async () => {
    const rows = parse(
      await (await file(chen, '/v1/reports/compliance?fromKind=federal&from=2026-01-01T00:00:00Z&until=2027-01-01T00:00:00Z&format=csv')).text(),
    ) as string[][];
    assert.equal(rows[0]?.[0], 'Request');
    const req = rows.find((row) => row[0] === 'req-001');
    assert.ok(req, 'req-001 is listed');
    assert.match(req[5] ?? '', /policy/);
  });
});

describe('boundaries and bad input', () => {
  it("a member reports on its own agency's requests only", async () => {
    const r = await chen.get('/v1/reports/compliance?to=fed-ice&fromKind=local&from=2026-01-01T00:00:00Z&until=2027-01-01T00:00:00Z');
    assert.equal(r.status, 403);
    assert.match(r.headers.get('content-type') ?? '', /problem\+json/);
  });

  it('an unknown request or incident is 404, as one the caller may not read would be', async () => {
    assert.equal((await chen.get('/v1/reports/ics-213rr?request=req-nope')).status, 404);
    assert.equal((await santos.get('/v1/reports/after-action?incident=inc-nope')).status, 404);
  });

  it('refuses bad input with the field named, and anyone not logged in', async () => {
    for (const [path, field] of [
      [`/v1/reports/after-action?incident=${INCIDENT}&format=docx`, 'query.format'],
      [`/v1/reports/after-action?incident=${INCIDENT}&tz=Mars/Olympus`, 'time zone'],
      [`/v1/reports/after-action?incident=${INCIDENT}&colour=red`, 'query.colour'],
      [`/v1/reports/ics-214?incident=${INCIDENT}`, 'query.unit'],
      ['/v1/reports/compliance?fromKind=federal&from=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'query.until'],
      ['/v1/reports/compliance?fromKind=martian&from=2026-01-01T00:00:00Z&until=2027-01-01T00:00:00Z', 'query.fromKind'],
    ] as const) {
      const r = await liu.get(path);
      assert.equal(r.status, 400, path);
      const problem = (await r.json()) as { detail: string };
      assert.ok(problem.detail.includes(field), `${path}: ${problem.detail}`);
    }
    const anonymous = await fetch(`${node.url}/v1/reports/after-action?incident=${INCIDENT}`);
    assert.equal(anonymous.status, 401);
  });
});
