/**
 * Verification bundles (docs/bundle.md): selected entries with inclusion
 * proofs against a signed checkpoint, verifiable offline with nothing but
 * the bundle and the log's verifier key. A bundle file is RFC 8785 canonical
 * JSON followed by one newline, so every byte of it is significant.
 */
import { canonicalize } from './canonical.ts';
import { openCheckpoint, type Checkpoint } from './checkpoint.ts';
import { checkDisclosures, checkEntryText, undisclosed, type Disclosure, type Entry } from './entry.ts';
import { EMPTY_ROOT, leafHash, type Hash } from './merkle/hash.ts';
import { verifyConsistency, verifyInclusion } from './merkle/verify.ts';
import { parseVerifierKey, type Verifier } from './note.ts';
import { Report } from './report.ts';
import { parseJsonStrict } from './strict-json.ts';
import { parseWithholdRules, RELEASE_FORMAT, WITHHELD_FIELDS, type WithholdRule, type Withheld } from './release.ts';

export const BUNDLE_FORMAT = 'concord-bundle/1';
const B64_HASH_RE = /^[A-Za-z0-9+/]{43}=$/;

/** the fields of each element of the format (docs/bundle.md): any other is refused, so no byte of a bundle is inert */
const BUNDLE_FIELDS = ['format', 'checkpoint', 'verifier_keys', 'entries', 'consistency'];
/** a release is a bundle that also states what it withholds and why (docs/releases.md) */
const RELEASE_FIELDS = [...BUNDLE_FIELDS, 'rules', 'withheld'];
const ENTRY_FIELDS = ['index', 'entry', 'inclusion_proof', 'disclosures'];
const DISCLOSURE_FIELDS = ['path', 'salt', 'value'];
const CONSISTENCY_FIELDS = ['checkpoint', 'proof'];

/** reports every field of `o` not in `known`, at `where.field` */
function unknownFields(o: Record<string, unknown>, known: readonly string[], where: string, report: Report): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) report.problem(`${where}.${k}`, 'is not a known field');
}

/** RFC 9162 §2.1.1: the tree of no leaves has one root, the hash of the empty string; a checkpoint of size 0 saying another commits to nothing that exists */
function emptyTreeProblem(cp: Checkpoint): string | undefined {
  if (cp.size === 0 && !cp.root.equals(EMPTY_ROOT)) {
    return `is of size 0 but its root is ${cp.root.toString('base64')}, not the empty tree's ${EMPTY_ROOT.toString('base64')} (RFC 9162 §2.1.1: SHA-256 of nothing)`;
  }
  return undefined;
}

export interface BundleEntry {
  readonly index: number;
  /** the exact canonical JSON text that was hashed */
  readonly entry: string;
  /** base64 hashes, RFC 9162 order, against the checkpoint's tree size */
  readonly inclusion_proof: readonly string[];
  readonly disclosures?: readonly Disclosure[];
}

export interface BundleConsistency {
  /** an older signed checkpoint of the same log */
  readonly checkpoint: string;
  /** RFC 9162 consistency proof from its size to the bundle checkpoint's size, base64 */
  readonly proof: readonly string[];
}

export interface Bundle {
  readonly format: typeof BUNDLE_FORMAT | typeof RELEASE_FORMAT;
  readonly checkpoint: string;
  readonly verifier_keys: readonly string[];
  readonly entries: readonly BundleEntry[];
  readonly consistency?: readonly BundleConsistency[];
}

/** a redacted public release: a bundle without the withheld values' disclosures, saying which it withholds under which rule */
export interface Release extends Bundle {
  readonly format: typeof RELEASE_FORMAT;
  readonly rules: readonly WithholdRule[];
  readonly withheld: readonly Withheld[];
}

export function serializeBundle(b: Bundle): string {
  return `${canonicalize(b)}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeHashes(list: unknown, where: string, report: Report): Hash[] | undefined {
  if (!Array.isArray(list)) {
    report.problem(where, 'is not an array of base64 hashes');
    return undefined;
  }
  const out: Hash[] = [];
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    // canonical only: the last character carries 2 padding bits that decoding ignores,
    // so without this check a changed byte could leave the same hash
    const h = typeof s === 'string' && B64_HASH_RE.test(s) ? Buffer.from(s, 'base64') : undefined;
    if (h === undefined || h.toString('base64') !== s) {
      report.problem(`${where}[${i}]`, 'is not a canonical base64 SHA-256 hash');
      return undefined;
    }
    out.push(h);
  }
  return out;
}

/**
 * Verifies a bundle file's text. `trusted` pins the log's verifier keys; when
 * it is empty the keys in the bundle are used and a warning says so.
 */
export function verifyBundleText(text: string, trusted: readonly Verifier[] = [], extraCheckpoints: readonly string[] = []): Report {
  let parsed: unknown;
  let unparsable: string | undefined;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    unparsable = (e as Error).message;
  }
  const report = new Report(isObject(parsed) && parsed.format === RELEASE_FORMAT ? 'release' : 'bundle');
  if (unparsable !== undefined) {
    report.problem('bundle', `is not valid JSON: ${unparsable}`);
    return report;
  }
  let canon: string | undefined;
  try {
    canon = canonicalize(parsed);
  } catch (e) {
    report.problem('bundle', (e as Error).message);
    return report;
  }
  if (`${canon}\n` !== text) {
    // the strict reader names what JSON.parse hid (a key given twice, a number altered), when that is why
    let why = '';
    try {
      parseJsonStrict(text.endsWith('\n') ? text.slice(0, -1) : text);
    } catch (e) {
      if (!/^not valid JSON/.test((e as Error).message)) why = `: ${(e as Error).message}`;
    }
    report.problem('bundle', `is not canonical JSON followed by one newline (it was reformatted or altered)${why}`);
  }
  if (!isObject(parsed)) {
    report.problem('bundle', 'is not a JSON object');
    return report;
  }
  const release = parsed.format === RELEASE_FORMAT;
  unknownFields(parsed, release ? RELEASE_FIELDS : BUNDLE_FIELDS, 'bundle', report);
  if (parsed.format !== BUNDLE_FORMAT && !release)
    report.problem('bundle.format', `is ${JSON.stringify(parsed.format)}, expected "${BUNDLE_FORMAT}" or "${RELEASE_FORMAT}"`);

  // keys: every listed key must parse, even unused ones, so no byte of the bundle is inert
  const bundleKeys: Verifier[] = [];
  if (!Array.isArray(parsed.verifier_keys)) {
    report.problem('bundle.verifier_keys', 'is not an array of verifier key strings');
  } else {
    // a key listed twice, or two keys a verifier cannot tell apart (same name and key id: a 32-bit
    // key id collision, since C2SP derives the id from the name and key), is refused for what it is
    const seen = new Map<string, { i: number; key: string }>();
    parsed.verifier_keys.forEach((k, i) => {
      let v: Verifier;
      try {
        if (typeof k !== 'string') throw new Error('is not a verifier key string');
        v = parseVerifierKey(k);
      } catch (e) {
        report.problem(`bundle.verifier_keys[${i}]`, (e as Error).message);
        return;
      }
      const id = `${v.name}+${v.keyId}`;
      const before = seen.get(id);
      if (before !== undefined) {
        report.problem(
          `bundle.verifier_keys[${i}]`,
          before.key === k
            ? `lists the key of "${v.name}" again (it is verifier_keys[${before.i}]); list each key once`
            : `has the name and key id of verifier_keys[${before.i}] ("${id}"), so a signature could not be told to be by one or the other`,
        );
        return;
      }
      seen.set(id, { i, key: k as string });
      bundleKeys.push(v);
    });
  }
  const verifiers = trusted.length > 0 ? trusted : bundleKeys;
  if (trusted.length === 0) report.warn("verifier keys were taken from the bundle itself; pass --key to pin the log's key");

  if (typeof parsed.checkpoint !== 'string') {
    report.problem('bundle.checkpoint', 'is not a signed note string');
    return report;
  }
  let cp: Checkpoint;
  try {
    const opened = openCheckpoint(parsed.checkpoint, verifiers);
    cp = opened.checkpoint;
    if (!opened.signatures.some((s) => s.name === cp.origin && s.type === 'ed25519')) {
      report.problem('bundle.checkpoint', `carries no verified signature by the log "${cp.origin}"`);
      return report;
    }
  } catch (e) {
    report.problem('bundle.checkpoint', (e as Error).message);
    return report;
  }
  report.origin = cp.origin;
  report.size = cp.size;
  report.checkpoints++;
  const empty = emptyTreeProblem(cp);
  if (empty !== undefined) report.problem('bundle.checkpoint', empty);
  if (trusted.length > 0 && !signedByListedLogKey(parsed.checkpoint, bundleKeys, cp.origin)) {
    // the bundle must stand on its own: whoever verifies it without pinning uses these keys
    report.problem('bundle.verifier_keys', `does not list the key of "${cp.origin}" that signed the checkpoint`);
  }

  if (!Array.isArray(parsed.entries)) {
    report.problem('bundle.entries', 'is not an array');
    return report;
  }
  let prevIndex = -1;
  let prevReceived = '';
  /** entries whose text and disclosures all checked out, for the release's account of what it withholds */
  const sound = new Map<number, { entry: Entry; disclosures: readonly Disclosure[] }>();
  parsed.entries.forEach((e, i) => {
    const where = `entries[${i}]`;
    if (!isObject(e)) return report.problem(where, 'is not an object');
    unknownFields(e, ENTRY_FIELDS, where, report);
    const index = e.index;
    if (!Number.isSafeInteger(index) || (index as number) < 0) return report.problem(`${where}.index`, 'is not a non-negative integer');
    const at = `${where} (index ${index})`;
    if ((index as number) <= prevIndex) report.problem(at, `is out of order: index ${index} follows ${prevIndex}`);
    prevIndex = index as number;
    if ((index as number) >= cp.size) return report.problem(at, `is beyond the checkpoint's tree size ${cp.size}`);
    if (typeof e.entry !== 'string') return report.problem(`${at}.entry`, 'is not a string');
    const checked = checkEntryText(e.entry);
    if ('problem' in checked) return report.problem(`${at}.entry`, checked.problem);
    const entry = checked.entry;
    if (entry.index !== index) report.problem(`${at}.entry`, `says index ${entry.index}, the bundle places it at ${index}`);
    if (entry.origin !== cp.origin) report.problem(`${at}.entry`, `belongs to log "${entry.origin}", not "${cp.origin}"`);
    if (entry.received < prevReceived) report.problem(`${at}.entry`, `received ${entry.received} is earlier than the entry before it (${prevReceived})`);
    prevReceived = entry.received;
    const proof = decodeHashes(e.inclusion_proof, `${at}.inclusion_proof`, report);
    if (proof) {
      try {
        verifyInclusion(leafHash(Buffer.from(e.entry, 'utf8')), index as number, cp.size, proof, cp.root);
      } catch (err) {
        report.problem(at, `inclusion proof fails: ${(err as Error).message}`);
      }
    }
    const problemsBefore = report.problems.length;
    if (e.disclosures !== undefined) {
      if (!Array.isArray(e.disclosures)) return report.problem(`${at}.disclosures`, 'is not an array');
      const paths = new Map<string, number>();
      checkDisclosures(entry, e.disclosures).forEach((problem, j) => {
        const d: unknown = (e.disclosures as unknown[])[j];
        const dw = `${at}.disclosures[${j}]`;
        const before = isObject(d) && typeof d.path === 'string' ? paths.get(d.path) : undefined;
        if (isObject(d) && typeof d.path === 'string' && before === undefined) paths.set(d.path, j);
        // a second disclosure of one path is inert at best: said as such, before what checking it again finds
        if (before !== undefined)
          report.problem(dw, `discloses ${String((d as { path: unknown }).path)} again (it is disclosures[${before}]); disclose each value once`);
        else if (problem) report.problem(dw, problem);
        else if (isObject(d) && Object.keys(d).some((k) => !DISCLOSURE_FIELDS.includes(k))) unknownFields(d, DISCLOSURE_FIELDS, dw, report);
        else report.disclosures++;
      });
    }
    if (report.problems.length === problemsBefore) sound.set(index as number, { entry, disclosures: (e.disclosures ?? []) as Disclosure[] });
    report.entries++;
  });
  if (release) checkWithheld(parsed, sound, report);

  // older checkpoints: the bundle's own (each {checkpoint, proof}), then those given with --checkpoint (a note alone)
  const older: Array<{ where: string; note: unknown; proof: unknown; inBundle: boolean }> = [];
  if (parsed.consistency !== undefined) {
    if (!Array.isArray(parsed.consistency)) report.problem('bundle.consistency', 'is not an array');
    else {
      const notes = new Map<string, number>();
      parsed.consistency.forEach((c, i) => {
        const where = `consistency[${i}]`;
        if (!isObject(c)) return report.problem(where, 'is not an object {"checkpoint": note, "proof": [hashes]}');
        unknownFields(c, CONSISTENCY_FIELDS, where, report);
        const before = typeof c.checkpoint === 'string' ? notes.get(c.checkpoint) : undefined;
        if (before !== undefined) return report.problem(where, `repeats consistency[${before}]; give each older checkpoint once`);
        if (typeof c.checkpoint === 'string') notes.set(c.checkpoint, i);
        if (c.proof === undefined)
          return report.problem(`${where}.proof`, 'is missing: each older checkpoint comes with its consistency proof (empty when the sizes are equal)');
        older.push({ where, note: c.checkpoint, proof: c.proof, inBundle: true });
      });
    }
  }
  extraCheckpoints.forEach((note, i) => older.push({ where: `--checkpoint #${i + 1}`, note, proof: undefined, inBundle: false }));
  for (const o of older) {
    if (typeof o.note !== 'string') {
      report.problem(o.inBundle ? `${o.where}.checkpoint` : o.where, o.inBundle ? 'is not a signed note string' : 'has no signed checkpoint');
      continue;
    }
    try {
      const old = openCheckpoint(o.note, verifiers, cp.origin).checkpoint;
      report.checkpoints++;
      const emptyOld = emptyTreeProblem(old);
      if (emptyOld !== undefined) {
        report.problem(o.where, `checkpoint ${emptyOld}`);
        continue;
      }
      if (old.size > cp.size) {
        report.problem(o.where, `checkpoint at size ${old.size} is newer than the bundle's (${cp.size}); verify against the newer one`);
        continue;
      }
      if (old.size === 0) {
        // the empty tree is a prefix of every tree: nothing to prove (RFC 9162 §2.1.4 defines proofs from 0 < m only)
        if (o.inBundle) report.problem(o.where, 'checkpoint is of size 0, which proves nothing about the log; leave it out');
        continue;
      }
      if (o.proof === undefined) {
        if (old.size === cp.size && !old.root.equals(cp.root)) report.problem(o.where, `forked: same size ${old.size}, other root`);
        else if (old.size !== cp.size) report.problem(o.where, `checkpoint at size ${old.size} needs a consistency proof to size ${cp.size}`);
        continue;
      }
      const proof = decodeHashes(o.proof, `${o.where}.proof`, report);
      if (proof) verifyConsistency(old.size, cp.size, proof, old.root, cp.root);
    } catch (e) {
      report.problem(o.where, `not consistent with the bundle checkpoint: ${(e as Error).message}`);
    }
  }
  return report;
}

/**
 * docs/releases.md: a release accounts for every sealed value of its
 * entries. Each is disclosed, or listed once in `withheld` under one of the
 * release's rules; nothing listed as withheld is disclosed or missing from
 * the entry. So a reader knows exactly what was left out and why, and a
 * value put back (in its place or another) is seen.
 */
function checkWithheld(
  parsed: Record<string, unknown>,
  sound: ReadonlyMap<number, { entry: Entry; disclosures: readonly Disclosure[] }>,
  report: Report,
): void {
  let rules: WithholdRule[] = [];
  try {
    rules = parseWithholdRules(parsed.rules, 'bundle.rules');
  } catch (e) {
    report.problem('bundle.rules', (e as Error).message.replace(/^bundle\.rules ?/, ''));
  }
  const ruleIds = new Set(rules.map((r) => r.id));
  if (!Array.isArray(parsed.withheld)) {
    report.problem('bundle.withheld', 'is not an array of {"index", "path", "rule"}');
    return;
  }
  const listed = new Map<number, Set<string>>();
  let prev = '';
  parsed.withheld.forEach((w: unknown, i) => {
    const where = `withheld[${i}]`;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) return report.problem(where, 'is not an object {"index", "path", "rule"}');
    unknownFields(w as Record<string, unknown>, WITHHELD_FIELDS, where, report);
    const { index, path, rule } = w as Record<string, unknown>;
    if (!Number.isSafeInteger(index) || typeof path !== 'string' || typeof rule !== 'string')
      return report.problem(where, 'needs an entry index, a JSON pointer path and a rule id');
    if (!ruleIds.has(rule)) report.problem(`${where}.rule`, `"${rule}" is not one of the release's rules`);
    const key = `${String(index).padStart(16, '0')} ${path}`;
    if (key <= prev) report.problem(where, 'is out of order or repeated: list each withheld value once, by index and path');
    prev = key;
    const entry = sound.get(index as number);
    if (entry === undefined) return report.problem(where, `names entry ${String(index)}, which is not a sound entry of this release`);
    let paths = listed.get(index as number);
    if (paths === undefined) listed.set(index as number, (paths = new Set()));
    paths.add(path);
  });
  for (const [index, { entry, disclosures }] of sound) {
    const missing = new Set(undisclosed(entry, disclosures));
    const paths = listed.get(index) ?? new Set<string>();
    for (const p of missing) {
      if (!paths.has(p)) report.problem(`entries (index ${index})`, `sealed value ${p} is neither disclosed nor listed as withheld`);
    }
    for (const p of paths) {
      if (missing.has(p)) report.withheld++;
      else
        report.problem(
          `entries (index ${index})`,
          `${p} is listed as withheld but the release ${disclosures.some((d) => d.path === p) ? 'discloses it' : 'has no sealed value there'}`,
        );
    }
  }
}

function signedByListedLogKey(note: string, keys: readonly Verifier[], origin: string): boolean {
  try {
    return openCheckpoint(note, keys).signatures.some((s) => s.name === origin && s.type === 'ed25519');
  } catch {
    return false;
  }
}
