/**
 * Access to a World while an event is applied. applyEvent must never mutate
 * the world it is given, but copying every record per event would make
 * rebuilding a long ledger quadratic. So a writer either copies the top
 * object and each touched collection once (forEvent), or — when folding many
 * events into a copy nobody else has seen (forFold) — writes in place. An
 * UndoWriter writes in place into a world its caller owns and remembers what
 * each write replaced, so that the writes can be taken back: a draft of the
 * live world that costs the size of its events, not of the world.
 */
import { ConcordError } from '../errors.ts';
import { collection as copyOf, type Collection, type EntityOf, type World } from './world.ts';

export interface WorldWriter {
  readonly world: World;
  put<K extends Collection>(collection: K, id: string, value: EntityOf<K>): void;
  stamp(index: number, received: string): void;
}

type Mutable = { -readonly [K in keyof World]: World[K] };

function isCollection(k: keyof World): k is Collection {
  return k !== 'lastIndex' && k !== 'lastReceived';
}

export class Writer implements WorldWriter {
  #world: Mutable;
  #ownTop: boolean;
  readonly #owned = new Set<Collection>();

  /** owned: the caller guarantees nobody else holds `world` or its collections */
  private constructor(world: World, owned: boolean) {
    this.#world = world as Mutable;
    this.#ownTop = owned;
    if (owned) for (const k of Object.keys(world) as (keyof World)[]) if (isCollection(k)) this.#owned.add(k);
  }

  /** a writer for one applyEvent: copies on first write, never touches `world` */
  static forEvent(world: World): Writer {
    return new Writer(world, false);
  }

  /** a writer for folding many events: copies `world` once, then writes in place */
  static forFold(world: World): Writer {
    const copy = { ...world } as Mutable;
    for (const k of Object.keys(copy) as (keyof World)[]) {
      if (isCollection(k)) (copy as Record<string, unknown>)[k] = copyOf<unknown>(world[k]);
    }
    return new Writer(copy, true);
  }

  get world(): World {
    return this.#world;
  }

  put<K extends Collection>(collection: K, id: string, value: EntityOf<K>): void {
    this.#touchTop();
    if (!this.#owned.has(collection)) {
      this.#world[collection] = copyOf<unknown>(this.#world[collection]) as Mutable[K];
      this.#owned.add(collection);
    }
    (this.#world[collection] as Record<string, EntityOf<K>>)[id] = value;
  }

  stamp(index: number, received: string): void {
    this.#touchTop();
    this.#world.lastIndex = index;
    this.#world.lastReceived = received;
  }

  #touchTop(): void {
    if (!this.#ownTop) {
      this.#world = { ...this.#world };
      this.#ownTop = true;
    }
  }
}

/** what one write of an UndoWriter replaced */
type Undo =
  | { readonly collection: Collection; readonly id: string; readonly had: boolean; readonly before: unknown }
  | { readonly collection: undefined; readonly lastIndex: number; readonly lastReceived: string | null };

export class UndoWriter implements WorldWriter {
  readonly #world: Mutable;
  readonly #log: Undo[] = [];

  /** `world` and its collections must be the caller's own (a Writer.forFold's), and nobody may read it as it stood while writes are not taken back */
  constructor(world: World) {
    this.#world = world as Mutable;
  }

  get world(): World {
    return this.#world;
  }

  put<K extends Collection>(collection: K, id: string, value: EntityOf<K>): void {
    const records = this.#world[collection] as Record<string, EntityOf<K>>;
    const had = id in records;
    this.#log.push({ collection, id, had, before: had ? records[id] : undefined });
    records[id] = value;
  }

  stamp(index: number, received: string): void {
    this.#log.push({ collection: undefined, lastIndex: this.#world.lastIndex, lastReceived: this.#world.lastReceived });
    this.#world.lastIndex = index;
    this.#world.lastReceived = received;
  }

  /** how many writes were made so far: undoTo(mark()) later takes back the writes made after this */
  mark(): number {
    return this.#log.length;
  }

  /** takes back the writes made after `mark`, last first: the world is again as it was then */
  undoTo(mark: number): void {
    while (this.#log.length > mark) {
      const u = this.#log.pop() as Undo;
      if (u.collection === undefined) {
        this.#world.lastIndex = u.lastIndex;
        this.#world.lastReceived = u.lastReceived;
      } else {
        const records = this.#world[u.collection] as Record<string, unknown>;
        if (u.had) records[u.id] = u.before;
        else delete records[u.id];
      }
    }
  }
}

/**
 * The entity an event refers to. decide only emits events about things that
 * exist, so a missing one means the ledger is not what decide produced.
 */
export function existing<V>(records: Readonly<Record<string, V>>, id: string, kind: string, eventType: string): V {
  const v = records[id];
  if (v === undefined) throw new ConcordError('LEDGER_CORRUPT', `${eventType} refers to unknown ${kind} "${id}"`);
  return v;
}
