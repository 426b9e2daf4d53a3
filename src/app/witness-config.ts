/**
 * A node's witnessing configuration, DIR/witnesses.json (docs/witnesses.md):
 *
 *   {
 *     "format": 1,
 *     "logs": [{"origin": "...", "key": "<log vkey, type 0x01>"}],   logs this node witnesses
 *     "witnesses": [{"name": "...", "key": "<cosigner vkey, type 0x04>", "url": "http://..."}],
 *                                                                     witnesses of this node's log
 *     "quorum": 1                                                     how many of them must cosign
 *   }
 *
 * and the node's own witness key, DIR/keys/witness.key (mode 0600) and
 * witness.pub (its cosigner vkey), made on first need. A separate key from
 * the log's: tlog-cosignature's Ed25519 message does not commit to the
 * cosigner name, so a cosigning key should sign nothing else.
 *
 * Every change is written atomically (atomic-file.ts); a missing file is
 * the empty configuration.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConcordError } from '../errors.ts';
import { generateSigner, parseSignerKey, parseVerifierKey, type Signer, type Verifier } from '../ledger/note.ts';
import { parseJsonStrict } from '../ledger/strict-json.ts';
import { createFileOnceSync, writeFileAtomicallySync } from './atomic-file.ts';
import type { NodeDir } from './node-dir.ts';

export const WITNESS_CONFIG_FILE = 'witnesses.json';

export interface WitnessedLogConfig {
  readonly origin: string;
  readonly key: string;
}

export interface WitnessConfig {
  readonly name: string;
  readonly key: string;
  readonly url: string;
}

export interface WitnessingConfig {
  readonly logs: readonly WitnessedLogConfig[];
  readonly witnesses: readonly WitnessConfig[];
  readonly quorum: number;
}

export const EMPTY_WITNESSING: WitnessingConfig = { logs: [], witnesses: [], quorum: 0 };

function broken(path: string, why: string): ConcordError {
  return new ConcordError('DATA_DIR_UNUSABLE', `${path} is broken: ${why}`);
}

/** a log vkey (type 0x01) */
export function checkLogKey(key: string, what = 'the log key'): Verifier {
  const v = parseVerifierKey(key);
  if (v.type !== 'ed25519') throw new ConcordError('KEY_INVALID', `${what} must be a log's verifier key (type 0x01), not a cosigner key`);
  return v;
}

/** a cosigner vkey (type 0x04, tlog-cosignature/v1) */
export function checkCosignerKey(key: string, what = 'the witness key'): Verifier {
  const v = parseVerifierKey(key);
  if (v.type !== 'cosignature/v1') throw new ConcordError('KEY_INVALID', `${what} must be a cosigner key (type 0x04, tlog-cosignature/v1)`);
  return v;
}

export function checkWitnessUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConcordError('BAD_INPUT', `witness URL ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConcordError('BAD_INPUT', `witness URL ${JSON.stringify(url)} must be http: or https:`);
  if (u.search !== '' || u.hash !== '') throw new ConcordError('BAD_INPUT', `witness URL ${JSON.stringify(url)} must have no query or fragment`);
  // the submission prefix: add-checkpoint is <url>/add-checkpoint
  return url.replace(/\/+$/, '');
}

export function readWitnessing(dir: string): WitnessingConfig {
  const path = join(dir, WITNESS_CONFIG_FILE);
  if (!existsSync(path)) return EMPTY_WITNESSING;
  let raw: unknown;
  try {
    raw = parseJsonStrict(readFileSync(path, 'utf8'));
  } catch (e) {
    throw broken(path, (e as Error).message);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw broken(path, 'not a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.format !== 1) throw broken(path, 'format is not 1');
  const logs: WitnessedLogConfig[] = [];
  const witnesses: WitnessConfig[] = [];
  try {
    for (const l of (o.logs ?? []) as unknown[]) {
      const { origin, key } = (l ?? {}) as Record<string, unknown>;
      if (typeof origin !== 'string' || typeof key !== 'string') throw new Error('a log needs an origin and a key');
      if (checkLogKey(key).name !== origin) throw new Error(`the key of ${origin} is named for another origin`);
      logs.push({ origin, key });
    }
    for (const w of (o.witnesses ?? []) as unknown[]) {
      const { name, key, url } = (w ?? {}) as Record<string, unknown>;
      if (typeof name !== 'string' || typeof key !== 'string' || typeof url !== 'string') throw new Error('a witness needs a name, a key and a url');
      if (checkCosignerKey(key).name !== name) throw new Error(`the key of witness ${name} is named otherwise`);
      witnesses.push({ name, key, url: checkWitnessUrl(url) });
    }
  } catch (e) {
    throw broken(path, (e as Error).message);
  }
  const quorum = o.quorum ?? witnesses.length;
  if (!Number.isSafeInteger(quorum) || (quorum as number) < 0 || (quorum as number) > witnesses.length) {
    throw broken(path, `quorum must be a number from 0 to the ${witnesses.length} witnesses`);
  }
  return { logs, witnesses, quorum: quorum as number };
}

export function writeWitnessing(dir: string, c: WitnessingConfig): void {
  // checked as a reader would check it, before anything is written
  if (!Number.isSafeInteger(c.quorum) || c.quorum < 0 || c.quorum > c.witnesses.length) {
    throw new ConcordError('BAD_INPUT', `quorum must be a number from 0 to the ${c.witnesses.length} witnesses`);
  }
  writeFileAtomicallySync(
    join(dir, WITNESS_CONFIG_FILE),
    `${JSON.stringify({ format: 1, logs: c.logs, witnesses: c.witnesses, quorum: c.quorum }, null, 2)}\n`,
  );
}

/** the name of a node's witness key: its origin, then /witness (a schema-less URL, tlog-cosignature) */
export function witnessName(node: NodeDir): string {
  return `${node.origin}/witness`;
}

/**
 * The node's witness signer, made now if it has none: keys/witness.key
 * (0600) created whole or not at all, then keys/witness.pub. Two processes
 * making it at once end with one key (the one whose link won).
 */
export function loadOrCreateWitnessSigner(node: NodeDir): Signer {
  const keyPath = join(node.dir, 'keys', 'witness.key');
  if (!existsSync(keyPath)) {
    const { signerKey } = generateSigner(witnessName(node));
    createFileOnceSync(keyPath, `${signerKey}\n`, 0o600);
  }
  const mode = statSync(keyPath).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new ConcordError('DATA_DIR_UNUSABLE', `${keyPath} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${keyPath}`);
  let signer: Signer;
  try {
    signer = parseSignerKey(readFileSync(keyPath, 'utf8').trim());
  } catch {
    // never echo the key material
    throw new ConcordError('DATA_DIR_UNUSABLE', `${keyPath} does not hold a valid signer key`);
  }
  const pubPath = join(node.dir, 'keys', 'witness.pub');
  if (!existsSync(pubPath)) createFileOnceSync(pubPath, `${signer.cosignerVerifierKey}\n`, 0o644);
  return signer;
}
