/**
 * The live feed over a real SQLite ledger: whatever the interleaving of
 * appends, subscriptions, disconnections and resumptions, each subscriber
 * receives every entry it may see after the index it named, exactly once,
 * in ledger order, and nothing it may not see.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { LedgerFeed, type FeedEntry, type FeedSubscription } from '../../src/app/feed.ts';
import { LedgerService, ON_DEMAND_CHECKPOINTS } from '../../src/app/ledger.ts';
import { initNodeDir } from '../../src/app/node-dir.ts';
import { isConcordError } from '../../src/errors.ts';
import type { EntryDraft } from '../../src/ledger/entry.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-feed-');
after(root.cleanup);
let dirs = 0;

async function ledger(): Promise<LedgerService> {
  const dir = join(root.path, `n${dirs++}`);
  initNodeDir(dir, 'concord.test.example/feed');
  return LedgerService.open(dir, { checkpoints: ON_DEMAND_CHECKPOINTS });
}

const AGENCIES = ['city-pd', 'fed-ice', 'sheriff'] as const;
const draft = (n: number): EntryDraft => ({ type: 'note.recorded', actor: { agency: AGENCIES[n % 3] as string }, body: { n } });

/** what a client of `agency` sees: its own agency's notes */
const visibleTo = (agency: string) => (e: FeedEntry) => e.actor.agency === agency;

type Op = { kind: 'append'; count: number } | { kind: 'subscribe'; agency: number; back: number } | { kind: 'drop'; which: number } | { kind: 'settle' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 40 }) }),
  // since: so many entries back from the end of the log so far (the end itself, just before it, ..., the start)
  fc.record({ kind: fc.constant('subscribe' as const), agency: fc.integer({ min: 0, max: 2 }), back: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ kind: fc.constant('drop' as const), which: fc.nat() }),
  fc.constant({ kind: 'settle' as const }),
);

interface Client {
  readonly agency: string;
  /** the index it first named */
  readonly since: number;
  readonly got: number[];
  sub: FeedSubscription;
  open: boolean;
}

describe('LedgerFeed', () => {
  it('each subscriber gets every entry it may see after since, once, in order, through disconnections and resumptions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const l = await ledger();
        const feed = await LedgerFeed.open(l.store, { page: 7 });
        let appended = 0;
        const clients: Client[] = [];
        const pending: Promise<unknown>[] = [];
        const connect = (c: Omit<Client, 'sub' | 'open'>, from: number): Client => {
          const client = c as Client;
          client.open = true;
          client.sub = feed.subscribe(from, {
            viewer: c.agency,
            visible: visibleTo(c.agency),
            send: (run) => {
              assert.ok(run.entries.length > 0, 'a run is never empty');
              for (const e of run.entries) client.got.push(e.index);
              return true;
            },
            dropped: () => {
              client.open = false;
            },
          });
          return client;
        };
        try {
          for (const op of ops) {
            if (op.kind === 'append') {
              const start = appended;
              appended += op.count;
              // appends land while the feed reads and clients catch up: notify is not awaited
              pending.push(l.append(Array.from({ length: op.count }, (_, k) => draft(start + k))).then(() => feed.notify()));
            } else if (op.kind === 'subscribe') {
              const since = Math.max(-1, feed.size - 1 - op.back);
              clients.push(connect({ agency: AGENCIES[op.agency] as string, since, got: [] }, since));
            } else if (op.kind === 'drop' && clients.length > 0) {
              const c = clients[op.which % clients.length] as Client;
              // disconnect, and resume from the last index it saw (or the cursor its heartbeat gave)
              c.sub.unsubscribe();
              const resumeFrom = Math.max(c.sub.cursor(), c.got.at(-1) ?? c.since);
              connect(c, resumeFrom);
            } else {
              await Promise.all(pending);
            }
          }
          await Promise.all(pending);
          await feed.notify();
          // let every catching-up client reach the head
          for (let i = 0; i < 50 && clients.some((c) => c.sub.cursor() < appended - 1); i++) await new Promise((r) => setImmediate(r));
          const texts: FeedEntry[] = [];
          for await (const s of l.store.entries(0, appended)) texts.push({ index: s.index, actor: JSON.parse(s.text).actor } as FeedEntry);
          for (const c of clients) {
            const expected = texts.filter((e) => e.index > c.since && visibleTo(c.agency)(e)).map((e) => e.index);
            assert.deepEqual(c.got, expected, `a client of ${c.agency} from ${c.since}`);
          }
        } finally {
          feed.close();
          await l.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a subscriber that cannot keep up is dropped, and resumes from its last index without a gap', async () => {
    const l = await ledger();
    const feed = await LedgerFeed.open(l.store, { page: 4 });
    try {
      await l.append(Array.from({ length: 30 }, (_, i) => draft(i * 3)));
      await feed.notify();
      const got: number[] = [];
      let dropped = '';
      // the store holds 30 entries, read in pages of 4: runs of 4, and it refuses the fourth run
      feed.subscribe(-1, {
        viewer: 'all',
        visible: () => true,
        send: (run) => {
          if (got.length >= 12) return false;
          for (const e of run.entries) got.push(e.index);
          return true;
        },
        dropped: (why) => {
          dropped = why;
        },
      });
      for (let i = 0; i < 20 && dropped === ''; i++) await new Promise((r) => setImmediate(r));
      assert.equal(dropped, 'too slow');
      assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const rest: number[] = [];
      const sub = feed.subscribe(got.at(-1) as number, {
        viewer: 'all',
        visible: () => true,
        send: (run) => (rest.push(...run.entries.map((e) => e.index)), true),
        dropped: () => undefined,
      });
      for (let i = 0; i < 20 && sub.cursor() < 29; i++) await new Promise((r) => setImmediate(r));
      assert.deepEqual(
        rest,
        Array.from({ length: 18 }, (_, i) => i + 12),
      );
    } finally {
      feed.close();
      await l.close();
    }
  });

  it('refuses a since beyond the log, naming the field', async () => {
    const l = await ledger();
    const feed = await LedgerFeed.open(l.store);
    try {
      await l.append([draft(0)]);
      await feed.notify();
      assert.throws(
        () => feed.subscribe(1, { viewer: 'all', visible: () => true, send: () => true, dropped: () => undefined }),
        (e: unknown) => isConcordError(e, 'BAD_INPUT') && e.details?.['field'] === 'query.since',
      );
      assert.throws(() => feed.subscribe(-2, { viewer: 'all', visible: () => true, send: () => true, dropped: () => undefined }));
    } finally {
      feed.close();
      await l.close();
    }
  });
});
