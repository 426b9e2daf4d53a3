/**
 * Entries as the node's own readers see them: with every sealed value the
 * node holds put back in place. The hashed text keeps only commitments
 * (docs/ledger-format.md, "Sealed values"); the projections, the feed and
 * the audiences read the values, exactly as they were before sealing. Only
 * bundles and releases read the hashed text and the disclosures apart.
 */
import { canonicalize } from '../ledger/canonical.ts';
import { commitment, SEALED_KEY } from '../ledger/entry.ts';
import type { EntryFilter, LedgerStore, StoredEntry } from '../store/store.ts';

const MARKER = `"${SEALED_KEY}"`;

/**
 * The entry's text with its disclosed values in place (the hashed text itself
 * when nothing is sealed). RFC 8785 orders keys by name alone, so putting a
 * value in place is putting its canonical text where its marker was: the
 * same text canonicalize would give for the revealed entry, without parsing
 * it. Shallowest first, as a sealed parent's value holds its children's
 * markers.
 */
export async function revealedText(store: LedgerStore, stored: StoredEntry): Promise<string> {
  if (!stored.text.includes(MARKER)) return stored.text;
  const disclosures = await store.disclosures(stored.index);
  let text = stored.text;
  for (const d of disclosures.sort((a, b) => a.path.length - b.path.length)) {
    // a function, so that "$" in the value is never read as a replacement pattern
    text = text.replace(`{${MARKER}:"${commitment(d)}"}`, () => canonicalize(d.value));
  }
  return text;
}

/** store.entries, each with its sealed values in place */
export async function* revealedEntries(store: LedgerStore, from: number, to: number, filter?: EntryFilter): AsyncIterable<StoredEntry> {
  for await (const stored of store.entries(from, to, filter)) {
    yield stored.text.includes(MARKER) ? { index: stored.index, text: await revealedText(store, stored) } : stored;
  }
}
