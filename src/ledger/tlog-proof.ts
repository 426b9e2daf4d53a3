/**
 * C2SP tlog-proof (c2sp.org/tlog-proof@v1): one entry's offline proof of
 * inclusion, as a text file. The `extra` line carries the entry's canonical
 * text (base64), which is what the leaf hashes (docs/ledger-format.md), so
 * the file proves itself: leaf hash SHA-256(0x00 || entry), the inclusion
 * proof, then the log's signed checkpoint verbatim (with any cosignatures).
 * The spec says extra data is not authenticated: here it is, by the proof.
 */
import { openCheckpoint, type Checkpoint } from './checkpoint.ts';
import { checkEntryText } from './entry.ts';
import { leafHash } from './merkle/hash.ts';
import { verifyInclusion } from './merkle/verify.ts';
import type { Verifier } from './note.ts';
import { Report } from './report.ts';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
const B64_HASH_RE = /^[A-Za-z0-9+/]{43}=$/;
const INDEX_RE = /^(0|[1-9][0-9]{0,15})$/;

/** the file for one entry: header, extra (the entry text), index, proof hashes, a blank line, the checkpoint note */
export function formatTlogProof(p: { readonly index: number; readonly entry: string; readonly proof: readonly string[]; readonly checkpoint: string }): string {
  const extra = Buffer.from(p.entry, 'utf8').toString('base64');
  return `${TLOG_PROOF_HEADER}\nextra ${extra}\nindex ${p.index}\n${p.proof.map((h) => `${h}\n`).join('')}\n${p.checkpoint}`;
}

export function looksLikeTlogProof(text: string): boolean {
  return text.startsWith(`${TLOG_PROOF_HEADER}\n`);
}

/**
 * Verifies a tlog-proof file of a Concord log (spec §"Verifying a tlog
 * proof": leaf hash from the extra line, the checkpoint signed by the log's
 * key, the inclusion proof against its root). `trusted` pins the log's key;
 * without it the proof cannot be checked at all (the file carries no key).
 */
export function verifyTlogProofText(text: string, trusted: readonly Verifier[]): Report {
  const report = new Report('tlog-proof');
  const blank = text.indexOf('\n\n');
  if (!looksLikeTlogProof(text) || blank < 0) {
    report.problem('tlog-proof', `does not start with "${TLOG_PROOF_HEADER}" and hold a checkpoint after a blank line`);
    return report;
  }
  const lines = text.slice(0, blank).split('\n').slice(1);
  const note = text.slice(blank + 2);
  let at = 0;
  const extraLine = lines[at]?.startsWith('extra ') ? lines[at++] : undefined;
  if (extraLine === undefined) {
    report.problem('tlog-proof.extra', "is missing: a Concord proof carries the entry's canonical text as its extra data");
    return report;
  }
  const extraB64 = extraLine.slice('extra '.length);
  const entryBytes = Buffer.from(extraB64, 'base64');
  if (entryBytes.toString('base64') !== extraB64 || entryBytes.length === 0) {
    report.problem('tlog-proof.extra', 'is not canonical base64');
    return report;
  }
  const indexLine = lines[at++];
  const m = indexLine === undefined ? null : /^index (.*)$/.exec(indexLine);
  if (m === null || !INDEX_RE.test(m[1] as string)) {
    report.problem('tlog-proof.index', 'is not "index N" with N a decimal without leading zeroes');
    return report;
  }
  const index = Number(m[1]);
  const proof: Buffer[] = [];
  for (const [i, h] of lines.slice(at).entries()) {
    const b = B64_HASH_RE.test(h) ? Buffer.from(h, 'base64') : undefined;
    if (b === undefined || b.toString('base64') !== h) {
      report.problem(`tlog-proof.proof[${i}]`, 'is not a canonical base64 SHA-256 hash');
      return report;
    }
    proof.push(b);
  }
  if (trusted.length === 0) {
    report.problem('tlog-proof', "carries no key of its own: pass the log's verifier key with --key");
    return report;
  }
  let cp: Checkpoint;
  try {
    const opened = openCheckpoint(note, trusted);
    const origin = opened.checkpoint.origin;
    if (!opened.signatures.some((s) => s.name === origin && s.type === 'ed25519')) throw new Error(`carries no verified signature by the log "${origin}"`);
    cp = opened.checkpoint;
  } catch (e) {
    report.problem('tlog-proof.checkpoint', (e as Error).message);
    return report;
  }
  report.origin = cp.origin;
  report.size = cp.size;
  report.checkpoints = 1;
  const entryText = entryBytes.toString('utf8');
  const checked = Buffer.from(entryText, 'utf8').equals(entryBytes) ? checkEntryText(entryText) : { problem: 'entry is not UTF-8' };
  if ('problem' in checked) report.problem(`entry ${index}`, checked.problem);
  else {
    if (checked.entry.index !== index) report.problem(`entry ${index}`, `says it is entry ${checked.entry.index}`);
    if (checked.entry.origin !== cp.origin) report.problem(`entry ${index}`, `belongs to log "${checked.entry.origin}", not "${cp.origin}"`);
  }
  if (index >= cp.size) report.problem(`entry ${index}`, `is beyond the checkpoint's tree size ${cp.size}`);
  else {
    try {
      verifyInclusion(leafHash(entryBytes), index, cp.size, proof, cp.root);
    } catch (e) {
      report.problem(`entry ${index}`, `inclusion proof fails: ${(e as Error).message}`);
    }
  }
  if (report.ok) report.entries = 1;
  return report;
}
