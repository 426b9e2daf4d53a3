/**
 * A node as a witness over real HTTP (in process): POST /add-checkpoint
 * answers exactly as C2SP tlog-witness says (bodies, statuses, content
 * types), persists before it answers, keeps refused requests as evidence,
 * and serves its latest cosigned checkpoint per log to monitors.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { openLiveNode, type LiveNode } from '../../src/app/live-node.ts';
import { initNodeDir } from '../../src/app/node-dir.ts';
import { writeWitnessing, EMPTY_WITNESSING } from '../../src/app/witness-config.ts';
import { checkEvidenceText } from '../../src/ledger/evidence.ts';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { EMPTY_ROOT, leafHash } from '../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../src/ledger/merkle/memory-tree.ts';
import { generateSigner, openNote, parseSignerKey, parseVerifierKey } from '../../src/ledger/note.ts';
import { formatAddCheckpoint, originHash } from '../../src/ledger/witness-protocol.ts';
import { buildNodeServer } from '../../src/server/node-server.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const ORIGIN = 'city.test.example/log';
const logKeys = generateSigner(ORIGIN, Buffer.alloc(32, 7));
const log = parseSignerKey(logKeys.signerKey);
const logV = parseVerifierKey(logKeys.verifierKey);
const root = tempRoot('concord-witness-routes-');
const dir = join(root.path, 'fed');
let live: LiveNode;
let app: FastifyInstance;
let url: string;
let witnessKey: string;

function tree(n: number, salt = 'e'): MemoryTree {
  const t = new MemoryTree();
  for (let i = 0; i < n; i++) t.append(leafHash(Buffer.from(`${salt}${i}`)));
  return t;
}
const t = tree(64);
const note = (size: number, tr = t, signer = log): string =>
  signCheckpoint({ origin: ORIGIN, size, root: size === 0 ? EMPTY_ROOT : tr.root(size), extensions: [] }, signer);

function post(body: string | Buffer, headers: Record<string, string> = { 'content-type': 'text/plain' }): Promise<Response> {
  return fetch(`${url}/add-checkpoint`, { method: 'POST', headers, body });
}
const add = (old: number, size: number, tr = t, proof?: Buffer[]): Promise<Response> =>
  post(formatAddCheckpoint({ oldSize: old, proof: proof ?? (old > 0 && old < size ? tr.consistencyProof(old, size) : []), note: note(size, tr) }));

before(async () => {
  initNodeDir(dir, 'fed.test.example/log');
  writeWitnessing(dir, { ...EMPTY_WITNESSING, logs: [{ origin: ORIGIN, key: logKeys.verifierKey }] });
  live = await openLiveNode(dir);
  app = await buildNodeServer(live, {});
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  witnessKey = (await (await fetch(`${url}/witness/key`)).text()).trim();
});
after(async () => {
  await app?.close();
  await live?.close();
  root.cleanup();
});

describe('POST /add-checkpoint', () => {
  it('cosigns a first checkpoint: 200, one cosignature line that verifies with the witness key over the checkpoint', async () => {
    const r = await add(0, 5);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    const body = await r.text();
    assert.match(body, /^— fed\.test\.example\/log\/witness [A-Za-z0-9+/=]+\n$/);
    const opened = openNote(note(5) + body, [logV, parseVerifierKey(witnessKey)]);
    assert.equal(opened.verified.filter((s) => s.type === 'cosignature/v1' && (s.timestamp ?? 0) > 0).length, 1);
    // persisted before the answer: the state file holds it
    const state = readFileSync(join(dir, 'witness', 'logs', `${originHash(ORIGIN)}.note`), 'utf8');
    assert.ok(state.startsWith(note(5).slice(0, note(5).indexOf('\n\n'))));
    assert.ok(state.endsWith(body));
  });

  it('409 with the size as text/x.tlog.size when old size is not the latest cosigned', async () => {
    const r = await add(0, 9);
    assert.equal(r.status, 409);
    assert.equal(r.headers.get('content-type'), 'text/x.tlog.size');
    assert.equal(await r.text(), '5\n');
  });

  it('cosigns the extension from the size it names, with a consistency proof', async () => {
    assert.equal((await add(5, 9)).status, 200);
    assert.equal((await add(9, 9)).status, 200, 'the same checkpoint again');
  });

  it('serves the latest cosigned checkpoint to monitors, and 404 for a log it never cosigned', async () => {
    const r = await fetch(`${url}/witness/${originHash(ORIGIN)}/checkpoint`);
    assert.equal(r.status, 200);
    const text = await r.text();
    const opened = openNote(text, [logV, parseVerifierKey(witnessKey)]);
    assert.equal(opened.text, note(9).slice(0, note(9).indexOf('\n\n') + 1));
    assert.equal(opened.verified.length, 2);
    assert.equal((await fetch(`${url}/witness/${originHash('nobody')}/checkpoint`)).status, 404);
    assert.equal((await fetch(`${url}/witness/not-a-hash/checkpoint`)).status, 404);
  });

  it('404 unknown origin, 403 no trusted signature, 400 malformed or old > size; problem+json', async () => {
    const stranger = parseSignerKey(generateSigner('other.example/log', Buffer.alloc(32, 8)).signerKey);
    const strangerNote = signCheckpoint({ origin: 'other.example/log', size: 1, root: t.root(1), extensions: [] }, stranger);
    const impostor = parseSignerKey(generateSigner(ORIGIN, Buffer.alloc(32, 9)).signerKey);
    const cases: Array<[string, number]> = [
      [formatAddCheckpoint({ oldSize: 0, proof: [], note: strangerNote }), 404],
      [formatAddCheckpoint({ oldSize: 9, proof: t.consistencyProof(9, 12), note: note(12, t, impostor) }), 403],
      ['old 09\n\n' + note(12), 400],
      ['garbage', 400],
      [formatAddCheckpoint({ oldSize: 12, proof: [], note: note(10) }), 400],
    ];
    for (const [body, status] of cases) {
      const r = await post(body);
      assert.equal(r.status, status, body.slice(0, 40));
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      const p = (await r.json()) as { status: number; detail: string };
      assert.equal(p.status, status);
    }
  });

  it('takes a body without a content type, or with any; refuses a body past the limit with 413', async () => {
    const body = formatAddCheckpoint({ oldSize: 9, proof: [], note: note(9) });
    assert.equal((await post(body, {})).status, 200);
    assert.equal((await post(body, { 'content-type': 'application/json' })).status, 200);
    assert.equal((await post(Buffer.alloc(70 * 1024, 0x61))).status, 413);
  });

  it('422 for a rewritten history, with the request and a signed evidence file kept', async () => {
    const rewritten = tree(20, 'x');
    const r = await add(9, 20, rewritten);
    assert.equal(r.status, 422);
    const files = readdirSync(join(dir, 'witness', 'evidence'));
    const evidence = files.filter((f) => f.endsWith('.inconsistent.evidence.json'));
    assert.equal(evidence.length, 1, files.join(', '));
    assert.ok(files.some((f) => f.endsWith('-422-' + f.split('-422-')[1]) && f.endsWith('.request.json')));
    const check = checkEvidenceText(readFileSync(join(dir, 'witness', 'evidence', evidence[0]!), 'utf8'), [logV]);
    assert.deepEqual([check.fork, check.kind], [true, 'inconsistent']);
    // the state did not move
    assert.equal((await add(0, 9)).status, 409);
  });

  it('422 and split-view evidence for another root at the cosigned size', async () => {
    const r = await add(9, 9, tree(9, 'y'));
    assert.equal(r.status, 422);
    const evidence = readdirSync(join(dir, 'witness', 'evidence')).filter((f) => f.endsWith('.split-view.evidence.json'));
    assert.equal(evidence.length, 1);
  });

  it('property: no body a client can send gets a 5xx; a changed byte of a valid body is never cosigned as another checkpoint', async () => {
    const valid = Buffer.from(formatAddCheckpoint({ oldSize: 9, proof: [], note: note(9) }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
          fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, d]) => {
            const b = Buffer.from(valid);
            b[i] = (b[i]! + d) % 256;
            return b;
          }),
        ),
        async (body) => {
          const r = await post(body);
          assert.ok([200, 400, 403, 404, 409, 422].includes(r.status), `status ${r.status}`);
          if (r.status === 200) {
            // only a body that still says the cosigned checkpoint can be cosigned (a byte of the old line, a line ending...)
            const parsed = (await import('../../src/ledger/witness-protocol.ts')).parseAddCheckpoint(body);
            assert.equal(parsed.note.split('\n\n')[0], note(9).split('\n\n')[0]);
          }
          await r.arrayBuffer();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('concurrent requests from one old size: exactly one is cosigned, the others get 409 (no rollback)', async () => {
    const answers = await Promise.all([20, 30, 40, 50, 60].map((n) => add(9, n)));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409, 409]);
    const monitor = await (await fetch(`${url}/witness/${originHash(ORIGIN)}/checkpoint`)).text();
    const size = Number(monitor.split('\n')[1]);
    assert.ok([20, 30, 40, 50, 60].includes(size));
    assert.ok(existsSync(join(dir, 'witness', 'logs')));
  });
});
