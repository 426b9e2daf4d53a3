/**
 * Entries as the node's own readers see them: with every sealed value the
 * node holds put back in place. The hashed text keeps only commitments
 * (docs/ledger-format.md, "Sealed values"); the projections, the feed and
 * the audiences read the values, exactly as they were before sealing. Only
 * bundles and releases read the hashed text and the disclosures apart.
 *
 * A revealed entry keeps what a reader needs to check it: the text the log
 * hashed and the disclosures that open its commitments, so that a client
 * (the console's checkpoint badge) proves the entry's inclusion from the
 * hashed text and each value shown against its commitment.
 */
import { canonicalize } from '../ledger/canonical.ts';
import { commitmentOf, SEALED_KEY, type Disclosure } from '../ledger/entry.ts';
import type { EntryFilter, LedgerStore, StoredEntry } from '../store/store.ts';

const MARKER = `"${SEALED_KEY}"`;

/** a stored entry with its sealed values in place; `sealed` is what was hashed, when anything was sealed */
export interface RevealedEntry extends StoredEntry {
  readonly sealed?: { readonly text: string; readonly disclosures: readonly Disclosure[] };
}

/**
 * RFC 8785 orders keys by name alone, so putting a value in place is putting
 * its canonical text where its marker was: the same text canonicalize gives
 * for the revealed entry, without parsing it (test/app/revealed.test.ts
 * holds them equal). Shallowest first, as a sealed parent's value holds its
 * children's markers.
 */
async function reveal(store: LedgerStore, stored: StoredEntry): Promise<RevealedEntry> {
  if (!stored.text.includes(MARKER)) return stored;
  return revealWith(stored, await store.disclosures(stored.index));
}

function revealWith(stored: StoredEntry, disclosures: readonly Disclosure[]): RevealedEntry {
  if (disclosures.length === 0) return stored;
  let text = stored.text;
  for (const d of disclosures.length === 1 ? disclosures : [...disclosures].sort((a, b) => a.path.length - b.path.length)) {
    const value = canonicalize(d.value);
    // a function, so that "$" in the value is never read as a replacement pattern
    text = text.replace(`{${MARKER}:"${commitmentOf(d, value)}"}`, () => value);
  }
  return { index: stored.index, text, sealed: { text: stored.text, disclosures } };
}

/** the entry's text with its disclosed values in place (the hashed text itself when nothing is sealed) */
export async function revealedText(store: LedgerStore, stored: StoredEntry): Promise<string> {
  return (await reveal(store, stored)).text;
}

/** entries revealed together: their disclosures are read in one go (a read per entry cost more than the rest of revealing it) */
const WINDOW = 256;

/** a window of entries, revealed: the disclosures of the sealed ones read at once when they lie close together */
async function revealWindow(store: LedgerStore, window: readonly StoredEntry[]): Promise<readonly RevealedEntry[]> {
  // each text is searched for the marker once
  const sealed = window.filter((e) => e.text.includes(MARKER));
  if (sealed.length === 0) return window;
  const first = (sealed[0] as StoredEntry).index;
  const last = (sealed[sealed.length - 1] as StoredEntry).index;
  // far apart (a filter picked them out of a long stretch), a read each costs less than reading all between
  const byIndex =
    sealed.length === 1 || last - first >= 4 * WINDOW
      ? new Map(await Promise.all(sealed.map(async (e) => [e.index, await store.disclosures(e.index)] as const)))
      : await store.disclosuresIn(first, last + 1);
  const out: RevealedEntry[] = [];
  let s = 0;
  for (const e of window) {
    if (e === sealed[s]) {
      out.push(revealWith(e, byIndex.get(e.index) ?? []));
      s++;
    } else out.push(e);
  }
  return out;
}

/**
 * store.entryChunks, each entry with its sealed values in place: one await
 * per chunk, for readers of many entries (a projection folds a chunk with no
 * await per entry)
 */
export async function* revealedChunks(store: LedgerStore, from: number, to: number, filter?: EntryFilter): AsyncIterable<readonly RevealedEntry[]> {
  for await (const chunk of store.entryChunks(from, to, filter)) {
    const out: RevealedEntry[] = [];
    for (let i = 0; i < chunk.length; i += WINDOW) out.push(...(await revealWindow(store, chunk.slice(i, i + WINDOW))));
    yield out;
  }
}

/** store.entries, each with its sealed values in place */
export async function* revealedEntries(store: LedgerStore, from: number, to: number, filter?: EntryFilter): AsyncIterable<RevealedEntry> {
  for await (const chunk of revealedChunks(store, from, to, filter)) yield* chunk;
}
