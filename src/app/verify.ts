/**
 * `concord verify` on a data directory: every entry re-hashed, the tree
 * rebuilt and compared with every stored tile, every signed checkpoint and
 * the checkpoint the node keeps apart from its database, indexes checked for
 * continuity, the columns stored beside each entry checked against its
 * hashed text, every sealed value's disclosure present and checked against
 * its commitment. All of it from one snapshot of the database, so a node
 * appending meanwhile changes nothing that is read. A damaged database is a
 * problem reported in one line, never a crash. Trusts nothing in the
 * directory but the verifier key (and not even that when --key pins one).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConcordError } from '../errors.ts';
import { FILE_LIMITS, readUserFile } from '../files.ts';
import { verifyBundleText } from '../ledger/bundle.ts';
import { looksLikeTlogProof, verifyTlogProofText } from '../ledger/tlog-proof.ts';
import { openCheckpoint } from '../ledger/checkpoint.ts';
import { checkDisclosures, checkEntryText, undisclosed, type Disclosure } from '../ledger/entry.ts';
import { EntryRunReader, type StoredRunResult } from '../store/sqlite/entry-runs.ts';
import type { Hash } from '../ledger/merkle/hash.ts';
import type { Verifier } from '../ledger/note.ts';
import { Report } from '../ledger/report.ts';
import { HASH_SIZE, TileEdge, type TileId } from '../ledger/tiles.ts';
import { SqliteLedgerStore } from '../store/sqlite/ledger-store.ts';
import { KEPT_CHECKPOINT_FILE, openKeptFile, unusableKeptFile, type OpenedKeptFile } from './kept-checkpoint.ts';
import { checkEvidenceText, looksLikeEvidence } from '../ledger/evidence.ts';
import { evaluatePolicy, type WitnessPolicy } from '../ledger/witness-policy.ts';
import { readWitnessedNote, WITNESSED_CHECKPOINT_FILE } from './witness-publisher.ts';
import { isNodeDir, loadVerifier, openNodeDir } from './node-dir.ts';

export interface VerifyOptions {
  /** pinned verifier keys; default: the directory's own key, or the bundle's */
  readonly keys?: readonly Verifier[];
  /** signed checkpoints obtained elsewhere (a witness, an earlier bundle) the log must be consistent with */
  readonly checkpoints?: readonly string[];
  readonly onProgress?: (done: number, total: number) => void;
  /** a witness policy: the checkpoint a bundle rests on (or a node's witnessed checkpoint) must meet it */
  readonly policy?: WitnessPolicy;
}

export async function verifyPath(path: string, opts: VerifyOptions = {}): Promise<Report> {
  if (isNodeDir(path)) {
    const report = await verifyDataDir(path, { ...opts, checkpoints: [...(opts.checkpoints ?? []), ...witnessedOf(path, opts.policy)] });
    if (opts.policy !== undefined) {
      const note = readWitnessedNote(path);
      if (note === undefined) report.problem(WITNESSED_CHECKPOINT_FILE, 'is missing: no checkpoint of this log has been cosigned by its witnesses');
      else checkPolicy(report, WITNESSED_CHECKPOINT_FILE, note, opts.policy, opts.keys ?? [loadVerifier(openNodeDir(path))]);
    }
    return report;
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory())
    throw new ConcordError('BAD_INPUT', `cannot read ${path}: it is a directory but not a Concord data directory`);
  const text = readUserFile(path, 'data directory or bundle', FILE_LIMITS.bundle);
  if (looksLikeEvidence(text)) return verifyEvidence(text, opts.keys ?? []);
  if (looksLikeTlogProof(text)) return verifyTlogProofText(text, opts.keys ?? []);
  const report = verifyBundleText(text, opts.keys ?? [], opts.checkpoints ?? []);
  if (opts.policy !== undefined && report.ok) {
    const note = (JSON.parse(text) as { checkpoint: string }).checkpoint;
    checkPolicy(report, 'bundle.checkpoint', note, opts.policy, opts.keys ?? []);
  }
  return report;
}

/** the witnessed checkpoint, checked against the log like any checkpoint given from outside, when a policy asks for it */
function witnessedOf(dir: string, policy: WitnessPolicy | undefined): string[] {
  const note = policy === undefined ? undefined : readWitnessedNote(dir);
  return note === undefined ? [] : [note];
}

/** k of n cosignatures (ledger/witness-policy.ts); cosignatures by keys the policy does not list never count */
function checkPolicy(report: Report, where: string, note: string, policy: WitnessPolicy, keys: readonly Verifier[]): void {
  const result = evaluatePolicy(note, policy, [...keys, ...policy.logs]);
  report.policy = { satisfied: result.satisfied, cosigned: result.cosigned };
  if (!result.satisfied) report.problem(where, `does not meet the witness policy: ${result.reason ?? 'quorum not met'}`);
}

/** an evidence file: a fork shown is reported as a failed verification of the log, naming the fork */
function verifyEvidence(text: string, keys: readonly Verifier[]): Report {
  const report = new Report('evidence');
  const check = checkEvidenceText(text, keys);
  report.origin = check.origin;
  for (const w of check.warnings) report.warn(w);
  for (const p of check.problems) report.problem('evidence', p.replace(/^evidence[.:]\s*/, ''));
  if (check.kind !== undefined && check.sizes !== undefined) {
    report.checkpoints = 2;
    report.size = Math.max(...check.sizes);
    if (check.fork) {
      report.fork = { kind: check.kind, sizes: check.sizes, ...(check.observer !== undefined ? { observer: check.observer } : {}) };
      report.problem(
        'fork',
        check.kind === 'split-view'
          ? `the log signed two checkpoints of size ${check.sizes[0]} with different roots (a split view)`
          : `the log signed checkpoints at sizes ${check.sizes[0]} and ${check.sizes[1]} and the consistency proof between them fails`,
      );
    }
  }
  return report;
}

function tileName(id: TileId): string {
  return `tile ${id.level}/${id.index}`;
}

export async function verifyDataDir(dir: string, opts: VerifyOptions = {}): Promise<Report> {
  const report = new Report('data-dir');
  const node = openNodeDir(dir);
  report.origin = node.origin;
  const verifiers = opts.keys && opts.keys.length > 0 ? opts.keys : [loadVerifier(node)];
  let store: SqliteLedgerStore;
  try {
    store = SqliteLedgerStore.open({ path: node.dbPath, readonly: true });
  } catch (e) {
    report.problem('ledger.db', (e as Error).message);
    return report;
  }
  try {
    // the kept checkpoint first, then the snapshot: a node signs only what it committed, so the
    // snapshot holds at least what the kept checkpoint says, however it appends meanwhile
    const kept = await readKeptFile(node.dir, verifiers, node.origin);
    store.beginSnapshot();
    return await verifyStore(store, node.dir, node.dbPath, node.origin, verifiers, report, opts, kept);
  } catch (e) {
    // a damaged database (a corrupted page, a value of the wrong type) is a finding, said in one line
    report.problem('ledger.db', `cannot be read: ${String((e as Error).message ?? e).split('\n')[0]}`);
    return report;
  } finally {
    await store.close();
  }
}

/** how often, and how far apart, a kept checkpoint with a damaged slot is read again before the damage is reported */
const KEPT_REREADS = 5;
const KEPT_REREAD_MS = 20;

/**
 * The kept checkpoint's slots, opened. A node signing meanwhile writes a
 * slot in place, and a read may see it half written: a damaged slot is read
 * again a few times before it is taken as damage.
 */
async function readKeptFile(dir: string, verifiers: readonly Verifier[], origin: string): Promise<OpenedKeptFile | Error> {
  for (let reads = 1; ; reads++) {
    let opened: OpenedKeptFile;
    try {
      opened = openKeptFile(readFileSync(join(dir, KEPT_CHECKPOINT_FILE)), verifiers, origin);
    } catch (e) {
      return e as Error;
    }
    if (opened.damaged.length === 0 || reads === KEPT_REREADS) return opened;
    await new Promise((resolve) => setTimeout(resolve, KEPT_REREAD_MS));
  }
}

/** the size the kept checkpoint says now, if it is one of this log's */
async function keptSizeNow(dir: string, verifiers: readonly Verifier[], origin: string): Promise<number | undefined> {
  const opened = await readKeptFile(dir, verifiers, origin);
  return opened instanceof Error ? undefined : opened.latest?.kept.size;
}

async function verifyStore(
  store: SqliteLedgerStore,
  dir: string,
  dbPath: string,
  origin: string,
  verifiers: readonly Verifier[],
  report: Report,
  opts: VerifyOptions,
  kept: OpenedKeptFile | Error,
): Promise<Report> {
  const node = { dir, dbPath, origin };
  {
    if (store.origin !== node.origin) report.problem('ledger.db', `origin is "${store.origin}", concord.json says "${node.origin}"`);
    const size = await store.size();
    report.size = size;

    // checkpoints: each signed by the log, each matching its stored columns; remembered by size
    const roots = new Map<number, { root: Hash; where: string }>();
    for (const cp of await store.checkpoints()) {
      const where = `checkpoint at size ${cp.size}`;
      if (typeof cp.note !== 'string' || !Buffer.isBuffer(cp.root)) {
        report.problem(where, 'its stored note or root is not of the type stored (the row was altered)');
        continue;
      }
      try {
        const opened = openCheckpoint(cp.note, verifiers, node.origin);
        if (!opened.signatures.some((s) => s.name === node.origin && s.type === 'ed25519')) throw new Error('no verified signature by the log');
        if (opened.checkpoint.size !== cp.size || !opened.checkpoint.root.equals(cp.root)) {
          report.problem(where, 'the signed note does not say the size and root stored beside it');
        }
        roots.set(opened.checkpoint.size, { root: opened.checkpoint.root, where });
        report.checkpoints++;
      } catch (e) {
        report.problem(where, `signature or format fails: ${(e as Error).message}`);
      }
    }
    // the checkpoint the node keeps apart from its database: the database cannot take it away silently
    if (kept instanceof Error) {
      report.problem(
        KEPT_CHECKPOINT_FILE,
        (kept as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'is missing: nothing outside the database says what this node signed'
          : `cannot be read: ${kept.message}`,
      );
    } else {
      const where = `kept checkpoint (${KEPT_CHECKPOINT_FILE})`;
      const unusable = unusableKeptFile(kept);
      const latest = kept.latest;
      if (unusable !== undefined || latest === undefined) report.problem(where, `is not a checkpoint this log signed: ${unusable}`);
      else {
        // a slot that holds no checkpoint beside one that does: a write cut short (a power loss), or an edit
        for (const d of kept.damaged) {
          report.problem(
            where,
            `slot ${d.slot + 1} holds no checkpoint of this log (${d.why}): a write cut short by a power loss, or an edit; the node goes on from slot ${latest.slot + 1} and writes over slot ${d.slot + 1} at its next signature`,
          );
        }
        const c = latest.kept;
        const known = roots.get(c.size);
        if (known && !known.root.equals(c.root)) report.problem(where, `forked: the database's checkpoint at size ${c.size} has another root`);
        else if (!known) roots.set(c.size, { root: c.root, where: `${where}, size ${c.size}` });
        // the database stores a checkpoint only after it is kept: one newer than the file now means the file was put back
        // (read again: a node signing meanwhile has moved both on)
        const newest = Math.max(0, ...roots.keys());
        const now = c.size < newest ? await keptSizeNow(node.dir, verifiers, node.origin) : c.size;
        if (now !== undefined && now < newest)
          report.warn(`the kept checkpoint (size ${now}) is older than the newest checkpoint in the database (size ${newest}): it was put back`);
      }
    }
    for (const [i, note] of (opts.checkpoints ?? []).entries()) {
      const where = `--checkpoint #${i + 1}`;
      try {
        const c = openCheckpoint(note, verifiers, node.origin).checkpoint;
        const known = roots.get(c.size);
        if (known && !known.root.equals(c.root)) report.problem(where, `forked: the log's own checkpoint at size ${c.size} has another root`);
        else roots.set(c.size, { root: c.root, where });
        report.checkpoints++;
      } catch (e) {
        report.problem(where, (e as Error).message);
      }
    }
    for (const [cpSize, { where }] of roots) {
      if (cpSize > size) report.problem(where, `the log holds only ${size} entries: entries ${size}..${cpSize - 1} were removed (the log was rolled back)`);
    }
    const checkpointSizes = [...roots.keys()].filter((s) => s <= size).sort((a, b) => a - b);
    const covered = checkpointSizes[checkpointSizes.length - 1] ?? 0;
    // entries no signed checkpoint covers rest on the stored tiles alone, which whoever holds the disk can rewrite
    if (roots.size === 0 && size > 0) report.warn('no signed checkpoint covers this log: run concord checkpoint');
    else if (covered < size) report.warn(`entries ${covered}..${size - 1} are not covered by a signed checkpoint: run concord checkpoint`);

    // one pass over the entries, rebuilding the tiles
    const edge = new TileEdge(0, []);
    let expected = 0;
    let prevReceived = '';
    let stopped = false;
    let nextCp = 0;
    const checkRootAt = (s: number): void => {
      const want = roots.get(s);
      if (!want) return;
      if (!edge.root().equals(want.root)) report.problem(want.where, `root does not match the entries 0..${s - 1} (the log was rewritten or forked)`);
    };
    if (checkpointSizes[0] === 0) {
      checkRootAt(0);
      nextCp = 1;
    }
    const compareTile = async (id: TileId, hashes: Buffer, root: Hash): Promise<void> => {
      report.tiles++;
      const row = store.storedTile(id);
      if (row === undefined) return report.problem(tileName(id), 'is missing');
      if (!Buffer.isBuffer(row.hashes) || !Buffer.isBuffer(row.root))
        return report.problem(tileName(id), 'its stored hashes or root are not bytes (the row was altered)');
      const stored = row.hashes;
      if (stored.equals(hashes)) {
        // the root is what a node rebuilds the level above from when it opens
        if (!row.root.equals(root)) report.problem(tileName(id), 'its stored root is not the hash of its hashes');
        return;
      }
      // same width: name the entry whose hash differs; another width is damage to the tile itself
      if (id.level === 0 && stored.length === hashes.length) {
        for (let i = 0; i < hashes.length / HASH_SIZE; i++) {
          const a = hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
          if (!a.equals(stored.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
            return report.problem(`entry ${id.index * 256 + i}`, `its hash differs from the stored tree (${tileName(id)}): the entry or the tile was altered`);
          }
        }
      }
      report.problem(
        tileName(id),
        `does not match the tree rebuilt from the entries (stored ${stored.length / HASH_SIZE} hashes, rebuilt ${hashes.length / HASH_SIZE})`,
      );
    };

    const RUN = 4096;
    const runs = new EntryRunReader(node.dbPath, node.origin, size);
    const pending: Array<Promise<StoredRunResult>> = [];
    const feed = async (leaves: Hash[]): Promise<void> => {
      if (leaves.length === 0) return;
      // full tiles are compared as they complete; partial ones are never
      // stored (a node derives them from the entries when it opens)
      for (const t of edge.append(leaves)) await compareTile(t.id, t.hashes, t.root);
    };
    const absorb = async (r: StoredRunResult, first: number): Promise<void> => {
      // receive-time order inside a run was checked with the run; across runs, here
      if (r.firstReceived !== '' && r.firstReceived < prevReceived) {
        report.problem(`entry ${first}`, `received ${r.firstReceived} is earlier than the entries before it (${prevReceived})`);
      }
      if (r.lastReceived !== '') prevReceived = r.lastReceived;
      for (const p of r.problems) report.problem(`entry ${p.index}`, p.reason);
      for (const index of r.sealed) {
        const stored = await store.entry(index);
        const checked = stored && typeof stored.text === 'string' ? checkEntryText(stored.text) : undefined;
        if (!checked || !('entry' in checked)) continue;
        let ds: Disclosure[] = [];
        try {
          ds = await store.disclosures(index);
        } catch (e) {
          // a stored value that is not JSON is damage to report, not a reason to crash
          report.problem(`entry ${index}`, `its stored disclosures are unreadable: ${(e as Error).message}`);
        }
        report.disclosures += ds.length;
        const problems = checkDisclosures(checked.entry, ds);
        for (const problem of problems) if (problem) report.problem(`entry ${index}`, problem);
        // a sealed value whose disclosure is gone cannot be read by anyone again: the node's store must hold every one
        if (problems.every((p) => p === undefined)) {
          for (const path of undisclosed(checked.entry, ds))
            report.problem(`entry ${index}`, `the disclosure of its sealed value at ${path} is missing from the store`);
        }
      }
      // feed the tree, stopping at every checkpoint size inside this run
      let leaves: Hash[] = [];
      for (let i = 0; i < r.count; i++) {
        leaves.push(Buffer.from(r.leaves.buffer, r.leaves.byteOffset + i * HASH_SIZE, HASH_SIZE));
        const reached = first + i + 1;
        if (checkpointSizes[nextCp] === reached) {
          await feed(leaves);
          leaves = [];
          checkRootAt(reached);
          nextCp++;
        }
      }
      await feed(leaves);
      report.entries += r.count;
      expected = first + r.count;
      if (r.missing) {
        const found = r.missing.found === undefined ? 'none' : String(r.missing.found);
        report.problem(`entry ${r.missing.expected}`, `is missing: the next stored entry is ${found} (entries were deleted or reordered)`);
        stopped = true;
      }
      opts.onProgress?.(expected, size);
    };
    try {
      let next = 0;
      let absorbed = 0;
      while (!stopped && (next < size || pending.length > 0)) {
        while (next < size && pending.length < runs.parallelism) {
          pending.push(runs.check(next, Math.min(size, next + RUN)));
          next = Math.min(size, next + RUN);
        }
        const r = await (pending.shift() as Promise<StoredRunResult>);
        await absorb(r, absorbed);
        absorbed += RUN;
      }
      await Promise.allSettled(pending);
    } finally {
      await runs.close();
    }
    if (!stopped) {
      // tiles the entries do not make: left behind when entries were removed
      for (const id of store.tilesBeyond(expected)) {
        report.problem(tileName(id), `is stored but ${expected} entries make no such tile: entries after index ${expected - 1} were removed`);
      }
    }
    return report;
  }
}
