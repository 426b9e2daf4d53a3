/**
 * The kept checkpoint's two slots: what a file says, which slot a swap
 * writes, and, as a property, that a write cut anywhere leaves the latest
 * checkpoint kept before it readable.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  newSlottedFile,
  SLOT_BYTES,
  SLOTTED_FILE_BYTES,
  slotBytes,
  slotsOfFile,
  swapSlot,
  swapSlotSync,
  swapTarget,
  type Slot,
} from '../../src/app/kept-slots.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-slots-');
after(() => root.cleanup());

/** a stand-in for a signed note at `size` (the slots never read signatures) */
const note = (size: number): string => `example.org/log\n${size}\nroot${size}=\n\n— example.org/log sig${size}\n`;
const notes = (slots: Slot[]): Array<string | undefined> => slots.map((s) => ('note' in s ? s.note : undefined));

describe('kept-checkpoint slots', () => {
  it('a file is two slots of notes padded with zeros, or one note alone', () => {
    assert.deepEqual(notes(slotsOfFile(newSlottedFile(note(0)))), [note(0), undefined]);
    assert.deepEqual(slotsOfFile(newSlottedFile(note(0)))[1], { empty: true });
    assert.deepEqual(notes(slotsOfFile(Buffer.from(note(5)))), [note(5)]);
    assert.equal(newSlottedFile(note(0)).length, SLOTTED_FILE_BYTES);
  });

  it('anything else in a slot is damage, said why', () => {
    const file = newSlottedFile(note(3));
    file[SLOT_BYTES - 1] = 1;
    assert.deepEqual(slotsOfFile(file)[0], { damaged: 'it holds bytes after the note' });
    const second = newSlottedFile(note(3));
    second[SLOT_BYTES + 9] = 65;
    assert.deepEqual(slotsOfFile(second)[1], { damaged: 'it holds bytes after its end' });
    const cut = newSlottedFile(note(3)).subarray(0, 5000);
    assert.match(JSON.stringify(slotsOfFile(cut)), /the file is 5000 bytes, not two slots of 4096/);
    assert.match(JSON.stringify(slotsOfFile(Buffer.alloc(5000, 65))), /too long for one note/);
    const latin = newSlottedFile(note(3));
    latin[2] = 0xff;
    assert.deepEqual(slotsOfFile(latin)[0], { damaged: 'it is not UTF-8' });
    assert.throws(() => slotBytes('x'.repeat(SLOT_BYTES)), /does not fit its slot/);
  });

  it('a swap writes over the slot not holding the latest, only when the latest is the note expected', () => {
    const slots = (a?: number, b?: number): Slot[] => [a, b].map((n) => (n === undefined ? { empty: true as const } : { note: note(n) }));
    assert.equal(swapTarget(slots(0), note(0)), 1);
    assert.equal(swapTarget(slots(4, 7), note(7)), 0);
    assert.equal(swapTarget(slots(4, 7), note(4)), undefined, 'slot 2 holds a later one: another process signed');
    assert.equal(swapTarget(slots(4, 7), note(5)), undefined, 'not in the file at all');
    assert.equal(swapTarget([{ note: note(2) }], note(2)), 1, 'one note alone: slot 2 is written');
    assert.equal(swapTarget([{ note: note(9) }, { damaged: 'x' }], note(9)), undefined, 'a damaged slot is written over only when named');
  });

  it('a slot named by the caller is written only if the file is still as the caller saw it', () => {
    const path = join(root.path, 'named');
    const damaged = newSlottedFile(note(9));
    damaged[SLOT_BYTES + 5] = 1;
    writeFileSync(path, damaged);
    assert.ok('current' in swapSlotSync(path, note(9), note(10)), 'not named: the damaged slot is left for the caller to judge');
    // another process wrote the slot meanwhile: the file is not as seen, nothing is written
    const seen = readFileSync(path);
    writeFileSync(path, Buffer.concat([slotBytes(note(9)), slotBytes(note(11))]));
    assert.ok('current' in swapSlotSync(path, note(9), note(10), { slot: 1, seen }));
    assert.deepEqual(notes(slotsOfFile(readFileSync(path))), [note(9), note(11)]);
    writeFileSync(path, damaged);
    assert.deepEqual(swapSlotSync(path, note(9), note(10), { slot: 1, seen: readFileSync(path) }), { written: true });
    assert.deepEqual(notes(slotsOfFile(readFileSync(path))), [note(9), note(10)]);
  });

  it("the main thread's swap (without blocking) writes the slots the thread's does", async () => {
    const sync = join(root.path, 'sync');
    const async = join(root.path, 'async');
    for (const path of [sync, async]) writeFileSync(path, newSlottedFile(note(0)));
    for (let size = 1; size <= 3; size++) {
      assert.deepEqual(swapSlotSync(sync, note(size - 1), note(size)), { written: true });
      assert.deepEqual(await swapSlot(async, note(size - 1), note(size)), { written: true });
    }
    assert.ok(readFileSync(async).equals(readFileSync(sync)));
    assert.ok('current' in (await swapSlot(async, note(1), note(9))), 'not the latest: nothing written');
    assert.ok(readFileSync(async).equals(readFileSync(sync)));
  });

  it('property: a write cut anywhere leaves the latest checkpoint kept before it, or the new one', () => {
    const path = join(root.path, 'checkpoint');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.nat(SLOT_BYTES), (swaps, cutAt) => {
        writeFileSync(path, newSlottedFile(note(0)));
        for (let size = 1; size <= swaps; size++) assert.deepEqual(swapSlotSync(path, note(size - 1), note(size)), { written: true });
        // the next write cut after `cutAt` bytes of its slot: the power went out
        const file = readFileSync(path);
        const target = swapTarget(slotsOfFile(file), note(swaps));
        assert.notEqual(target, undefined);
        slotBytes(note(swaps + 1)).copy(file, target! * SLOT_BYTES, 0, cutAt);
        const readable = notes(slotsOfFile(file)).filter((n) => n !== undefined);
        const latest = readable.map((n) => Number(n!.split('\n')[1])).sort((x, y) => y - x)[0];
        assert.ok(latest === swaps || latest === swaps + 1, `latest ${latest} after ${swaps} swaps and a cut at ${cutAt}`);
        assert.ok(readable.includes(note(swaps)) || latest === swaps + 1);
      }),
      { numRuns: 200 },
    );
  });
});
