/**
 * Witness policies (k of n cosignatures) and split-view evidence, pure.
 * Properties: cosignatures by keys the policy does not list never make a
 * checkpoint valid; evidence is made exactly when two checkpoints contradict
 * each other, and any change to an evidence file is caught.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { checkEvidenceText, makeEvidence, serializeEvidence } from '../../src/ledger/evidence.ts';
import { leafHash } from '../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../src/ledger/merkle/memory-tree.ts';
import { cosignNote, generateSigner, parseSignerKey, parseVerifierKey, type Signer } from '../../src/ledger/note.ts';
import { evaluatePolicy, parseWitnessPolicy } from '../../src/ledger/witness-policy.ts';

const ORIGIN = 'concord.test.example/log';
const log = parseSignerKey(generateSigner(ORIGIN, Buffer.alloc(32, 1)).signerKey);
const logV = parseVerifierKey(log.verifierKey);
const witnesses: Signer[] = [1, 2, 3, 4].map((i) => parseSignerKey(generateSigner(`w${i}.example/witness`, Buffer.alloc(32, 10 + i)).signerKey));
const strangers: Signer[] = [1, 2, 3].map((i) => parseSignerKey(generateSigner(`w${i}.example/witness`, Buffer.alloc(32, 50 + i)).signerKey));

function tree(n: number, salt = 'e'): MemoryTree {
  const t = new MemoryTree();
  for (let i = 0; i < n; i++) t.append(leafHash(Buffer.from(`${salt}${i}`)));
  return t;
}
const t = tree(10);
const cp = signCheckpoint({ origin: ORIGIN, size: 10, root: t.root(), extensions: [] }, log);
const body = cp.slice(0, cp.indexOf('\n\n') + 1);
const cosigned = (by: readonly Signer[]): string => cp + by.map((w) => cosignNote(body, w, 1_700_000_000)).join('');

const policyText = (k: string): string =>
  [
    '# three agencies; two must cosign',
    `log ${log.verifierKey}`,
    ...witnesses.slice(0, 3).map((w, i) => `witness a${i + 1} ${w.cosignerVerifierKey} http://127.0.0.1:${9000 + i}`),
    `group agencies ${k} a1 a2 a3`,
    'quorum agencies',
    '',
  ].join('\n');

describe('witness policy', () => {
  const policy = parseWitnessPolicy(policyText('2'));

  it('parses log, witness, group and quorum lines', () => {
    assert.equal(policy.logs.length, 1);
    assert.deepEqual(
      policy.witnesses.map((w) => w.name),
      ['a1', 'a2', 'a3'],
    );
    assert.deepEqual(policy.groups, [{ name: 'agencies', threshold: 2, members: ['a1', 'a2', 'a3'] }]);
  });

  it('is met by 2 of 3 and not by 1; all and any', () => {
    assert.equal(evaluatePolicy(cosigned(witnesses.slice(0, 2)), policy, [logV]).satisfied, true);
    assert.equal(evaluatePolicy(cosigned(witnesses.slice(1, 2)), policy, [logV]).satisfied, false);
    assert.equal(evaluatePolicy(cosigned(witnesses.slice(0, 2)), parseWitnessPolicy(policyText('all')), [logV]).satisfied, false);
    assert.equal(evaluatePolicy(cosigned(witnesses.slice(2, 3)), parseWitnessPolicy(policyText('any')), [logV]).satisfied, true);
  });

  it('a cosignature by a listed key that fails to verify makes the note malformed, and the policy unmet', () => {
    const good = cosigned(witnesses.slice(0, 2));
    const bad = good.replace(/(— w1\.example\/witness \S{20})(\S)/, (_m, a: string, c: string) => a + (c === 'A' ? 'B' : 'A'));
    assert.notEqual(bad, good);
    assert.equal(evaluatePolicy(bad, policy, [logV]).satisfied, false);
  });

  it('refuses malformed policies with the line', () => {
    for (const [text, re] of [
      ['quorum x\n', /line 1/],
      [`witness a ${log.verifierKey}\nquorum a\n`, /cosigner key/],
      [`witness a ${witnesses[0]!.cosignerVerifierKey}\ngroup g 3 a\nquorum g\n`, /threshold/],
      [`witness a ${witnesses[0]!.cosignerVerifierKey}\n`, /no quorum/],
      ['frobnicate\n', /unknown keyword/],
    ] as const) {
      assert.throws(() => parseWitnessPolicy(text), re);
    }
  });

  it('property: cosignatures by keys the policy does not list never make a checkpoint valid', () => {
    fc.assert(
      fc.property(fc.subarray([0, 1, 2, 3]), fc.subarray([0, 1, 2]), (listed, unknown) => {
        // witness 4 (index 3) is not in the policy; strangers share the listed names but not their keys
        const by = [...listed.map((i) => witnesses[i]!), ...unknown.map((i) => strangers[i]!)];
        const result = evaluatePolicy(cosigned(by), policy, [logV]);
        const listedCount = listed.filter((i) => i < 3).length;
        assert.equal(result.satisfied, listedCount >= 2);
        assert.equal(result.cosigned.length, listedCount);
      }),
      { numRuns: 100 },
    );
  });
});

describe('split-view evidence', () => {
  const observer = witnesses[3]!;
  const fork = tree(10, 'x');
  const forkCp = signCheckpoint({ origin: ORIGIN, size: 10, root: fork.root(), extensions: [] }, log);
  const make = (first: string, second: string, proof?: Buffer[]) =>
    makeEvidence({ first, second, ...(proof ? { proof } : {}), logVerifiers: [logV], observer, observed: '2026-12-02T12:00:00Z' });

  it('same size, different roots: a split view; verify reports the fork', () => {
    const e = make(cp, forkCp);
    assert.equal(e?.kind, 'split-view');
    const check = checkEvidenceText(serializeEvidence(e!), [logV]);
    assert.deepEqual([check.fork, check.kind, check.sizes, check.problems], [true, 'split-view', [10, 10], []]);
    assert.equal(check.observer, 'w4.example/witness');
  });

  it('different sizes with a failing proof: inconsistent', () => {
    const old = signCheckpoint({ origin: ORIGIN, size: 4, root: t.root(4), extensions: [] }, log);
    const e = make(old, forkCp, fork.consistencyProof(4, 10));
    assert.equal(e?.kind, 'inconsistent');
    assert.equal(checkEvidenceText(serializeEvidence(e!), [logV]).fork, true);
  });

  it('no evidence for consistent checkpoints', () => {
    const old = signCheckpoint({ origin: ORIGIN, size: 4, root: t.root(4), extensions: [] }, log);
    assert.equal(make(old, cp, t.consistencyProof(4, 10)), undefined);
    assert.equal(make(cp, cp), undefined);
  });

  it('refuses checkpoints not signed by the log', () => {
    const other = parseSignerKey(generateSigner(ORIGIN, Buffer.alloc(32, 99)).signerKey);
    const forged = signCheckpoint({ origin: ORIGIN, size: 10, root: fork.root(), extensions: [] }, other);
    assert.throws(() => make(cp, forged), { code: 'NOTE_INVALID' });
  });

  it('property: any byte changed in an evidence file is caught (no fork reported, or a problem named)', () => {
    const text = serializeEvidence(make(cp, forkCp)!);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 2 }), fc.integer({ min: 1, max: 25 }), (pos, delta) => {
        const c = text.charCodeAt(pos);
        const changed = text.slice(0, pos) + String.fromCharCode(c === 0x22 || c === 0x5c ? c + 1 : ((c - 32 + delta) % 94) + 32) + text.slice(pos + 1);
        if (changed === text) return;
        const check = checkEvidenceText(changed, [logV]);
        assert.ok(!check.fork || check.problems.length > 0, `changed at ${pos} still a clean fork`);
      }),
      { numRuns: 200 },
    );
  });
});
