/**
 * The console's own checks of the log (web/src/features/checkpoint/): the
 * RFC 9162 inclusion walk against transparency-dev/merkle's testdata and
 * against the ledger's own tree (src/ledger/merkle), and the checkpoint's
 * signed note read and its Ed25519 signature checked with WebCrypto against
 * notes signed by src/ledger/note.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { leafHashText } from '../../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../../src/ledger/merkle/memory-tree.ts';
import { generateSigner, parseSignerKey, signNote } from '../../../src/ledger/note.ts';
import { leafHash, rootFromInclusionProof, sameBytes, verifyInclusion } from '../../../web/src/features/checkpoint/inclusion.ts';
import { parseCheckpoint, parseVerifierKey, verifyCheckpointSignature } from '../../../web/src/features/checkpoint/note.ts';

const TESTDATA = new URL('../../vectors/transparency-dev-merkle/testdata/inclusion/', import.meta.url);

function jsonFiles(dir: URL): URL[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsonFiles(new URL(`${e.name}/`, dir)) : e.name.endsWith('.json') ? [new URL(e.name, dir)] : [],
  );
}
const b64 = (s: string | null): Uint8Array => new Uint8Array(Buffer.from(s ?? '', 'base64'));

describe('inclusion proofs checked in the browser (RFC 9162 §2.1.3.2)', () => {
  it('accepts every happy path of transparency-dev/merkle testdata/inclusion and rejects every altered one', async () => {
    let happy = 0;
    let rejected = 0;
    for (const url of jsonFiles(TESTDATA)) {
      const p = JSON.parse(readFileSync(url, 'utf8')) as {
        leafIdx: number;
        treeSize: number;
        root: string | null;
        leafHash: string | null;
        proof: string[] | null;
        wantErr: boolean;
      };
      const ok = await verifyInclusion(b64(p.leafHash), p.leafIdx, p.treeSize, (p.proof ?? []).map(b64), b64(p.root));
      assert.equal(ok, !p.wantErr, url.pathname);
      if (ok) happy++;
      else rejected++;
    }
    assert.ok(happy >= 6 && rejected >= 80, `${happy} happy, ${rejected} rejected`);
  });

  it('walks the ledger tree’s own proofs to its roots, from the entry text, and no altered text or index passes', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => `{"body":{"n":${i},"note":"Gate é ${i}"},"index":${i},"type":"note"}`);
    const tree = MemoryTree.fromLeaves(texts.map((t) => leafHashText(t)));
    for (const size of [1, 2, 3, 7, 8, 33, 64, 70]) {
      const root = new Uint8Array(tree.root(size));
      for (let i = 0; i < size; i += 5) {
        const leaf = await leafHash(texts[i] as string);
        assert.ok(sameBytes(leaf, new Uint8Array(leafHashText(texts[i] as string))), 'the same leaf hash as the ledger');
        const proof = tree.inclusionProof(i, size).map((h) => new Uint8Array(h));
        assert.equal(await verifyInclusion(leaf, i, size, proof, root), true, `${i} in ${size}`);
        assert.equal(await verifyInclusion(await leafHash(`${texts[i] as string} `), i, size, proof, root), false, 'a changed text');
        if (size > 1) assert.equal(await verifyInclusion(leaf, (i + 1) % size, size, proof, root), false, 'another index');
      }
    }
    assert.equal(typeof (await rootFromInclusionProof(new Uint8Array(32), 5, 5, [])), 'string', 'an index outside the tree');
  });
});

describe('the checkpoint note read in the browser (C2SP signed-note, tlog-checkpoint)', () => {
  const { signerKey, verifierKey } = generateSigner('concord.test/log');
  const body = `concord.test/log\n42\n${Buffer.alloc(32, 7).toString('base64')}\n`;
  const note = signNote(body, [parseSignerKey(signerKey)]);

  it('reads origin, size and root, and verifies the log’s Ed25519 signature with WebCrypto', async () => {
    const cp = parseCheckpoint(note);
    assert.ok(typeof cp !== 'string', String(cp));
    assert.equal(cp.origin, 'concord.test/log');
    assert.equal(cp.size, 42);
    assert.ok(sameBytes(cp.root, new Uint8Array(32).fill(7)));
    const key = parseVerifierKey(verifierKey);
    assert.ok(typeof key !== 'string', String(key));
    assert.equal(await verifyCheckpointSignature(cp, key), true);
  });

  it('refuses a changed size, another key, and text that is not a checkpoint', async () => {
    const key = parseVerifierKey(verifierKey);
    assert.ok(typeof key !== 'string');
    const forged = parseCheckpoint(note.replace('\n42\n', '\n43\n'));
    assert.ok(typeof forged !== 'string');
    assert.equal(await verifyCheckpointSignature(forged, key), false);
    const other = parseVerifierKey(generateSigner('concord.test/log').verifierKey);
    assert.ok(typeof other !== 'string');
    assert.equal(await verifyCheckpointSignature(parseCheckpoint(note) as Exclude<ReturnType<typeof parseCheckpoint>, string>, other), false);
    assert.equal(typeof parseCheckpoint('hello\n'), 'string');
    assert.equal(typeof parseCheckpoint('origin\nnot-a-size\nroot\n\n— x AAAA\n'), 'string');
    assert.equal(typeof parseVerifierKey('not a key'), 'string');
  });
});
