/**
 * The layout of the kept-checkpoint file (kept-checkpoint.ts): two slots of
 * SLOT_BYTES each, every slot a signed note followed by zero bytes to its
 * end, or zeros only (empty). A new checkpoint is written over the slot that
 * does not hold the latest one, in place, and made durable with one
 * fdatasync: the file never changes size or name, so nothing but the slot's
 * block goes to the disk (a temp file, a rename and a directory fsync took
 * three times as long, and made each signature wait for the file system's
 * journal). A write cut short by a power loss damages only the slot it was
 * writing; the other still holds the latest checkpoint kept before it.
 *
 * A file without any zero byte is one note alone: the layout before the
 * slots, and what a person writes by hand. Its first swap writes slot 2,
 * and the file becomes two slots.
 *
 * What is here is plain bytes and the compare-and-swap over them, without
 * signatures: the kept-checkpoint thread runs it as it is. Which slot holds
 * a checkpoint of this log is decided by whoever has the verifier
 * (kept-checkpoint.ts).
 */
import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';

export const SLOT_BYTES = 4096;
/** the size of a kept-checkpoint file in slots */
export const SLOTTED_FILE_BYTES = 2 * SLOT_BYTES;

/** what one slot holds: a note (not yet checked), nothing, or bytes that are neither */
export type Slot = { readonly note: string } | { readonly empty: true } | { readonly damaged: string };

function slotOf(bytes: Buffer): Slot {
  const end = bytes.indexOf(0);
  if (end === 0) return bytes.every((b) => b === 0) ? { empty: true } : { damaged: 'it holds bytes after its end' };
  if (end > 0 && !bytes.subarray(end).every((b) => b === 0)) return { damaged: 'it holds bytes after the note' };
  const text = bytes.subarray(0, end < 0 ? bytes.length : end);
  const note = text.toString('utf8');
  if (!Buffer.from(note, 'utf8').equals(text)) return { damaged: 'it is not UTF-8' };
  return { note };
}

/**
 * The file's slots, in order: one note alone (no zero byte in the file), or
 * two slots. A file of any other length was cut or extended: each slot
 * then says so.
 */
export function slotsOfFile(file: Buffer): Slot[] {
  if (!file.includes(0)) return [file.length < SLOT_BYTES ? slotOf(file) : { damaged: `the file is ${file.length} bytes, too long for one note` }];
  if (file.length !== SLOTTED_FILE_BYTES) {
    const why: Slot = { damaged: `the file is ${file.length} bytes, not two slots of ${SLOT_BYTES}` };
    return [why, why];
  }
  return [slotOf(file.subarray(0, SLOT_BYTES)), slotOf(file.subarray(SLOT_BYTES))];
}

/** a slot's bytes: the note, then zeros to its end */
export function slotBytes(note: string): Buffer {
  const length = Buffer.byteLength(note, 'utf8');
  if (length >= SLOT_BYTES || note.includes('\0')) throw new Error(`a kept checkpoint of ${length} bytes does not fit its slot of ${SLOT_BYTES}`);
  const bytes = Buffer.alloc(SLOT_BYTES);
  bytes.write(note, 'utf8');
  return bytes;
}

/** a new kept-checkpoint file: `note` in slot 1, slot 2 empty */
export function newSlottedFile(note: string): Buffer {
  return Buffer.concat([slotBytes(note), Buffer.alloc(SLOT_BYTES)]);
}

/** the size a note says (its second line), unchecked; -1 when it says none */
function claimedSize(note: string): number {
  const line = /^[^\n]*\n(\d{1,16})\n/.exec(note)?.[1];
  return line === undefined ? -1 : Number(line);
}

/**
 * The slot a swap from `expected` writes into: the one not holding it, when
 * `expected` is the newest note there (by the size each says) and the other
 * slot is empty or older. Undefined when the file holds anything else: the
 * caller opens the slots, and goes on only if `expected` is still the
 * latest checkpoint of the log there (naming the slot to write, `into`).
 */
export function swapTarget(slots: readonly Slot[], expected: string): number | undefined {
  const at = slots.findIndex((s) => 'note' in s && s.note === expected);
  if (at < 0) return undefined;
  const target = 1 - at;
  const other = slots[target];
  if (other === undefined || 'empty' in other) return target;
  return 'note' in other && claimedSize(other.note) < claimedSize(expected) ? target : undefined;
}

/** the slot to write when the caller has opened the file and found `expected` still the latest beside the other (damaged, or not this log's) */
export interface SlotNamed {
  readonly slot: number;
  /** the file's bytes as the caller read them: written only if it still holds exactly these */
  readonly seen: Uint8Array;
}

export type SwapResult = { readonly written: true } | { readonly current: Buffer };

/** the slot a swap writes for the file as read (swapTarget, or the one `into` names if the file is as the caller saw it) */
function slotToWrite(current: Buffer, expected: string, into: SlotNamed | undefined): number | undefined {
  if (into !== undefined) return current.equals(into.seen) ? into.slot : undefined;
  return swapTarget(slotsOfFile(current), expected);
}

/**
 * The compare-and-swap on the file at `path`, synchronously (on the
 * kept-checkpoint thread), under the lock the caller holds: `note` written
 * over the slot slotToWrite names and fdatasynced (the commit point of a
 * signature); else nothing is written and the file's bytes are returned
 * for the caller to open.
 */
export function swapSlotSync(path: string, expected: string, note: string, into?: SlotNamed): SwapResult {
  const current = readFileSync(path);
  const target = slotToWrite(current, expected, into);
  if (target === undefined) return { current };
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, slotBytes(note), 0, SLOT_BYTES, target * SLOT_BYTES);
    // the slot's data (and, the first time after a one-note file, the file's new size): no rename, no journal commit
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { written: true };
}

/** swapSlotSync without blocking the thread: the main thread's way, while the node has not started its kept-checkpoint thread */
export async function swapSlot(path: string, expected: string, note: string, into?: SlotNamed): Promise<SwapResult> {
  const current = await readFile(path);
  const target = slotToWrite(current, expected, into);
  if (target === undefined) return { current };
  const file = await open(path, 'r+');
  try {
    await file.write(slotBytes(note), 0, SLOT_BYTES, target * SLOT_BYTES);
    await file.datasync();
  } finally {
    await file.close();
  }
  return { written: true };
}
