/**
 * Exporting an incident's redacted public release (docs/releases.md): the
 * incident bundle (every entry with its inclusion proof against one signed
 * checkpoint, and optionally the older checkpoints with consistency proofs),
 * with the values the rules select left out and listed. The pure part is in
 * ledger/release.ts; this reads the node: entries, disclosures, and the ranks
 * people held, which `below_rank` rules need.
 */
import { ConcordError } from '../errors.ts';
import { serializeBundle, type Release } from '../ledger/bundle.ts';
import { canonicalize } from '../ledger/canonical.ts';
import { checkEntryText } from '../ledger/entry.ts';
import { redactEntries, RELEASE_FORMAT, type HeldEntry, type WithholdRule } from '../ledger/release.ts';
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
 * cannot be. Searched in the release's own bytes, as JSON writes the value.
 */
function refuseLeaks(release: Release, held: readonly HeldEntry[]): void {
  const bytes = serializeBundle(release);
  for (const w of release.withheld) {
    const d = held.find((h) => h.index === w.index)?.disclosures.find((x) => x.path === w.path);
    if (d === undefined) continue;
    const written = canonicalize(d.value);
    // a string is found inside other text too: search its JSON text without the quotes
    const needle = typeof d.value === 'string' ? written.slice(1, -1) : written;
    if (needle.length === 0 || !bytes.includes(needle)) continue;
    const where = release.entries.find((e) => e.entry.includes(needle) || (e.disclosures ?? []).some((x) => canonicalize(x.value).includes(needle)));
    throw new ConcordError(
      'BAD_INPUT',
      `the value withheld at entry ${w.index} ${w.path} (rule "${w.rule}") is also in the release in the clear${where !== undefined ? `, in entry ${where.index}` : ''}: withhold it there too (it cannot be withheld if it was not sealed there)`,
    );
  }
}
