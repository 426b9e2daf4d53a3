/**
 * A feed frame read back (no DOM, no React: the node tests import it):
 * {"type":"entry","index":N,"entry":<text>} as app/feed.ts writes it, and
 * for an entry with sealed fields ,"sealed":{"disclosures":[...],"text":"..."}
 * after the entry. The entry's text is kept byte for byte.
 */

export interface EntryActor {
  readonly agency: string;
  readonly person?: string;
  readonly device?: string;
}

export interface LedgerEntry {
  readonly index: number;
  /** the stored canonical text (RFC 8785): the Merkle leaf's bytes */
  readonly text: string;
  readonly type: string;
  /** the server's receive time, RFC 3339 UTC */
  readonly received: string;
  /** the time the source claimed (a device clock, a radio call), when it gave one */
  readonly claimed?: string;
  readonly actor: EntryActor;
  readonly incident?: string;
  readonly body: Readonly<Record<string, unknown>>;
  /**
   * for an entry with sealed fields (the node's sealing policy): the text
   * the log hashed, with commitments in place of the values, and the
   * disclosures that open them (features/checkpoint/sealed.ts checks both)
   */
  readonly sealed?: { readonly text: string; readonly disclosures: readonly { readonly path: string; readonly salt: string; readonly value: unknown }[] };
}

function isSealed(v: unknown): v is NonNullable<LedgerEntry['sealed']> {
  const s = v as LedgerEntry['sealed'];
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.text === 'string' &&
    Array.isArray(s.disclosures) &&
    s.disclosures.every((d) => typeof d === 'object' && d !== null && typeof d.path === 'string' && typeof d.salt === 'string')
  );
}

/**
 * {"type":"entry","index":N,"entry":<text>} (app/feed.ts writes exactly
 * this), and for a sealed entry ,"sealed":{"disclosures":[...],"text":"..."}
 * after it: the entry's text, byte for byte, and what was hashed
 */
export function entryOfFrame(data: string): LedgerEntry | undefined {
  const head = /^\{"type":"entry","index":(\d+),"entry":/.exec(data);
  if (head === null || !data.endsWith('}')) return undefined;
  try {
    const frame = JSON.parse(data) as { sealed?: unknown };
    if (frame.sealed !== undefined && !isSealed(frame.sealed)) return undefined;
    const sealed = frame.sealed;
    // the server writes the sealed part with JSON.stringify: written again, it is the same bytes
    const tail = sealed === undefined ? '}' : `,"sealed":${JSON.stringify(sealed)}}`;
    if (!data.endsWith(tail)) return undefined;
    const text = data.slice(head[0].length, data.length - tail.length);
    const e = JSON.parse(text) as Partial<LedgerEntry>;
    if (typeof e.index !== 'number' || typeof e.type !== 'string' || typeof e.received !== 'string' || typeof e.actor?.agency !== 'string') return undefined;
    return {
      index: e.index,
      text,
      type: e.type,
      received: e.received,
      ...(typeof e.claimed === 'string' ? { claimed: e.claimed } : {}),
      actor: e.actor,
      ...(typeof e.incident === 'string' ? { incident: e.incident } : {}),
      body: typeof e.body === 'object' && e.body !== null ? e.body : {},
      ...(sealed !== undefined ? { sealed } : {}),
    };
  } catch {
    return undefined;
  }
}
