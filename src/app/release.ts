/**
 * Exporting an incident's redacted public release (docs/releases.md): the
 * incident bundle (every entry with its inclusion proof against one signed
 * checkpoint, and optionally the older checkpoints with consistency proofs),
 * with the values the rules select left out and listed. The pure part is in
 * ledger/release.ts; this reads the node: entries, disclosures, and the ranks
 * people held, which `below_rank` rules need.
 */
import { ConcordError } from '../errors.ts';
import { type Release } from '../ledger/bundle.ts';
import { canonicalize } from '../ledger/canonical.ts';
import { checkEntryText } from '../ledger/entry.ts';
import { redactEntries, RELEASE_FORMAT, type HeldEntry, type Withheld, type WithholdRule } from '../ledger/release.ts';
import { rebuildWorld } from './coordination.ts';
import type { LedgerService } from './ledger.ts';

export async function exportRelease(
  ledger: LedgerService,
  select: {
    readonly incident: string;
    readonly rules: readonly WithholdRule[];
    /** more entries to include beside the incident's (the registrations of the people it names) */
    readonly indexes?: readonly number[];
    readonly history?: boolean;
    readonly checkpoint?: string;
  },
): Promise<Release> {
  const bundle = await ledger.exportBundle({
    incident: select.incident,
    ...(select.indexes !== undefined ? { indexes: select.indexes } : {}),
    history: select.history ?? false,
    ...(select.checkpoint !== undefined ? { checkpoint: select.checkpoint } : {}),
  });
  const held: HeldEntry[] = bundle.entries.map((b) => {
    const checked = checkEntryText(b.entry);
    // the node's own entries: one that does not parse is damage, which verify names
    if ('problem' in checked) throw new Error(`entry ${b.index}: ${checked.problem}`);
    return { index: b.index, text: b.entry, entry: checked.entry, disclosures: b.disclosures ?? [], inclusion_proof: b.inclusion_proof };
  });
  const needsRanks = select.rules.some((r) => r.below_rank !== undefined);
  const world = needsRanks ? await rebuildWorld(ledger.store) : undefined;
  // the most senior rank (1 is the top) of any position the person was appointed to
  const rankOf = (person: string): number | undefined => {
    let best: number | undefined;
    for (const a of Object.values(world?.appointments ?? {})) {
      if (a.person !== person) continue;
      const rank = world?.positions[a.position]?.rank;
      if (rank !== undefined && (best === undefined || rank < best)) best = rank;
    }
    return best;
  };
  const { entries, withheld } = redactEntries(held, select.rules, { rankOf });
  const release: Release = {
    format: RELEASE_FORMAT,
    checkpoint: bundle.checkpoint,
    verifier_keys: bundle.verifier_keys,
    entries,
    ...(bundle.consistency !== undefined ? { consistency: bundle.consistency } : {}),
    rules: select.rules,
    withheld,
  };
  refuseLeaks(release, held);
  return release;
}

/**
 * A release never contains a withheld value anywhere. The value may also be
 * written elsewhere in the clear (a notice quoting a conflict's
 * description, a name typed into a message): then withholding it here hides
 * nothing, and the release is refused (BAD_INPUT naming both places), so
 * whoever prepares it withholds the other place too or learns that it
 * cannot be. Searched, as JSON writes the value, in everything of the
 * release a reader reads as text: each entry (its commitments taken out),
 * each disclosed value, the rules. The proofs, salts, commitments and
 * signatures are base64 of hashes and keys, where a short value could only
 * turn up by chance.
 */
function refuseLeaks(release: Release, held: readonly HeldEntry[]): void {
  const byIndex = new Map(held.map((h) => [h.index, h]));
  const needles: Array<{ readonly needle: string; readonly w: Withheld }> = [];
  for (const w of release.withheld) {
    const d = byIndex.get(w.index)?.disclosures.find((x) => x.path === w.path);
    if (d === undefined) continue;
    const written = canonicalize(d.value);
    // a string is found inside other text too: search its JSON text without the quotes
    const needle = typeof d.value === 'string' ? written.slice(1, -1) : written;
    if (needle.length > 0) needles.push({ needle, w });
  }
  if (needles.length === 0) return;
  // one text per entry (NUL never occurs unescaped in JSON, so no match spans two), and where each starts
  const parts: string[] = [];
  const starts: Array<{ at: number; index: number }> = [];
  let at = 0;
  const add = (text: string, index: number): void => {
    starts.push({ at, index });
    parts.push(text);
    at += text.length + 1;
  };
  for (const e of release.entries) {
    add(e.entry.replace(SEALED_MARKER_RE, '{}'), e.index);
    for (const d of e.disclosures ?? []) add(canonicalize(d.value), e.index);
  }
  add(canonicalize(release.rules), -1);
  const found = findAny(parts.join('\0'), needles);
  if (found === undefined) return;
  let entry = -1;
  for (const s of starts) if (s.at <= found.at) entry = s.index;
  const { w } = found.match;
  throw new ConcordError(
    'BAD_INPUT',
    `the value withheld at entry ${w.index} ${w.path} (rule "${w.rule}") is also in the release in the clear${entry >= 0 ? `, in entry ${entry}` : ', in its rules'}: withhold it there too (it cannot be withheld if it was not sealed there)`,
  );
}

const SEALED_MARKER_RE = /\{"\$sealed":"[A-Za-z0-9_-]{43}"\}/g;
/** needles are indexed by their first PREFIX characters (or all of a shorter one) */
const PREFIX = 16;

/**
 * The first needle found in `text`, and where: one pass over the text for
 * each length of prefix present (at most PREFIX), each position looked up
 * in a map of the needles by prefix, then compared whole. Searching each
 * needle on its own costs needles x text, minutes for a large incident.
 */
function findAny<T extends { readonly needle: string }>(text: string, needles: readonly T[]): { at: number; match: T } | undefined {
  const byLength = new Map<number, Map<string, T[]>>();
  for (const n of needles) {
    const k = Math.min(PREFIX, n.needle.length);
    let byPrefix = byLength.get(k);
    if (byPrefix === undefined) byLength.set(k, (byPrefix = new Map()));
    const prefix = n.needle.slice(0, k);
    const list = byPrefix.get(prefix);
    if (list === undefined) byPrefix.set(prefix, [n]);
    else list.push(n);
  }
  let best: { at: number; match: T } | undefined;
  for (const [k, byPrefix] of byLength) {
    for (let i = 0; i + k <= text.length && (best === undefined || i < best.at); i++) {
      const candidates = byPrefix.get(text.slice(i, i + k));
      if (candidates === undefined) continue;
      const hit = candidates.find((c) => text.startsWith(c.needle, i));
      if (hit !== undefined) {
        best = { at: i, match: hit };
        break;
      }
    }
  }
  return best;
}
