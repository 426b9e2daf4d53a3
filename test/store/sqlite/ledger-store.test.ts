import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteLedgerStore } from '../../../src/store/sqlite/ledger-store.ts';
import type { LedgerStore } from '../../../src/store/store.ts';
import { storeContract } from '../contract.ts';

const root = mkdtempSync(join(tmpdir(), 'concord-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const paths = new WeakMap<LedgerStore, { path: string; origin: string }>();

storeContract('sqlite', {
  async create({ origin, clock }) {
    const path = join(root, `ledger-${n++}.db`);
    const store = SqliteLedgerStore.open({ path, origin, create: true, ...(clock ? { clock } : {}) });
    paths.set(store, { path, origin });
    return store;
  },
  async reopen(store) {
    const p = paths.get(store);
    if (!p) throw new Error('unknown store');
    await store.close();
    const again = SqliteLedgerStore.open({ path: p.path, origin: p.origin });
    paths.set(again, p);
    return again;
  },
});

describe('sqlite store', () => {
  it('sees appends made by another process (connection) and continues the log', async () => {
    const path = join(root, 'shared.db');
    const a = SqliteLedgerStore.open({ path, origin: 'x.example/log', create: true });
    const b = SqliteLedgerStore.open({ path, origin: 'x.example/log' });
    const d = { type: 'note.recorded', actor: { agency: 'a' }, body: {} };
    await a.append([d, d]);
    const [fromB] = await b.append([d]);
    assert.equal(fromB?.index, 2, 'b caught up with a before writing');
    const [fromA] = await a.append([d]);
    assert.equal(fromA?.index, 3);
    await a.close();
    await b.close();
  });

  it('refuses to open a file that is not a ledger, and a ledger with another origin', async () => {
    const path = join(root, 'other.db');
    const s = SqliteLedgerStore.open({ path, origin: 'one.example/log', create: true });
    await s.close();
    assert.throws(() => SqliteLedgerStore.open({ path, origin: 'two.example/log' }), /origin/);
    assert.throws(() => SqliteLedgerStore.open({ path: join(root, 'nope.db') }), /nope\.db/);
  });
});
