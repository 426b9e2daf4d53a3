/**
 * Sealed entries in the console (web/src/features/checkpoint/sealed.ts and
 * shared/entries.ts): the feed's frame of an entry with sealed fields is
 * read back exactly, and the values shown are checked against the
 * commitments in the text the log hashed, against entries built by the
 * ledger itself (src/ledger/entry.ts). Any value, salt or commitment moved
 * or changed is caught.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { feedEntry } from '../../../src/app/feed.ts';
import { canonicalize } from '../../../src/ledger/canonical.ts';
import { buildEntry, revealBody, type Disclosure } from '../../../src/ledger/entry.ts';
import { canonical, checkSealed } from '../../../web/src/features/checkpoint/sealed.ts';
import { entryOfFrame } from '../../../web/src/shared/entry-frame.ts';

let counter = 0;
const salt = (): Uint8Array => {
  const b = new Uint8Array(16);
  b[0] = ++counter & 0xff;
  b[1] = counter >> 8;
  return b;
};

function sealedEntry(body: Record<string, unknown>, sealed: string[]): { hashed: string; shown: string; disclosures: readonly Disclosure[] } {
  const built = buildEntry(
    { type: 'request.units_withdrawn', actor: { agency: 'city-pd', person: 'cpd-harris' }, incident: 'inc-1', body: body as never, sealed },
    7,
    'test.example/log',
    '2026-06-01T21:05:00.000Z',
    salt,
  );
  return { hashed: built.text, shown: canonicalize({ ...built.entry, body: revealBody(built.entry, built.disclosures) }), disclosures: built.disclosures };
}

const BODY = {
  request: 'req-001',
  units: ['cpd-1231', 'cpd-1232'],
  reason: 'FOT-3 has left the gate; the crowd is "calm" — de-escalation per G.O. 7.03 $1',
  detail: { note: 'stage at Ashland', who: 'Sgt. Novak' },
  count: 2,
};

describe('sealed entries checked in the browser', () => {
  it('canonical JSON is the ledger’s RFC 8785 for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.equal(canonical(v), canonicalize(v as never));
      }),
    );
  });

  it('accepts the values the ledger sealed, nested ones included, and the frame the feed sends reads back exactly', async () => {
    const e = sealedEntry(BODY, ['/reason', '/detail', '/detail/who']);
    assert.ok(await checkSealed(e.hashed, e.shown, e.disclosures));
    const frame = feedEntry(7, e.shown, { text: e.hashed, disclosures: e.disclosures }).message;
    const got = entryOfFrame(frame);
    assert.ok(got, frame);
    assert.equal(got.text, e.shown);
    assert.equal(got.sealed?.text, e.hashed);
    assert.deepEqual(got.sealed?.disclosures, e.disclosures);
    assert.equal((got.body as { reason: string }).reason, BODY.reason);
    // an entry with nothing sealed is its hashed text
    const plain = entryOfFrame(feedEntry(8, sealedEntry(BODY, []).hashed).message);
    assert.equal(plain?.sealed, undefined);
  });

  it('refuses a value changed, a salt changed, commitments swapped, a disclosure dropped or a field shown that was not disclosed', async () => {
    const e = sealedEntry(BODY, ['/reason', '/detail/note']);
    const [reason, note] = e.disclosures as [Disclosure, Disclosure];
    const other = (d: Disclosure, change: Partial<Disclosure>): Disclosure => ({ ...d, ...change });
    // the value shown differs from the one disclosed
    assert.equal(await checkSealed(e.hashed, e.shown.replace('calm', 'hostile'), e.disclosures), false);
    // a disclosure's value or salt altered: it no longer opens its commitment
    assert.equal(await checkSealed(e.hashed, e.shown, [other(reason, { value: 'withdrawn without notice' }), note]), false);
    assert.equal(await checkSealed(e.hashed, e.shown, [other(reason, { salt: note.salt }), note]), false);
    // two disclosures exchanged between fields
    assert.equal(await checkSealed(e.hashed, e.shown, [other(reason, { path: note.path }), other(note, { path: reason.path })]), false);
    // a commitment left shut while the text shows a value
    assert.equal(await checkSealed(e.hashed, e.shown, [reason]), false);
    // the hashed text altered
    assert.equal(await checkSealed(e.hashed.replace('cpd-1232', 'cpd-1233'), e.shown, e.disclosures), false);
  });

  it('a frame whose sealed part is not what the server writes is not read', () => {
    const e = sealedEntry(BODY, ['/reason']);
    const frame = feedEntry(7, e.shown, { text: e.hashed, disclosures: e.disclosures }).message;
    assert.equal(entryOfFrame(frame.replace('"sealed":{"disclosures":[', '"sealed":{"disclosures":[1,')), undefined);
    assert.equal(entryOfFrame(`${frame.slice(0, -1)},"extra":1}`), undefined);
  });
});
