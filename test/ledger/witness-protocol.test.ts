/**
 * The add-checkpoint exchange (C2SP tlog-witness) as pure functions: the
 * spec's own example bodies parsed and formatted back to the byte, every
 * status the spec names from judgeAddCheckpoint, and properties: a body
 * formats and parses back; a witness that cosigned a tree cosigns every
 * extension of it with a valid proof, and nothing else of that size.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { EMPTY_ROOT, leafHash } from '../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../src/ledger/merkle/memory-tree.ts';
import { generateSigner, openNote, parseSignerKey, parseVerifierKey, readNote } from '../../src/ledger/note.ts';
import {
  cosignJudged,
  formatAddCheckpoint,
  formatTlogSize,
  judgeAddCheckpoint,
  originHash,
  parseAddCheckpoint,
  parseTlogSize,
  type CosignedState,
} from '../../src/ledger/witness-protocol.ts';

const vector = (name: string): string => readFileSync(new URL(`../vectors/tlog-witness/${name}`, import.meta.url), 'utf8');

const ORIGIN = 'concord.test.example/log';
const log = parseSignerKey(generateSigner(ORIGIN, Buffer.alloc(32, 1)).signerKey);
const logV = parseVerifierKey(log.verifierKey);
const witness = parseSignerKey(generateSigner('concord.test.example/witness', Buffer.alloc(32, 2)).signerKey);
const witnessV = parseVerifierKey(witness.cosignerVerifierKey);
const other = parseSignerKey(generateSigner(ORIGIN, Buffer.alloc(32, 3)).signerKey);

function tree(n: number, salt = 'e'): MemoryTree {
  const t = new MemoryTree();
  for (let i = 0; i < n; i++) t.append(leafHash(Buffer.from(`${salt}${i}`)));
  return t;
}

function note(t: MemoryTree, size: number, signer = log): string {
  return signCheckpoint({ origin: ORIGIN, size, root: size === 0 ? EMPTY_ROOT : t.root(size), extensions: [] }, signer);
}

const findLog = (o: string) => (o === ORIGIN ? { origin: ORIGIN, verifiers: [logV] } : undefined);

describe('the spec examples, to the byte', () => {
  it('parses the example request body of tlog-witness and formats it back identically', () => {
    const body = vector('add-checkpoint-request.txt');
    const req = parseAddCheckpoint(Buffer.from(body, 'utf8'));
    assert.equal(req.oldSize, 20852014);
    assert.equal(req.proof.length, 4);
    assert.equal(req.proof[0]!.toString('base64'), 'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=');
    assert.ok(req.note.startsWith('example.com/behind-the-sofa\n20852163\n'));
    const { text, signatures } = readNote(req.note);
    assert.equal(text, 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    assert.equal(signatures.length, 2);
    assert.equal(formatAddCheckpoint(req), body);
  });

  it("reads the example response body's signature lines (one per line, em dash, name, base64)", () => {
    const body = vector('add-checkpoint-response.txt');
    const lines = body.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 3);
    // the response is concatenated to the checkpoint and read as one note (tlog-witness: "MAY concatenate it to the checkpoint")
    const cp = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n';
    const { signatures } = readNote(cp + body);
    assert.deepEqual(
      signatures.map((s) => s.name),
      ['witness.example/w1', 'witness.example/w1', 'witness.example/w2'],
    );
  });

  it('reads the Ed25519 cosignature of the tlog-cosignature example: key id, then the big-endian timestamp of its signed message', () => {
    const { signatures } = readNote(vector('cosigned-checkpoint.txt'));
    const cosig = signatures.find((s) => s.name === 'witness.example.com/w1')!;
    const bytes = Buffer.from(cosig.signature, 'base64');
    assert.equal(bytes.length, 4 + 8 + 64);
    // the spec's signed message for this example says "time 1679315147"
    assert.equal(bytes.readBigUInt64BE(4), 1679315147n);
  });

  it('formats the 409 body as the size and a newline, and reads only that', () => {
    assert.equal(formatTlogSize(20852014), '20852014\n');
    assert.equal(parseTlogSize('20852014\n'), 20852014);
    for (const bad of ['20852014', '020\n', '-1\n', '1 \n', '']) assert.throws(() => parseTlogSize(bad));
  });

  it('hashes the origin as lowercase hex SHA-256 (monitoring path)', () => {
    assert.equal(originHash('example.com/behind-the-sofa').length, 64);
    assert.match(originHash('a'), /^[0-9a-f]{64}$/);
  });
});

describe('parseAddCheckpoint refuses what the spec does not allow (400)', () => {
  const cp = note(tree(3), 3);
  const cases: Array<[string, string]> = [
    ['no old line', `\n${cp}`],
    ['leading zero', `old 01\n\n${cp}`],
    ['old without a space', `old1\n\n${cp}`],
    ['negative', `old -1\n\n${cp}`],
    ['a proof line that is not 32 bytes', `old 1\nAAAA\n\n${cp}`],
    ['no empty line', `old 0\n`],
    ['no checkpoint', `old 0\n\n`],
    ['64 proof lines', `old 1\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\n${cp}`],
  ];
  for (const [what, body] of cases) it(what, () => assert.throws(() => parseAddCheckpoint(body), { code: 'BAD_INPUT' }));
  it('invalid UTF-8', () => assert.throws(() => parseAddCheckpoint(Buffer.from([0x6f, 0x6c, 0x64, 0x20, 0xff])), { code: 'BAD_INPUT' }));
  it('63 proof lines are allowed', () => {
    const body = `old 1\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(63)}\n${cp}`;
    assert.equal(parseAddCheckpoint(body).proof.length, 63);
  });
});

describe('judgeAddCheckpoint: every status of tlog-witness', () => {
  const t = tree(20);
  const cosigned = (size: number): CosignedState => ({ size, root: t.root(size), note: note(t, size) });
  const judge = (oldSize: number, proof: Buffer[], n: string, state?: CosignedState) => judgeAddCheckpoint({ oldSize, proof, note: n }, findLog, () => state);

  it('cosigns a first checkpoint from old size 0 with no proof; the cosignature verifies with the witness vkey', () => {
    const j = judge(0, [], note(t, 5));
    assert.equal(j.kind, 'cosign');
    if (j.kind !== 'cosign') return;
    const { line, state } = cosignJudged(j, witness, 1_700_000_000);
    assert.match(line, /^— concord\.test\.example\/witness [A-Za-z0-9+/]+=*\n$/);
    const opened = openNote(note(t, 5) + line, [logV, witnessV]);
    assert.deepEqual(
      opened.verified.map((s) => [s.type, s.timestamp]),
      [
        ['ed25519', undefined],
        ['cosignature/v1', 1_700_000_000],
      ],
    );
    // what monitors are served: the log's signature and the cosignature
    assert.equal(openNote(state.note, [logV, witnessV]).verified.length, 2);
  });

  it('cosigns an extension with a valid consistency proof', () => {
    assert.equal(judge(5, t.consistencyProof(5, 12), note(t, 12), cosigned(5)).kind, 'cosign');
  });

  it('cosigns the same checkpoint again (old size = size, same root, empty proof)', () => {
    assert.equal(judge(12, [], note(t, 12), cosigned(12)).kind, 'cosign');
  });

  it('404 for an origin it does not witness', () => {
    const stranger = parseSignerKey(generateSigner('elsewhere.example/log', Buffer.alloc(32, 9)).signerKey);
    const n = signCheckpoint({ origin: 'elsewhere.example/log', size: 1, root: t.root(1), extensions: [] }, stranger);
    assert.equal((judge(0, [], n) as { status: number }).status, 404);
  });

  it('403 when no trusted key signed it (a key of the same name but another key id is unknown)', () => {
    assert.equal((judge(0, [], note(t, 5, other)) as { status: number }).status, 403);
  });

  it('403 when the trusted key signature fails to verify', () => {
    const n = note(t, 5);
    const lines = n.split('\n');
    const sigLine = lines[lines.length - 2]!;
    const sig = Buffer.from(sigLine.split(' ')[2]!, 'base64');
    sig[10]! ^= 1;
    lines[lines.length - 2] = `— ${ORIGIN} ${sig.toString('base64')}`;
    assert.equal((judge(0, [], lines.join('\n')) as { status: number }).status, 403);
  });

  it('400 when old size is beyond the checkpoint size', () => {
    assert.equal((judge(6, [], note(t, 5), cosigned(6)) as { status: number }).status, 400);
  });

  it("409 with the witness's size when old size is not its latest", () => {
    const j = judge(0, [], note(t, 12), cosigned(5));
    assert.deepEqual([j.kind, (j as { status: number }).status, (j as { size?: number }).size], ['refuse', 409, 5]);
  });

  it('422 when a checkpoint of size 0 has another root', () => {
    const n = signCheckpoint({ origin: ORIGIN, size: 0, root: t.root(1), extensions: [] }, log);
    assert.equal((judge(0, [], n) as { status: number }).status, 422);
  });

  it('422 when old size 0 comes with a proof', () => {
    assert.equal((judge(0, [t.root(1)], note(t, 5)) as { status: number }).status, 422);
  });

  it('422 when the consistency proof fails (a rewritten history)', () => {
    const rewritten = tree(12, 'x');
    const j = judge(5, rewritten.consistencyProof(5, 12), note(rewritten, 12), cosigned(5));
    assert.equal((j as { status: number }).status, 422);
    assert.ok((j as { signed?: unknown }).signed, 'signed by the log: kept as evidence');
  });

  it('422 and a split view when the same size comes with another root', () => {
    const fork = tree(12, 'x');
    const j = judge(12, [], note(fork, 12), cosigned(12));
    assert.deepEqual([(j as { status: number }).status, (j as { splitView?: boolean }).splitView], [422, true]);
  });
});

describe('properties', () => {
  it('a request body formats and parses back to the same request', () => {
    const t = tree(40);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), (size, o) => {
        const old = Math.min(o, size);
        const proof = old > 0 && old < size ? t.consistencyProof(old, size) : [];
        const req = { oldSize: old, proof, note: note(t, size) };
        const body = formatAddCheckpoint(req);
        const back = parseAddCheckpoint(Buffer.from(body));
        assert.equal(back.oldSize, old);
        assert.deepEqual(back.proof, proof);
        assert.equal(back.note, req.note);
        assert.equal(formatAddCheckpoint(back), body);
      }),
      { numRuns: 100 },
    );
  });

  it('having cosigned size m, the witness cosigns any n >= m with the true proof, and refuses any other tree of size n > m', () => {
    const t = tree(30);
    const forged = tree(30, 'f');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 29 }), (n, d) => {
        const m = Math.max(1, n - d);
        const state: CosignedState = { size: m, root: t.root(m), note: note(t, m) };
        const proof = m < n ? t.consistencyProof(m, n) : [];
        assert.equal(judgeAddCheckpoint({ oldSize: m, proof, note: note(t, n) }, findLog, () => state).kind, 'cosign');
        const fproof = m < n ? forged.consistencyProof(m, n) : [];
        const j = judgeAddCheckpoint({ oldSize: m, proof: fproof, note: note(forged, n) }, findLog, () => state);
        assert.equal(j.kind, 'refuse');
        assert.equal((j as { status: number }).status, 422);
      }),
      { numRuns: 60 },
    );
  });
});
