/**
 * The latest signed checkpoint (GET /checkpoint, public) with its signature
 * checked against the log's key (GET /log/key), and the entries on screen
 * checked against it: each one's leaf hash computed here from the text the
 * feed sent (for a sealed entry, the hashed text, with each value shown
 * checked against its commitment: sealed.ts), its RFC 9162 inclusion proof (GET /v1/proofs/inclusion) walked
 * up to the root the checkpoint signs. The proof's own root and leaf hash
 * are not trusted; only the signed root is.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { EntryLog, LedgerEntry, OnScreen } from '../../shared/entries.ts';
import { fromBase64, parseCheckpoint, parseVerifierKey, verifyCheckpointSignature, type Checkpoint } from './note.ts';
import { leafHash, verifyInclusion } from './inclusion.ts';
import { checkSealed } from './sealed.ts';

/** the node signs a checkpoint every second: an entry not yet covered is asked again after this */
const UNCOVERED_RETRY_MS = 1500;
/** the rows on screen are checked once they have stayed this long */
const SETTLE_MS = 400;
/** at most this many entries are checked at once (the rows a screen shows) */
const MAX_CHECKED = 60;

export interface SignedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** true: the log's key signed it; false: it did not; undefined: this browser has no Ed25519 */
  readonly signed: boolean | undefined;
}

async function text(path: string): Promise<string> {
  const r = await fetch(path, { credentials: 'same-origin' });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.text();
}

async function latestCheckpoint(): Promise<SignedCheckpoint> {
  const [note, vkey] = await Promise.all([text('/checkpoint'), text('/log/key')]);
  const checkpoint = parseCheckpoint(note);
  if (typeof checkpoint === 'string') throw new Error(`the checkpoint cannot be read: ${checkpoint}`);
  const key = parseVerifierKey(vkey);
  if (typeof key === 'string') throw new Error(`the log's key cannot be read: ${key}`);
  return { checkpoint, signed: await verifyCheckpointSignature(checkpoint, key) };
}

export type Check = 'verified' | 'failed';

/**
 * The entry's inclusion, proved from the text the log hashed; for a sealed
 * entry, also each value shown opening its commitment in that text.
 */
async function checkEntry(entry: LedgerEntry, index: number, cp: Checkpoint): Promise<Check> {
  if (entry.sealed !== undefined && !(await checkSealed(entry.sealed.text, entry.text, entry.sealed.disclosures))) return 'failed';
  const r = await fetch(`/v1/proofs/inclusion?index=${index}&size=${cp.size}`, { credentials: 'same-origin' });
  if (!r.ok) return 'failed';
  const p = (await r.json()) as { proof?: unknown };
  if (!Array.isArray(p.proof) || !p.proof.every((h) => typeof h === 'string')) return 'failed';
  const ok = await verifyInclusion(await leafHash(entry.sealed?.text ?? entry.text), index, cp.size, (p.proof as string[]).map(fromBase64), cp.root);
  return ok ? 'verified' : 'failed';
}

/** the entry at ledger index `i` (the log is in index order: a binary search) */
function entryAt(log: EntryLog, i: number): LedgerEntry | undefined {
  const entries = log.entries;
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = entries[mid];
    if (e === undefined) return undefined;
    if (e.index === i) return e;
    if (e.index < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

export interface CheckpointState {
  readonly latest: SignedCheckpoint | undefined;
  readonly error: string | undefined;
  /** the entries on screen, by index: verified against the checkpoint, failed, or not yet covered by it */
  readonly checks: ReadonlyMap<number, Check>;
  readonly onScreen: readonly number[];
  readonly uncovered: number;
}

export function useCheckpoint(log: EntryLog, version: number, onScreen: OnScreen): CheckpointState {
  const latest = useQuery({ queryKey: ['checkpoint'], queryFn: latestCheckpoint, retry: 2 });
  const moving = useSyncExternalStore(onScreen.subscribe, onScreen.get);
  // checked once the rows on screen have settled: scrolling, or a backlog arriving, asks for no proofs
  const [shown, setShown] = useState(moving);
  useEffect(() => {
    const t = setTimeout(() => setShown(moving), SETTLE_MS);
    return () => clearTimeout(t);
  }, [moving]);
  const [checks, setChecks] = useState<{ size: number; byIndex: Map<number, Check> }>({ size: -1, byIndex: new Map() });
  const cp = latest.data?.checkpoint;
  const size = cp?.size ?? -1;
  const wanted = shown.slice(0, MAX_CHECKED);
  const uncovered = wanted.filter((i) => i >= size).length;

  // a newer checkpoint is asked for while entries on screen are beyond the one we have
  useEffect(() => {
    if (uncovered === 0 || latest.isFetching) return undefined;
    const t = setTimeout(() => void latest.refetch(), UNCOVERED_RETRY_MS);
    return () => clearTimeout(t);
  }, [uncovered, latest]);

  useEffect(() => {
    if (cp === undefined) return undefined;
    let cancelled = false;
    const byIndex = checks.size === cp.size ? checks.byIndex : new Map<number, Check>();
    const todo = wanted.filter((i) => i < cp.size && !byIndex.has(i));
    if (todo.length === 0) {
      if (byIndex !== checks.byIndex) setChecks({ size: cp.size, byIndex });
      return undefined;
    }
    void Promise.all(
      todo.map(async (i) => {
        const e = entryAt(log, i);
        return [i, e === undefined ? 'failed' : await checkEntry(e, i, cp).catch((): Check => 'failed')] as const;
      }),
    ).then((done) => {
      if (cancelled) return;
      const next = new Map(byIndex);
      for (const [i, c] of done) next.set(i, c);
      setChecks({ size: cp.size, byIndex: next });
    });
    return () => {
      cancelled = true;
    };
    // wanted is derived from shown; version brings new entry texts
  }, [cp, shown, version, checks]);

  return {
    latest: latest.data,
    error: latest.error?.message,
    checks: checks.size === size ? checks.byIndex : new Map(),
    onScreen: wanted,
    uncovered,
  };
}
