/**
 * A log held in memory (entries built with buildEntry, a MemoryTree, a
 * deterministic signer), for testing the pure bundle verifier without a store.
 */
import { createHash } from 'node:crypto';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { BUNDLE_FORMAT, type Bundle, type BundleEntry } from '../../src/ledger/bundle.ts';
import { buildEntry, type BuiltEntry, type EntryDraft } from '../../src/ledger/entry.ts';
import { MemoryTree } from '../../src/ledger/merkle/memory-tree.ts';
import { generateSigner, parseSignerKey, parseVerifierKey, type Signer, type Verifier } from '../../src/ledger/note.ts';

export interface MemoryLog {
  readonly origin: string;
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly built: readonly BuiltEntry[];
  readonly tree: MemoryTree;
  /** the signed checkpoint note at `size` (default: all entries) */
  checkpoint(size?: number, root?: Buffer): string;
  /** a bundle of `indexes` against the checkpoint at `size`, with consistency proofs from `history` sizes */
  bundle(indexes: readonly number[], opts?: { size?: number; history?: readonly number[]; disclosures?: boolean }): Bundle;
}

export function seeded(label: string): Uint8Array {
  return createHash('sha256').update(label).digest();
}

export function memoryLog(
  n: number,
  drafts: (i: number) => EntryDraft,
  opts: { origin?: string; seed?: string; received?: (i: number) => string } = {},
): MemoryLog {
  const origin = opts.origin ?? 'concord.test.example/memory';
  const seed = opts.seed ?? 'log';
  const signer = parseSignerKey(generateSigner(origin, seeded(seed)).signerKey);
  const verifier = parseVerifierKey(signer.verifierKey);
  let saltN = 0;
  const salt = (): Uint8Array => seeded(`salt ${saltN++}`).subarray(0, 16);
  const start = Date.parse('2026-06-01T21:00:00.000Z');
  const received = opts.received ?? ((i: number) => new Date(start + i * 1000).toISOString());
  const built = Array.from({ length: n }, (_, i) => buildEntry(drafts(i), i, origin, received(i), salt));
  const tree = new MemoryTree();
  for (const b of built) tree.appendEntry(Buffer.from(b.text, 'utf8'));
  const checkpoint = (size = n, root?: Buffer): string => signCheckpoint({ origin, size, root: root ?? tree.root(size), extensions: [] }, signer);
  return {
    origin,
    signer,
    verifier,
    built,
    tree,
    checkpoint,
    bundle(indexes, opts = {}) {
      const size = opts.size ?? n;
      const entries: BundleEntry[] = indexes.map((index) => {
        const b = built[index] as BuiltEntry;
        return {
          index,
          entry: b.text,
          inclusion_proof: tree.inclusionProof(index, size).map((h) => h.toString('base64')),
          ...(opts.disclosures !== false && b.disclosures.length > 0 ? { disclosures: b.disclosures } : {}),
        };
      });
      const consistency = (opts.history ?? []).map((old) => ({
        checkpoint: checkpoint(old),
        proof: tree.consistencyProof(old, size).map((h) => h.toString('base64')),
      }));
      return {
        format: BUNDLE_FORMAT,
        checkpoint: checkpoint(size),
        verifier_keys: [verifier.verifierKey],
        entries,
        ...(consistency.length > 0 ? { consistency } : {}),
      };
    },
  };
}
