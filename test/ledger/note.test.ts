import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { isConcordError } from '../../src/errors.ts';
import type { ErrorCode } from '../../src/errors.ts';
import { cosignNote, generateSigner, MAX_SIGNATURES, openNote, parseSignerKey, parseVerifierKey, signNote } from '../../src/ledger/note.ts';

// Copied with their licences and provenance: test/vectors/signed-note/PROVENANCE.md
const EXTERNAL = new URL('../vectors/signed-note/', import.meta.url);

interface Vector {
  id: string;
  source: string;
  skey?: string;
  vkey?: string;
  vkeys?: string[];
  text?: string;
  note?: string;
  note_body?: string;
  bad_vkeys?: { vkey: string; upstream_comment: string }[];
  expect: Record<string, unknown>;
}

const vectors = (JSON.parse(readFileSync(new URL('vectors.json', EXTERNAL), 'utf8')) as { vectors: Vector[] }).vectors;

/** Asserts that fn throws a ConcordError with `code` and returns its message. */
function throwsCode(fn: () => unknown, code: ErrorCode, what: string): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isConcordError(e, code), `${what}: expected ConcordError ${code}, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `${what}: error message must be one line: ${JSON.stringify(e.message)}`);
    return e.message;
  }
  assert.fail(`${what}: expected ${code}, but nothing was thrown`);
}

// golang/mod sumdb/note/note_test.go
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const PETER_B64 = 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';
const ENOCH_B64 = 'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=';

/** Go's peterSig[:60] + "ABCD" + peterSig[60:], where 60 counts UTF-8 bytes (the em dash is 3). */
function insertABCD(sigLine: string): string {
  const bytes = Buffer.from(sigLine, 'utf8');
  return Buffer.concat([bytes.subarray(0, 60), Buffer.from('ABCD'), bytes.subarray(60)]).toString('utf8');
}

const KNOWN_EXPECT_KEYS = new Set([
  'valid_signatures',
  'sign(text, skey) == note',
  'note_if_only_PeterNeumann_trusted',
  'error',
  'origin', // checked in checkpoint.test.ts
  'size', // checked in checkpoint.test.ts
  'hash_is', // checked in checkpoint.test.ts
]);

describe('signed-note vectors (test/vectors/signed-note/vectors.json)', () => {
  it('has vectors', () => assert.ok(vectors.length >= 7));

  for (const v of vectors) {
    it(v.id, () => {
      for (const key of Object.keys(v.expect)) {
        assert.ok(KNOWN_EXPECT_KEYS.has(key), `${v.id}: unhandled expectation ${key}`);
      }
      let checks = 0;
      const vkeys = v.vkeys ?? (v.vkey !== undefined ? [v.vkey] : []);
      const verifiers = vkeys.map((k) => parseVerifierKey(k));
      verifiers.forEach((ver, i) => assert.equal(ver.verifierKey, vkeys[i], `${v.id}: vkey round trip`));

      if (v.skey !== undefined) {
        const signer = parseSignerKey(v.skey);
        assert.equal(signer.verifierKey, v.vkey, `${v.id}: skey derives the vkey`);
        const seed = Buffer.from(v.skey.split('+').slice(4).join('+'), 'base64').subarray(1);
        assert.deepEqual(generateSigner(signer.name, seed), { signerKey: v.skey, verifierKey: v.vkey }, `${v.id}: generateSigner from seed`);
        checks++;
        if (v.expect['sign(text, skey) == note'] === true) {
          assert.equal(signNote(v.text!, [signer]), v.note, `${v.id}: sign(text, skey) == note`);
          checks++;
        }
      }
      if (v.note !== undefined && Array.isArray(v.expect.valid_signatures)) {
        const opened = openNote(v.note, verifiers);
        assert.deepEqual(
          opened.verified.map((s) => s.name),
          v.expect.valid_signatures,
          `${v.id}: valid signatures`,
        );
        assert.deepEqual(opened.unverified, [], `${v.id}: no unverified signatures`);
        assert.ok(v.note.startsWith(opened.text) && opened.text.endsWith('\n'), `${v.id}: text`);
        // Also as bytes, the way a note arrives over the wire.
        assert.deepEqual(openNote(Buffer.from(v.note, 'utf8'), verifiers), opened, `${v.id}: open from bytes`);
        checks++;
      }
      if (v.note !== undefined && v.expect.note_if_only_PeterNeumann_trusted !== undefined) {
        const opened = openNote(
          v.note,
          verifiers.filter((x) => x.name === 'PeterNeumann'),
        );
        assert.deepEqual(
          opened.verified.map((s) => s.name),
          ['PeterNeumann'],
          `${v.id}: only Peter verified`,
        );
        assert.deepEqual(
          opened.unverified.map((s) => s.name),
          ['EnochRoot'],
          `${v.id}: Enoch unverified`,
        );
        checks++;
      }
      if (v.note !== undefined && typeof v.expect.error === 'string') {
        const message = throwsCode(() => openNote(v.note!, verifiers), 'NOTE_INVALID', v.id);
        assert.ok(message.includes(v.expect.error), `${v.id}: message ${JSON.stringify(message)} names ${v.expect.error}`);
        checks++;
      }
      for (const bad of v.bad_vkeys ?? []) {
        throwsCode(() => parseVerifierKey(bad.vkey), 'KEY_INVALID', `${v.id}: ${bad.upstream_comment}`);
        checks++;
      }
      if (v.note_body !== undefined) checks++; // parsed in checkpoint.test.ts
      assert.ok(checks > 0, `${v.id}: no check applies to this vector`);
    });
  }
});

describe('keys', () => {
  it('rejects every mangling of a verifier key (golang TestNewVerifier)', () => {
    parseVerifierKey(PETER_VKEY);
    const b = Buffer.from(PETER_VKEY);
    for (let i = 0; i <= b.length; i++) {
      for (let j = i + 1; j <= b.length; j++) {
        if (i === 0 && j === b.length) continue;
        throwsCode(() => parseVerifierKey(b.subarray(i, j).toString()), 'KEY_INVALID', `substring [${i}, ${j})`);
      }
    }
    for (let i = 0; i < b.length; i++) {
      const m = Buffer.from(b);
      m[i]! += 1;
      throwsCode(() => parseVerifierKey(m.toString('latin1')), 'KEY_INVALID', `byte ${i} incremented`);
    }
  });

  it('rejects every mangling of a signer key, without quoting it (golang TestNewSigner)', () => {
    parseSignerKey(PETER_SKEY);
    const seedB64 = PETER_SKEY.slice(PETER_SKEY.lastIndexOf('+', PETER_SKEY.length - 30) + 1);
    const leaks = (message: string): boolean => {
      for (let k = 0; k + 8 <= seedB64.length; k++) if (message.includes(seedB64.slice(k, k + 8))) return true;
      return false;
    };
    const b = Buffer.from(PETER_SKEY);
    let count = 0;
    for (let i = 0; i <= b.length; i++) {
      for (let j = i + 1; j <= b.length; j++) {
        if (i === 0 && j === b.length) continue;
        const message = throwsCode(() => parseSignerKey(b.subarray(i, j).toString()), 'KEY_INVALID', `substring [${i}, ${j})`);
        assert.ok(!leaks(message), `substring [${i}, ${j}): message leaks key material: ${message}`);
        count++;
      }
    }
    for (let i = 0; i < b.length; i++) {
      const m = Buffer.from(b);
      m[i]! += 1;
      const message = throwsCode(() => parseSignerKey(m.toString('latin1')), 'KEY_INVALID', `byte ${i} incremented`);
      assert.ok(!leaks(message), `byte ${i}: message leaks key material: ${message}`);
    }
    assert.ok(count > 3000);
  });

  it('never shows the private key of a parsed signer', () => {
    const signer = parseSignerKey(PETER_SKEY);
    const seedB64 = 'AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
    const seedHex = Buffer.from(seedB64, 'base64').subarray(1).toString('hex');
    for (const shown of [JSON.stringify(signer), inspect(signer, { showHidden: true, depth: 10 }), String(signer), `${Object.values(signer).join(' ')}`]) {
      assert.ok(!shown.includes(seedB64.slice(1, 20)) && !shown.includes(seedHex.slice(0, 16)) && !shown.includes('PRIVATE'), shown);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(signer)), { name: 'PeterNeumann', keyId: 'c74f20a3', verifierKey: PETER_VKEY });
    assert.ok(Object.isFrozen(signer));
  });

  it('never quotes a signer key given to the other parsers', () => {
    const s = PETER_SKEY;
    const inputs: [string, () => unknown][] = [
      ['parseVerifierKey(skey)', () => parseVerifierKey(s)],
      ['parseVerifierKey(skey without PRIVATE+KEY+)', () => parseVerifierKey(`${s.slice(12)}x`)],
      ['parseVerifierKey(skey with prefix)', () => parseVerifierKey(`x${s}`)],
      ['openNote(skey)', () => openNote(s, [])],
      ['openNote(skey line)', () => openNote(`${s}\n`, [])],
      ['openNote(text + skey)', () => openNote(`${TEXT}\n${s}\n`, [])],
      ['openNote(text + dash + skey)', () => openNote(`${TEXT}\n\u2014 ${s}\n`, [])],
      ['openNote(text + dash + name + skey)', () => openNote(`${TEXT}\n\u2014 PeterNeumann ${s}\n`, [])],
      ['openNote(skey as text)', () => openNote(`${s}\n\n${PETER_SIG}`, [parseVerifierKey(PETER_VKEY)])],
      ['signNote(skey)', () => signNote(s, [parseSignerKey(s)])],
      ['generateSigner(skey)', () => generateSigner(s)],
    ];
    for (const [what, fn] of inputs) {
      let message = '';
      try {
        fn();
      } catch (e) {
        message = e instanceof Error ? `${e.message} ${e.stack ?? ''}` : String(e);
        assert.ok(isConcordError(e), `${what}: ${message}`);
        assert.equal(e.details, undefined, what);
      }
      assert.notEqual(message, '', `${what} should have failed`);
      assert.ok(!message.includes(s) && !message.includes(s.slice(-30)), `${what}: message quotes the signer key: ${message}`);
    }
  });

  it('generates self-consistent keys (golang TestGenerateKey)', () => {
    const { signerKey, verifierKey } = generateSigner('EnochRoot');
    const signer = parseSignerKey(signerKey);
    const verifier = parseVerifierKey(verifierKey);
    assert.equal(signer.name, 'EnochRoot');
    assert.equal(verifier.name, 'EnochRoot');
    assert.equal(signer.keyId, verifier.keyId);
    assert.equal(signer.verifierKey, verifierKey);
    const note = signNote('hi\n', [signer]);
    assert.equal(openNote(note, [verifier]).text, 'hi\n');
    assert.notEqual(generateSigner('EnochRoot').signerKey, signerKey, 'fresh randomness');
  });

  it('rejects bad names and seeds in generateSigner', () => {
    for (const name of ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u2028b', 'a\u0085b', 'a\u3000b', 'a\u0001b', 'a\ud800b']) {
      throwsCode(() => generateSigner(name, new Uint8Array(32)), 'KEY_INVALID', JSON.stringify(name));
    }
    throwsCode(() => generateSigner('ok', new Uint8Array(31)), 'KEY_INVALID', 'short seed');
    throwsCode(() => generateSigner('ok', new Uint8Array(33)), 'KEY_INVALID', 'long seed');
    // Non-ASCII names are fine (transparency-dev makeIDs uses "Señor-%d").
    const { signerKey, verifierKey } = generateSigner('Se\u00f1or-1', new Uint8Array(32).fill(9));
    assert.equal(parseSignerKey(signerKey).verifierKey, verifierKey);
  });

  it('accepts and rejects the verifier keys of transparency-dev/formats', () => {
    // note/note_verifier_test.go, log/note_test.go, note/note_cosigv1_test.go
    const pairs: [string, string][] = [
      ['PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ', 'Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs'],
      ['PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci', 'Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH'],
      ['PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+', 'KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj'],
      ['PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU', 'Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots'],
    ];
    for (const [skey, vkey] of pairs) {
      assert.equal(parseSignerKey(skey).verifierKey, vkey, vkey);
      assert.equal(parseVerifierKey(vkey).type, 'ed25519', vkey);
    }
    const logandmap = parseSignerKey('PRIVATE+KEY+logandmap+38581672+AXJ0FKWOcO2ch6WC8kP705Ed3Gxu7pVtZLhfHAQwp+FE');
    assert.equal(openNote(signNote('hello\n', [logandmap]), [parseVerifierKey(logandmap.verifierKey)]).verified.length, 1);
    throwsCode(() => parseSignerKey('logandmap+38581672+Ab/PCr1eCclRPRMBqw/r5An1xO71MCnImLiospEq6b4l'), 'KEY_INVALID', 'public key as signer');

    assert.equal(parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6').type, 'ed25519');
    const remora = parseVerifierKey('remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2');
    assert.deepEqual(
      { ...remora },
      {
        name: 'remora.n621.de',
        keyId: 'da77ade7',
        type: 'cosignature/v1',
        verifierKey: 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
      },
    );
    const sigstore = 'AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=';
    const rejected: [string, string][] = [
      ['wrong number of parts', 'bananas.sigstore.dev+12344556'],
      ['invalid base64', 'rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!'],
      ['invalid algo', 'rekor.sigstore.dev+12345678+AwEB'],
      ['invalid keyhash', `rekor.sigstore.dev+NOT_A_NUMBER+${sigstore}`],
      ['incorrect keyhash', `rekor.sigstore.dev+00000000+${sigstore}`],
      // ECDSA (0x02) and RFC 6962 (0x05) keys are valid elsewhere; Concord supports Ed25519 only.
      ['ECDSA key (unsupported type)', `rekor.sigstore.dev+c0d23d6a+${sigstore}`],
      [
        'static CT key (unsupported type)',
        'ct.googleapis.com/logs/us1/argon2024+7deb49d0+BTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABB25bKnLaZTFXOa2pgO70rjcVEMXKJkMBgFQHZ1kwFlGK9zIAx0FtC2oCfeZQe0E++VXuiYE9hFSzhRlOy92K8A=',
      ],
      ['uppercase key id', 'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['unpadded base64', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'.slice(0, -1)],
      ['name with space', 'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ];
    for (const [what, vkey] of rejected) throwsCode(() => parseVerifierKey(vkey), 'KEY_INVALID', what);

    // The vectors' "wrong length key" is rejected for its stray base64 bits before its length is looked at;
    // a canonical wrong-length key with a matching key id must fail on the length.
    const material = Buffer.concat([Buffer.from([0x01]), Buffer.alloc(36, 7)]);
    const id = createHash('sha256').update('PeterNeumann\n').update(material).digest().subarray(0, 4).toString('hex');
    assert.match(
      throwsCode(() => parseVerifierKey(`PeterNeumann+${id}+${material.toString('base64')}`), 'KEY_INVALID', 'long key'),
      /must be 32 bytes, got 36/,
    );
  });
});

describe('signNote', () => {
  const peter = parseSignerKey(PETER_SKEY);

  it('rejects text the spec does not allow (golang TestSign)', () => {
    const bad: [string, string][] = [
      ['no final newline', 'abc'],
      ['empty', ''],
      ['control character', 'a\u0001b\n'],
      ['carriage return', 'a\r\n'],
      ['tab', 'a\tb\n'],
      ['lone surrogate', 'a\ud800\n'],
    ];
    for (const [what, text] of bad) throwsCode(() => signNote(text, [peter]), 'NOTE_INVALID', what);
    throwsCode(() => signNote(TEXT, []), 'NOTE_INVALID', 'no signers');
    throwsCode(() => signNote(TEXT, [{ ...peter }]), 'KEY_INVALID', 'a look-alike signer object');
  });

  it('round-trips texts with blank lines, dashes and non-ASCII', () => {
    const verifier = parseVerifierKey(PETER_VKEY);
    for (const text of [
      '\n',
      'a\n\n',
      'a\n\n\n',
      `x\n\n${PETER_SIG}`,
      'Ognuno sta solo sul cuor della terra\n\ned \u00e8 subito sera.\n',
      '\u{1F600}\u007f\n',
    ]) {
      const note = signNote(text, [peter]);
      assert.equal(openNote(note, [verifier]).text, text, JSON.stringify(text));
    }
  });

  it('writes one line per signer in order (golang ExampleSign_add_signatures)', () => {
    const enoch = parseSignerKey(generateSigner('EnochRoot', new Uint8Array(32)).signerKey);
    // golang's example derives EnochRoot from a zero reader, so this is its ENOCH_VKEY.
    assert.equal(enoch.verifierKey, ENOCH_VKEY);
    assert.equal(signNote(TEXT, [peter, enoch]), `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`);
  });
});

describe('openNote (golang TestOpen)', () => {
  const peterV = parseVerifierKey(PETER_VKEY);
  const enochV = parseVerifierKey(ENOCH_VKEY);
  const peter = { name: 'PeterNeumann', keyId: 'c74f20a3', signature: PETER_B64 };
  const enoch = { name: 'EnochRoot', keyId: 'af0cfe78', signature: ENOCH_B64 };

  it('verifies known keys and keeps unknown ones as unverified', () => {
    const one = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peterV]);
    assert.equal(one.text, TEXT);
    assert.deepEqual(one.verified, [{ ...peter, type: 'ed25519' }]);
    assert.deepEqual(one.unverified, [enoch]);

    const both = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peterV, enochV]);
    assert.deepEqual(both.verified, [
      { ...peter, type: 'ed25519' },
      { ...enoch, type: 'ed25519' },
    ]);
    assert.deepEqual(both.unverified, []);
  });

  it('rejects a note with no verifiable signature', () => {
    const message = throwsCode(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []), 'NOTE_INVALID', 'no verifiers');
    assert.match(message, /note has no verifiable signatures/);
    // C2SP: signatures from unknown keys are ignored "even if they share a name or ID (but not both)".
    const otherPeter = parseVerifierKey(generateSigner('PeterNeumann', new Uint8Array(32).fill(1)).verifierKey);
    throwsCode(() => openNote(`${TEXT}\n${PETER_SIG}`, [otherPeter]), 'NOTE_INVALID', 'same name, other key');
    const renamed = PETER_SIG.replace('PeterNeumann', 'PeterNeuman');
    const opened = openNote(`${TEXT}\n${renamed}${ENOCH_SIG}`, [peterV, enochV]);
    assert.deepEqual(
      opened.unverified.map((s) => s.name),
      ['PeterNeuman'],
      'same key id, other name',
    );
  });

  it('rejects an ambiguous verifier list only when it is used', () => {
    const message = throwsCode(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enochV, peterV, enochV]), 'NOTE_INVALID', 'duplicated verifier');
    assert.match(message, /^ambiguous key EnochRoot\+af0cfe78/);
    assert.equal(openNote(`${TEXT}\n${PETER_SIG}`, [enochV, peterV, enochV]).verified.length, 1);
  });

  it(`rejects more than ${MAX_SIGNATURES} signatures`, () => {
    const many = `${TEXT}\n${PETER_SIG.repeat(MAX_SIGNATURES + 1)}`;
    assert.match(
      throwsCode(() => openNote(many, [peterV]), 'NOTE_INVALID', '101 sigs'),
      /^malformed note/,
    );
    assert.match(
      throwsCode(() => openNote(many, []), 'NOTE_INVALID', '101 sigs, no verifiers'),
      /^malformed note/,
    );
    // C2SP: verifiers MUST accept at least 16 signatures.
    assert.equal(openNote(`${TEXT}\n${PETER_SIG.repeat(16)}`, [peterV]).verified.length, 1);
  });

  it('rejects an invalid signature by a known key', () => {
    const message = throwsCode(() => openNote(`${TEXT}\n${insertABCD(PETER_SIG)}`, [peterV]), 'NOTE_INVALID', 'tampered');
    assert.equal(message, 'invalid signature for key PeterNeumann+c74f20a3');
    // Every line by a known key is checked, even after a valid one by the same key.
    throwsCode(() => openNote(`${TEXT}\n${PETER_SIG}${insertABCD(PETER_SIG)}`, [peterV]), 'NOTE_INVALID', 'valid then tampered');
    // A signature by a known key over another text.
    throwsCode(() => openNote(`${TEXT.replace('answer', 'Answer')}\n${PETER_SIG}`, [peterV]), 'NOTE_INVALID', 'changed text');
  });

  it('reports duplicated verified and unverified signatures once', () => {
    const enochABCD = { ...enoch, signature: 'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5nABCD2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=' };
    const opened = openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${insertABCD(ENOCH_SIG)}`, [peterV]);
    assert.deepEqual(opened.verified, [{ ...peter, type: 'ed25519' }]);
    assert.deepEqual(opened.unverified, [enoch, enochABCD]);
  });

  it('rejects malformed notes', () => {
    const bad: [string, string | Uint8Array][] = [
      ['text only', TEXT],
      ['no signature lines', `${TEXT}\n`],
      ['no final newline', `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
      ['control character', `\u0001${TEXT}\n${PETER_SIG}`],
      ['invalid UTF-8', Buffer.concat([Buffer.from([0xff]), Buffer.from(`${TEXT}\n${PETER_SIG}`)])],
      ['lone surrogate', `\ud800${TEXT}\n${PETER_SIG}`],
      ['space in key name', `${TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`],
      ['space in key name, with newline', `${TEXT}\n\u2014 Bad Name ${PETER_B64}\n`],
      ['unexpected line', `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
      ['hyphen instead of em dash', `${TEXT}\n- PeterNeumann ${PETER_B64}\n`],
      ['en dash instead of em dash', `${TEXT}\n\u2013 PeterNeumann ${PETER_B64}\n`],
      ['no space after dash', `${TEXT}\n\u2014PeterNeumann ${PETER_B64}\n`],
      ['plus in key name', `${TEXT}\n\u2014 Peter+Neumann ${PETER_B64}\n`],
      ['no signature', `${TEXT}\n\u2014 PeterNeumann\n`],
      ['empty signature', `${TEXT}\n\u2014 PeterNeumann \n`],
      ['two spaces', `${TEXT}\n\u2014 PeterNeumann  ${PETER_B64}\n`],
      ['trailing space', `${TEXT}\n\u2014 PeterNeumann ${PETER_B64} \n`],
      ['unpadded base64', `${TEXT}\n\u2014 PeterNeumann ${PETER_B64.slice(0, -1)}\n`],
      ['non-canonical base64', `${TEXT}\n\u2014 PeterNeumann ${PETER_B64.slice(0, -2)}N=\n`],
      ['signature shorter than 5 bytes', `${TEXT}\n\u2014 PeterNeumann x08go/Y=\n`],
      ['blank line between signatures', `${TEXT}\n${PETER_SIG}\n${ENOCH_SIG}`],
      ['CRLF', `${TEXT}\n${PETER_SIG.replace('\n', '\r\n')}`],
    ];
    for (const [what, note] of bad) throwsCode(() => openNote(note, [peterV]), 'NOTE_INVALID', what);
  });

  it('refuses verifier objects it did not make', () => {
    throwsCode(() => openNote(`${TEXT}\n${PETER_SIG}`, [{ ...peterV }]), 'KEY_INVALID', 'look-alike verifier');
  });

  it('opens the spec example with no known key as unverifiable', () => {
    const example =
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \u00e8 subito sera.\n\n\u2014 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';
    assert.match(
      throwsCode(() => openNote(example, [peterV]), 'NOTE_INVALID', 'quasimodo'),
      /1 by unknown keys/,
    );
  });
});

describe('cosignatures (tlog-cosignature/v1, Ed25519)', () => {
  const body = 'test\n123\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n';
  const log = parseSignerKey(generateSigner('example.com/log', new Uint8Array(32).fill(3)).signerKey);
  const witness = parseSignerKey(generateSigner('witness.example.com/w1', new Uint8Array(32).fill(4)).signerKey);
  const logV = parseVerifierKey(log.verifierKey);
  const witnessV = parseVerifierKey(witness.cosignerVerifierKey);

  it('formats the cosigner vkey with type 0x04 and its own key id', () => {
    assert.equal(witnessV.type, 'cosignature/v1');
    assert.notEqual(witness.cosignerKeyId, witness.keyId);
    assert.equal(Buffer.from(witness.cosignerVerifierKey.split('+')[2]!, 'base64')[0], 0x04);
    const material = (vkey: string): Buffer => Buffer.from(vkey.slice(vkey.indexOf('+', vkey.indexOf('+') + 1) + 1), 'base64');
    assert.deepEqual(material(witness.cosignerVerifierKey).subarray(1), material(witness.verifierKey).subarray(1), 'same public key');
  });

  it('produces a line that verifies with the timestamp', () => {
    const line = cosignNote(body, witness, 1679315147);
    assert.match(line, /^\u2014 witness\.example\.com\/w1 [A-Za-z0-9+/]{102}==\n$/);
    const raw = Buffer.from(line.split(' ')[2]!, 'base64');
    assert.equal(raw.length, 4 + 8 + 64, 'key id || u64 timestamp || signature');
    assert.equal(raw.subarray(0, 4).toString('hex'), witness.cosignerKeyId);
    assert.equal(raw.readBigUInt64BE(4), 1679315147n);

    const note = signNote(body, [log]) + line;
    const opened = openNote(note, [logV, witnessV]);
    assert.deepEqual(
      opened.verified.map((s) => [s.name, s.type, s.timestamp]),
      [
        ['example.com/log', 'ed25519', undefined],
        ['witness.example.com/w1', 'cosignature/v1', 1679315147],
      ],
    );
    // The witness alone is enough for openNote (quorum policy is the caller's).
    assert.equal(openNote(note, [witnessV]).verified[0]!.timestamp, 1679315147);
  });

  it('does not mix up note signatures and cosignatures of one key', () => {
    // transparency-dev TestVKeyToCosignatureV1: a type 0x01 vkey cannot open a cosignature.
    const cosigned = `${body}\n${cosignNote(body, witness, 5)}`;
    throwsCode(() => openNote(cosigned, [parseVerifierKey(witness.verifierKey)]), 'NOTE_INVALID', '0x01 vkey on cosignature');
    const signed = signNote(body, [witness]);
    throwsCode(() => openNote(signed, [witnessV]), 'NOTE_INVALID', '0x04 vkey on note signature');
  });

  it('rejects a changed timestamp, text or extension line', () => {
    const line = cosignNote(`${body}Extendo\n`, witness, 1727964367);
    const raw = Buffer.from(line.split(' ')[2]!, 'base64');
    raw.writeBigUInt64BE(1727964368n, 4);
    const moved = `\u2014 ${witness.name} ${raw.toString('base64')}\n`;
    assert.equal(
      throwsCode(() => openNote(`${body}Extendo\n\n${moved}`, [witnessV]), 'NOTE_INVALID', 'timestamp'),
      `invalid signature for key ${witness.name}+${witness.cosignerKeyId}`,
    );
    throwsCode(() => openNote(`${body}Extendo\n\n${line}`.replace('Extendo', 'Extend@'), [witnessV]), 'NOTE_INVALID', 'extension');
    throwsCode(() => openNote(`${body}\n${line}`, [witnessV]), 'NOTE_INVALID', 'without the extension line');
    // A signature of the wrong length by a known cosigner is invalid, not malformed.
    const short = `\u2014 ${witness.name} ${raw.subarray(0, 4 + 64).toString('base64')}\n`;
    assert.match(
      throwsCode(() => openNote(`${body}\n${short}`, [witnessV]), 'NOTE_INVALID', 'no timestamp'),
      /^invalid signature/,
    );
    assert.equal(openNote(`${body}Extendo\n\n${line}`, [witnessV]).verified[0]!.timestamp, 1727964367);
  });

  it('validates its inputs', () => {
    throwsCode(() => cosignNote('no newline', witness, 1), 'NOTE_INVALID', 'text');
    throwsCode(() => cosignNote(body, witness, -1), 'NOTE_INVALID', 'negative time');
    throwsCode(() => cosignNote(body, witness, 1.5), 'NOTE_INVALID', 'fractional time');
    throwsCode(() => cosignNote(body, { ...witness }, 1), 'KEY_INVALID', 'look-alike signer');
  });
});
