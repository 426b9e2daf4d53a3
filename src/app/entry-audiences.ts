/**
 * Who may read each entry of the ledger, computed once per entry from the
 * world just before it (boundaries.ts: an entry's audience is fixed when it
 * is written). The index folds the ledger with its own projection, in
 * ledger order, whoever appended the entries; the live feed asks it for
 * every entry it sends, old or new, so a client that resumes from an index
 * gets exactly what it would have got live.
 *
 * Audiences repeat (the same few agencies over and over): each distinct one
 * is kept once, and each entry holds a reference to it.
 */
import { audienceOf, EVENT_TYPES, parseDomainEvent, Projection, type Audience } from '../domain/index.ts';
import type { LedgerStore } from '../store/store.ts';
import { revealedEntries } from './revealed.ts';

const DOMAIN_TYPES = new Set<string>(EVENT_TYPES);

interface StoredShape {
  readonly type: string;
  readonly actor: { readonly agency: string; readonly person?: string; readonly device?: string };
  readonly incident?: string;
  readonly body: unknown;
  readonly received: string;
}

export class EntryAudiences {
  private readonly projection = new Projection();
  private readonly byIndex: Audience[] = [];
  private readonly interned = new Map<string, Audience>();

  /** entries whose audience is known: [0, size) */
  get size(): number {
    return this.byIndex.length;
  }

  /** the audience of entry `index`, once the index has read it */
  at(index: number): Audience | undefined {
    return this.byIndex[index];
  }

  /** reads the entries of the store it has not read yet, in order */
  async catchUp(store: LedgerStore): Promise<void> {
    const size = await store.size();
    if (size <= this.size) return;
    // another reader (the feed) may add the same entries meanwhile: each is added once, in order
    for await (const stored of revealedEntries(store, this.size, size)) if (stored.index === this.size) this.add(stored.index, stored.text);
  }

  /** the next entry (entries come in ledger order; one already read is not read again) */
  add(index: number, text: string): Audience {
    const known = this.byIndex[index];
    if (known !== undefined) return known;
    if (index !== this.size) throw new Error(`entry audiences: expected entry ${this.size}, got ${index}`);
    const e = JSON.parse(text) as StoredShape;
    let audience: Audience;
    if (DOMAIN_TYPES.has(e.type)) {
      const event = parseDomainEvent(e.type, e.actor, e.incident, e.body);
      audience = audienceOf(event, this.projection.world);
      this.projection.apply(event, { index, received: e.received });
    } else {
      audience = audienceOf(
        { type: e.type, actor: e.actor, ...(e.incident !== undefined ? { incident: e.incident } : {}), body: e.body },
        this.projection.world,
      );
    }
    const key = `${[...audience.agencies].sort().join(',')}|${[...audience.people].sort().join(',')}`;
    let shared = this.interned.get(key);
    if (shared === undefined) {
      shared = audience;
      this.interned.set(key, shared);
    }
    this.byIndex.push(shared);
    return shared;
  }
}
