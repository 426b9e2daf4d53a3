/**
 * Entries as the node's own readers see them: with every sealed value the
 * node holds put back in place. The hashed text keeps only commitments
 * (docs/ledger-format.md, "Sealed values"); the projections, the feed and
 * the audiences read the values, exactly as they were before sealing. Only
 * bundles and releases read the hashed text and the disclosures apart.
 */
import { canonicalize } from '../ledger/canonical.ts';
import { revealBody, SEALED_KEY, type Entry } from '../ledger/entry.ts';
import type { EntryFilter, LedgerStore, StoredEntry } from '../store/store.ts';

const MARKER = `"${SEALED_KEY}"`;

/** the entry's text with its disclosed values in place (the hashed text itself when nothing is sealed) */
export async function revealedText(store: LedgerStore, stored: StoredEntry): Promise<string> {
  if (!stored.text.includes(MARKER)) return stored.text;
  const entry = JSON.parse(stored.text) as Entry;
  const disclosures = await store.disclosures(stored.index);
  return canonicalize({ ...entry, body: revealBody(entry, disclosures) });
}

/** store.entries, each with its sealed values in place */
export async function* revealedEntries(store: LedgerStore, from: number, to: number, filter?: EntryFilter): AsyncIterable<StoredEntry> {
  for await (const stored of store.entries(from, to, filter)) {
    yield stored.text.includes(MARKER) ? { index: stored.index, text: await revealedText(store, stored) } : stored;
  }
}
