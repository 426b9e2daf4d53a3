/**
 * Writing a small file so that a reader (or a crash) sees the old contents
 * or the new, never a mix: temp file in the same directory, fsync, rename
 * over the target (the commit point), fsync of the directory so the rename
 * itself is durable (Tessera and Sunlight do the same). The node's kept
 * checkpoint, written on every signature, is kept in slots instead
 * (kept-slots.ts).
 */
import { closeSync, constants, fsyncSync, linkSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${++counter}`);
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, constants.O_RDONLY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

function syncDirSync(dir: string): void {
  const d = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

export async function writeFileAtomically(target: string, contents: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = tempName(target);
  try {
    const file = await open(tmp, 'wx', mode);
    try {
      await file.writeFile(contents);
      await file.sync();
    } finally {
      await file.close();
    }
    // commit point: after this rename the new contents are what the file says
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dirname(target));
}

/** a new file `tmp` holding `contents`, on disk (fsynced) before it returns */
function writeTempSync(tmp: string, contents: string | Uint8Array, mode: number): void {
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeFileSync(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomicallySync(target: string, contents: string | Uint8Array, mode = 0o644): void {
  const tmp = tempName(target);
  try {
    writeTempSync(tmp, contents, mode);
    // commit point
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDirSync(dirname(target));
}

/**
 * Creates `target` with `contents` only if it does not exist yet, whole or
 * not at all: the temp file is hard-linked to the target (link fails if the
 * target exists, so two processes making it at once cannot both win).
 * Returns false when the target existed.
 */
export function createFileOnceSync(target: string, contents: string, mode: number): boolean {
  const tmp = tempName(target);
  try {
    writeTempSync(tmp, contents, mode);
    try {
      // commit point: the link makes the complete file appear under its name
      linkSync(tmp, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  syncDirSync(dirname(target));
  return true;
}

/**
 * A lock file, created exclusively and holding this process's pid (kept
 * checkpoints: kept-checkpoint.ts and its thread). Undefined when the file
 * exists already; else the function that removes it (one gone meanwhile,
 * broken by a process that judged this one dead, is left alone).
 */
export function tryLockFile(path: string): (() => void) | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return () => {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
}
