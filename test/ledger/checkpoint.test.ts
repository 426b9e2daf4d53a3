import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isConcordError } from '../../src/errors.ts';
import type { Checkpoint } from '../../src/ledger/checkpoint.ts';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { cosignNote, generateSigner, parseSignerKey, parseVerifierKey, signNote } from '../../src/ledger/note.ts';

interface Vector {
  id: string;
  vkey?: string;
  note?: string;
  note_body?: string;
  expect: { origin?: string; size?: number; hash_is?: string; valid_signatures?: string[] };
}

const vectors = (JSON.parse(readFileSync(new URL('../vectors/signed-note/vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors;

function throwsInvalid(fn: () => unknown, what: string): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isConcordError(e, 'NOTE_INVALID'), `${what}: expected NOTE_INVALID, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `${what}: one-line message`);
    return e.message;
  }
  assert.fail(`${what}: expected NOTE_INVALID, but nothing was thrown`);
}

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();
const ROOT = sha256(Buffer.from('root'));

describe('checkpoint vectors (test/vectors/signed-note/vectors.json)', () => {
  const checkpointVectors = vectors.filter((v) => v.note_body !== undefined || v.expect.origin !== undefined);
  it('has the checkpoint vectors', () => {
    assert.deepEqual(
      checkpointVectors.map((v) => v.id),
      ['sumdb-checkpoint', 'golang-mod-tree-note-body'],
    );
  });

  for (const v of checkpointVectors) {
    it(v.id, () => {
      if (v.note !== undefined) {
        const verifier = parseVerifierKey(v.vkey!);
        const opened = openCheckpoint(v.note, [verifier], v.expect.origin);
        assert.equal(opened.checkpoint.origin, v.expect.origin, `${v.id}: origin`);
        assert.equal(opened.checkpoint.size, v.expect.size, `${v.id}: size`);
        assert.deepEqual(
          opened.signatures.map((s) => s.name),
          v.expect.valid_signatures,
          `${v.id}: signatures`,
        );
        assert.equal(opened.note, v.note, `${v.id}: note`);
        assert.equal(formatCheckpoint(opened.checkpoint), v.note.slice(0, v.note.indexOf('\n\n') + 1), `${v.id}: format round trip`);
        // transparency-dev TestSumDBNoteParsing "wrong logID".
        throwsInvalid(() => openCheckpoint(v.note!, [verifier], 'Go rocks but I might have the wrong ID'), `${v.id}: wrong origin`);
      }
      if (v.note_body !== undefined) {
        const cp = parseCheckpoint(v.note_body);
        assert.equal(cp.size, v.expect.size, `${v.id}: size`);
        assert.equal(v.expect.hash_is, "base64(SHA-256(0x00 || 'hello world'))", `${v.id}: known hash description`);
        assert.deepEqual(cp.root, sha256(Buffer.from('\u0000hello world', 'latin1')), `${v.id}: root is the RFC 6962 leaf hash of "hello world"`);
        assert.equal(formatCheckpoint(cp), v.note_body, `${v.id}: format round trip`);
      }
    });
  }
});

describe('parseCheckpoint and formatCheckpoint', () => {
  const b64 = ROOT.toString('base64');

  it('parses valid texts (transparency-dev TestUnmarshalLogState, 32-byte roots)', () => {
    assert.deepEqual(parseCheckpoint(`Log\n123\n${b64}\n`), { origin: 'Log', size: 123, root: ROOT, extensions: [] });
    assert.deepEqual(parseCheckpoint(`Log\n9944\n${b64}\nHere's some associated data.\n`).extensions, ["Here's some associated data."]);
    assert.deepEqual(parseCheckpoint(`Log\n9944\n${b64}\nlots\nof\nlines\n`).extensions, ['lots', 'of', 'lines']);
    assert.equal(parseCheckpoint(`Log\n0\n${b64}\n`).size, 0);
    assert.equal(parseCheckpoint(`Log\n${Number.MAX_SAFE_INTEGER}\n${b64}\n`).size, Number.MAX_SAFE_INTEGER);
    assert.equal(parseCheckpoint(`go.sum database tree\n1\n${b64}\n`).origin, 'go.sum database tree');
    // The moon-log example of transparency-dev/formats: extension lines are opaque.
    assert.deepEqual(parseCheckpoint(`Moon Log\n4027504\n${b64}\n6086d1a9\nWaxing gibbous\n`).extensions, ['6086d1a9', 'Waxing gibbous']);
  });

  /** The same base64 digit with its last two (padding) bits set. */
  const nonZeroPadding = (digit: string): string => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    return alphabet[alphabet.indexOf(digit) | 0b11]!;
  };

  it('rejects invalid texts', () => {
    const bad: [string, string][] = [
      ['insufficient lines', 'Head\n9944\n'],
      ['empty origin', `\n9944\n${b64}\n`],
      ['missing newline on root', `Log\n123\n${b64}`],
      ['size not a number', `Log\nbananas\n${b64}\n`],
      ['size negative', `Log\n-34\n${b64}\n`],
      ['size too large', `Log\n3438945738945739845734895735\n${b64}\n`],
      ['size 2^53', `Log\n${2 ** 53}\n${b64}\n`],
      ['size hex', `Log\n0xabcdef\n${b64}\n`],
      ['size leading zero', `Log\n0123\n${b64}\n`],
      ['size 00', `Log\n00\n${b64}\n`],
      ['size plus', `Log\n+1\n${b64}\n`],
      ['size space', `Log\n 1\n${b64}\n`],
      ['size exponent', `Log\n1e3\n${b64}\n`],
      ['size empty', `Log\n\n${b64}\n`],
      ['root not base64', "Log\n123\nThisIsn'tBase64\n"],
      ['root too short', 'Log\n123\nYmFuYW5hcw==\n'],
      ['root too long', `Log\n123\n${Buffer.alloc(33).toString('base64')}\n`],
      ['root unpadded', `Log\n123\n${b64.slice(0, -1)}\n`],
      ['root non-canonical', `Log\n123\n${b64.slice(0, -2)}${nonZeroPadding(b64.at(-2)!)}=\n`],
      ['root bad hash', 'go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n'],
      ['trailing newlines', `Log\n9944\n${b64}\n\n\n\n`],
      ['empty extension line', `Log\n9944\n${b64}\na\n\nb\n`],
      ['control character in origin', `Lo\u0001g\n1\n${b64}\n`],
      ['carriage return', `Log\r\n1\n${b64}\n`],
      ['empty', ''],
    ];
    for (const [what, text] of bad) {
      const message = throwsInvalid(() => parseCheckpoint(text), what);
      if (text.length > 20) assert.ok(!message.includes(b64), `${what}: message quotes the input`);
    }
  });

  it('formats checkpoints (golang TestFormatTree) and rejects what it could not parse back', () => {
    const hello = sha256(Buffer.from('\u0000hello world', 'latin1'));
    assert.equal(
      formatCheckpoint({ origin: 'go.sum database tree', size: 123456789012, root: hello, extensions: [] }),
      'go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n',
    );
    const ok: Checkpoint = { origin: 'o', size: 1, root: ROOT, extensions: [] };
    const bad: [string, Checkpoint][] = [
      ['empty origin', { ...ok, origin: '' }],
      ['newline in origin', { ...ok, origin: 'a\nb' }],
      ['negative size', { ...ok, size: -1 }],
      ['fractional size', { ...ok, size: 1.5 }],
      ['unsafe size', { ...ok, size: 2 ** 53 }],
      ['NaN size', { ...ok, size: Number.NaN }],
      ['short root', { ...ok, root: Buffer.alloc(31) }],
      ['empty extension', { ...ok, extensions: [''] }],
      ['newline in extension', { ...ok, extensions: ['a\nb'] }],
    ];
    for (const [what, cp] of bad) throwsInvalid(() => formatCheckpoint(cp), what);
  });
});

describe('signCheckpoint and openCheckpoint', () => {
  // transparency-dev/formats log/note_test.go
  const logS = parseSignerKey('PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ');
  const k1S = parseSignerKey('PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci');
  const k2S = parseSignerKey('PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+');
  const unS = parseSignerKey('PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU');
  const verifiers = [logS, k1S, k2S].map((s) => parseVerifierKey(s.verifierKey));
  const cp: Checkpoint = { origin: 'TestParseCheckpoint', size: 42, root: ROOT, extensions: [] };
  const body = formatCheckpoint(cp);

  it('opens what it signed', () => {
    const note = signCheckpoint(cp, logS);
    const opened = openCheckpoint(note, verifiers, 'TestParseCheckpoint');
    assert.deepEqual(opened.checkpoint, cp);
    assert.equal(opened.note, note);
    assert.deepEqual(
      opened.signatures.map((s) => s.name),
      ['Log'],
    );
    assert.deepEqual(openCheckpoint(Buffer.from(note), verifiers), opened);
  });

  it('counts signatures as transparency-dev TestParseCheckpoint does', () => {
    const cases: [string, (typeof logS)[], number, string[]][] = [
      ['just log sig', [logS], 1, []],
      ['log and known1 sig', [logS, k1S], 2, []],
      ['log, known1, and unknown sig', [logS, k1S, unS], 2, ['Unknown']],
      ['just required sigs', [logS, k1S, k2S], 3, []],
      ['one verifier signs twice', [logS, k1S, k1S], 2, []],
      ['just required sigs in mixed order', [k2S, logS, k1S], 3, []],
      ['all sigs', [logS, k1S, k2S, unS], 3, ['Unknown']],
      // Upstream rejects this one because the log's own key did not sign; here that is the caller's policy.
      ['just known', [k1S, k2S], 2, []],
    ];
    for (const [what, signers, verified, unverified] of cases) {
      const opened = openCheckpoint(signNote(body, signers), verifiers, 'TestParseCheckpoint');
      assert.equal(opened.signatures.length, verified, what);
      assert.deepEqual(
        opened.unverified.map((s) => s.name),
        unverified,
        what,
      );
    }
    assert.ok(!openCheckpoint(signNote(body, [k1S, k2S]), verifiers).signatures.some((s) => s.name === 'Log'));
    throwsInvalid(() => openCheckpoint(signNote(body, [unS]), verifiers), 'no sigs by known keys');
    throwsInvalid(() => openCheckpoint(signNote("if this is a valid checkpoint then I'll eat my hat\n", [logS]), verifiers), 'bad body good sigs');
    throwsInvalid(() => openCheckpoint(signNote(body, [logS, k1S, k2S, unS]), verifiers, 'this is not the logID you are looking for'), 'wrong origin');
  });

  it('opens the sumdb checkpoint with extra signatures (transparency-dev BenchmarkParse)', () => {
    const base =
      'go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n\u2014 sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n';
    const sumdb = parseVerifierKey('sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8');
    const others = [
      'monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT',
      'bananas+cf639f13+AaPjhFnPCQnid/Ql32KWhmh+uk72FVRfK+2DLmO3BI3M',
      'witness+f13a86db+AdYV1Ztajd9BvyjP2HgpwrqYL6TjOwIjGMOq8Bu42xbN',
    ].map((k) => parseVerifierKey(k));
    const sigs = [
      '\u2014 monkeys 202ffh9ve46Mqbhuyb4wnC2Pwdan5EsXQym/tF1ggXJqhjGosU4T5intH4iKMRgDLxrnXuIjRaU2NbvAnaepM6Y+8ww=\n',
      '\u2014 bananas z2OfE+2bbsBZ7NLgfuslc0v7NFW2QyexJ7fhePpoL2N/P7N/COd5S+JNHbQEAlYzz2C5sg0E+x/MggS1mDR6t3/9rQw=\n',
      '\u2014 witness 8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=\n',
    ];
    const random = [
      '\u2014 random1 8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=\n',
      '\u2014 random2 8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=\n',
    ];
    const all = openCheckpoint(base + sigs.join(''), [sumdb, ...others], 'go.sum database tree');
    assert.deepEqual(
      all.signatures.map((s) => s.name),
      ['sum.golang.org', 'monkeys', 'bananas', 'witness'],
    );
    const one = openCheckpoint(base + sigs.join('') + random.join(''), [sumdb, others[0]!], 'go.sum database tree');
    assert.deepEqual(
      one.signatures.map((s) => s.name),
      ['sum.golang.org', 'monkeys'],
    );
    assert.deepEqual(
      one.unverified.map((s) => s.name),
      ['bananas', 'witness', 'random1', 'random2'],
    );
  });

  it('carries witness cosignatures', () => {
    const witness = parseSignerKey(generateSigner('witness.example/w1', new Uint8Array(32).fill(7)).signerKey);
    const note = signCheckpoint(cp, logS) + cosignNote(body, witness, 1700000000);
    const opened = openCheckpoint(note, [verifiers[0]!, parseVerifierKey(witness.cosignerVerifierKey)], cp.origin);
    assert.deepEqual(
      opened.signatures.map((s) => [s.name, s.type, s.timestamp]),
      [
        ['Log', 'ed25519', undefined],
        ['witness.example/w1', 'cosignature/v1', 1700000000],
      ],
    );
  });
});

describe('properties', () => {
  const log = parseSignerKey(generateSigner('example.com/log', new Uint8Array(32).fill(1)).signerKey);
  const witness = parseSignerKey(generateSigner('example.com/witness', new Uint8Array(32).fill(2)).signerKey);
  const logV = parseVerifierKey(log.verifierKey);
  const witnessV = parseVerifierKey(witness.cosignerVerifierKey);

  const line = fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }).map((s) => s.replace(/[\u0000-\u001f]/g, 'x').replace(/\p{Surrogate}/gu, 'y'));
  const checkpoint: fc.Arbitrary<Checkpoint> = fc.record(
    {
      origin: line,
      size: fc.maxSafeNat(),
      root: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b)),
      extensions: fc.array(line, { maxLength: 3 }),
    },
    { noNullPrototype: true },
  );

  function mutate(note: string, at: number, xor: number): Buffer {
    const bytes = Buffer.from(note, 'utf8');
    const i = Math.floor(at * bytes.length);
    bytes[i]! ^= xor;
    return bytes;
  }

  it('sign then open gives back the checkpoint', () => {
    fc.assert(
      fc.property(checkpoint, (cp) => {
        const opened = openCheckpoint(signCheckpoint(cp, log), [logV], cp.origin);
        assert.deepEqual(opened.checkpoint, cp);
        assert.deepEqual(parseCheckpoint(formatCheckpoint(cp)), cp);
      }),
      { numRuns: 200 },
    );
  });

  it('any single-byte change to a signed checkpoint makes opening fail', () => {
    fc.assert(
      fc.property(checkpoint, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 255 }), (cp, at, xor) => {
        const note = signCheckpoint(cp, log);
        throwsInvalid(() => openCheckpoint(mutate(note, at, xor), [logV], cp.origin), 'mutated note');
      }),
      { numRuns: 400 },
    );
  });

  it('every byte of one signed checkpoint matters, and every truncation fails', () => {
    const cp: Checkpoint = { origin: 'example.com/log', size: 20852163, root: ROOT, extensions: ['ext'] };
    const note = signCheckpoint(cp, log);
    const length = Buffer.byteLength(note);
    for (let i = 0; i < length; i++) {
      for (const xor of [0x01, 0x20, 0x80, 0xff]) {
        throwsInvalid(() => openCheckpoint(mutate(note, (i + 0.5) / length, xor), [logV]), `byte ${i} ^ ${xor}`);
      }
    }
    for (let end = 0; end < length; end++) {
      throwsInvalid(() => openCheckpoint(Buffer.from(note).subarray(0, end), [logV]), `truncated to ${end}`);
    }
  });

  it('a single-byte change to a cosigned checkpoint never yields the same verified result', () => {
    fc.assert(
      fc.property(
        checkpoint,
        fc.nat({ max: 2 ** 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 255 }),
        (cp, time, at, xor) => {
          const note = signCheckpoint(cp, log) + cosignNote(formatCheckpoint(cp), witness, time);
          const original = openCheckpoint(note, [logV, witnessV], cp.origin);
          assert.equal(original.signatures.length, 2);
          let changed;
          try {
            changed = openCheckpoint(mutate(note, at, xor), [logV, witnessV], cp.origin);
          } catch (e) {
            assert.ok(isConcordError(e, 'NOTE_INVALID'), String(e));
            return;
          }
          // Only a change that turns a signature line into an unknown key can open; that signature is then gone.
          assert.notDeepEqual(changed.signatures, original.signatures);
          assert.equal(changed.signatures.length, 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
