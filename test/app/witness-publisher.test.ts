/**
 * The publisher in process, against a real witness server: a checkpoint
 * signed is sent and cosigned; a publisher that lost what the witness saw
 * starts from 0, is told the size with a 409 and resends from it; a witness
 * that cannot be reached is retried with backoff while appends go on, and
 * catches up from the size it last cosigned.
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { LedgerService } from '../../src/app/ledger.ts';
import { openLiveNode, type LiveNode } from '../../src/app/live-node.ts';
import { initNodeDir, openNodeDir } from '../../src/app/node-dir.ts';
import { EMPTY_WITNESSING, writeWitnessing, type WitnessingConfig } from '../../src/app/witness-config.ts';
import { readWitnessedNote, WitnessPublisher } from '../../src/app/witness-publisher.ts';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { buildNodeServer } from '../../src/server/node-server.ts';
import { draftAt, ORIGIN, tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-publisher-');
const city = join(root.path, 'city');
const fed = join(root.path, 'fed');
let witness: LiveNode;
let server: FastifyInstance;
let ledger: LedgerService;
let config: WitnessingConfig;
let witnessKey: string;
let appended = 0;

async function grow(n: number): Promise<number> {
  await ledger.append(Array.from({ length: n }, (_, k) => draftAt(appended + k)));
  appended += n;
  return (await ledger.checkpoint()).size;
}

before(async () => {
  initNodeDir(city, ORIGIN);
  initNodeDir(fed, 'fed.test.example/log');
  const cityNode = openNodeDir(city);
  writeWitnessing(fed, { ...EMPTY_WITNESSING, logs: [{ origin: ORIGIN, key: cityNode.verifierKey }] });
  witness = await openLiveNode(fed);
  witnessKey = witness.witness.cosignerKey();
  server = await buildNodeServer(witness, {});
  await server.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  config = { logs: [], witnesses: [{ name: witnessKey.split('+')[0]!, key: witnessKey, url }], quorum: 1 };
  ledger = await LedgerService.open(city, { checkpoints: { everyMs: 0, everyEntries: 0 } });
});
after(async () => {
  await ledger?.close();
  await server?.close();
  await witness?.close();
  root.cleanup();
});

function witnessedSize(): number | undefined {
  const note = readWitnessedNote(city);
  if (note === undefined) return undefined;
  const opened = openCheckpoint(note, [ledger.verifier, parseVerifierKey(witnessKey)]);
  assert.equal(opened.signatures.filter((s) => s.type === 'cosignature/v1').length, 1);
  return opened.checkpoint.size;
}

describe('WitnessPublisher', () => {
  it('sends each signed checkpoint and keeps the cosigned one in DIR/witnessed-checkpoint', async () => {
    const p = new WitnessPublisher(openNodeDir(city), ledger, config, { backoff: { initialMs: 10, maxMs: 50 } });
    await p.start();
    try {
      const size = await grow(10);
      await p.whenWitnessed(size);
      assert.equal(witnessedSize(), size);
      assert.equal(p.served()?.witnessed, true);
      const size2 = await grow(5);
      await p.whenWitnessed(size2);
      assert.equal(witnessedSize(), size2);
      assert.deepEqual(
        p.status().witnesses.map((w) => [w.size, w.cosigned, w.error]),
        [[size2, size2, null]],
      );
    } finally {
      await p.close();
    }
  });

  it('a publisher that lost what the witness saw is told with a 409 and resends from that size', async () => {
    rmSync(join(city, 'witnessing'), { recursive: true, force: true });
    rmSync(join(city, 'witnessed-checkpoint'));
    const p = new WitnessPublisher(openNodeDir(city), ledger, config, { backoff: { initialMs: 10, maxMs: 50 } });
    await p.start();
    try {
      const size = await grow(3);
      await p.whenWitnessed(size);
      assert.equal(witnessedSize(), size);
      // the witness kept the 409 it answered (a request of a log whose signature verified)
      assert.ok(readdirSync(join(fed, 'witness', 'evidence')).some((f) => f.includes('-409-')));
    } finally {
      await p.close();
    }
  });

  it('a witness that cannot be reached is retried with backoff while appends go on; it catches up from the size it last cosigned', async () => {
    let down = true;
    const sent: string[] = [];
    const flaky: typeof fetch = async (input, init) => {
      if (down) throw new TypeError('fetch failed');
      sent.push(String(init?.body).split('\n')[0]!);
      return fetch(input, init);
    };
    const seen = witnessedSize()!;
    const p = new WitnessPublisher(openNodeDir(city), ledger, config, { fetch: flaky, backoff: { initialMs: 10, maxMs: 40 } });
    await p.start();
    try {
      const size = await grow(4);
      await grow(4);
      const last = await grow(4);
      await new Promise((r) => setTimeout(r, 100));
      assert.match(p.status().witnesses[0]!.error ?? '', /cannot reach/);
      assert.equal(p.status().witnessed?.size, seen);
      assert.ok(size > seen);
      down = false;
      await p.whenWitnessed(last);
      assert.equal(witnessedSize(), last);
      // one request, from the size the witness had cosigned
      assert.deepEqual(sent, [`old ${seen}`]);
    } finally {
      await p.close();
    }
  });
});
