/**
 * `concord witness ...`: a node's witnessing configuration (DIR/witnesses.json,
 * app/witness-config.ts): the logs it witnesses, the witnesses of its own
 * log and the quorum; its witness key; and comparing two checkpoints of a
 * log into an evidence file (a monitor's job). docs/witnesses.md.
 */
import { ConcordError } from '../../errors.ts';
import { FILE_LIMITS, readUserFile } from '../../files.ts';
import { makeEvidence, serializeEvidence } from '../../ledger/evidence.ts';
import { openNodeDir, checkOutputPath } from '../../app/node-dir.ts';
import { writeFileAtomicallySync } from '../../app/atomic-file.ts';
import { checkCosignerKey, checkLogKey, checkWitnessUrl, loadOrCreateWitnessSigner, readWitnessing, writeWitnessing } from '../../app/witness-config.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalString, requireString, stringList } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';

export const witnessKeyCommand: CliCommand = {
  path: ['witness', 'key'],
  summary: "print this node's witness key (cosigner vkey), making it on first use",
  help: `Usage: concord witness key --data DIR

Prints the node's witness key: the C2SP tlog-cosignature verifier key
(type 0x04) that checks its cosignatures. The signer key is kept in
DIR/keys/witness.key (mode 0600, never printed), made the first time it is
needed. Give the printed key to the logs this node witnesses.

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION },
  async run(args, io) {
    const node = openNodeDir(requireString(args, 'data'));
    io.stdout.write(`${loadOrCreateWitnessSigner(node).cosignerVerifierKey}\n`);
    return 0;
  },
};

export const witnessAddLogCommand: CliCommand = {
  path: ['witness', 'add-log'],
  summary: 'witness another log: cosign its checkpoints at POST /add-checkpoint',
  help: `Usage: concord witness add-log --data DIR --key LOG_VKEY

Adds a log this node witnesses: its origin is the key's name. A serving
node takes the change at its next request. Adding a key a second time
changes nothing.

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, key: { type: 'string' } },
  async run(args, io) {
    const node = openNodeDir(requireString(args, 'data'));
    const key = requireString(args, 'key');
    const v = checkLogKey(key, '--key');
    const c = readWitnessing(node.dir);
    if (!c.logs.some((l) => l.key === key)) writeWitnessing(node.dir, { ...c, logs: [...c.logs, { origin: v.name, key }] });
    io.stdout.write(`witnessing ${v.name}\n`);
    return 0;
  },
};

export const witnessRemoveLogCommand: CliCommand = {
  path: ['witness', 'remove-log'],
  summary: 'stop witnessing a log (its cosigned state is kept)',
  help: `Usage: concord witness remove-log --data DIR --origin ORIGIN

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, origin: { type: 'string' } },
  async run(args, io) {
    const node = openNodeDir(requireString(args, 'data'));
    const origin = requireString(args, 'origin');
    const c = readWitnessing(node.dir);
    if (!c.logs.some((l) => l.origin === origin)) throw new ConcordError('NOT_FOUND', `this node does not witness ${origin}`);
    writeWitnessing(node.dir, { ...c, logs: c.logs.filter((l) => l.origin !== origin) });
    io.stdout.write(`no longer witnessing ${origin}\n`);
    return 0;
  },
};

export const witnessAddCommand: CliCommand = {
  path: ['witness', 'add'],
  summary: "add a witness of this node's log (its cosigner vkey and URL)",
  help: `Usage: concord witness add --data DIR --key WITNESS_VKEY --url URL [--quorum K]

Adds (or, for a witness of the same name, replaces) a witness of this
node's log: the name is the key's, URL the witness's submission prefix
(POST URL/add-checkpoint). The quorum is how many witnesses must cosign
a checkpoint before it is served as witnessed; without --quorum it stays
as it was, or becomes 1 for the first witness. A serving node takes the
change when it next starts.

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, key: { type: 'string' }, url: { type: 'string' }, quorum: { type: 'string' } },
  async run(args, io) {
    const node = openNodeDir(requireString(args, 'data'));
    const key = requireString(args, 'key');
    const v = checkCosignerKey(key, '--key');
    const url = checkWitnessUrl(requireString(args, 'url'));
    const c = readWitnessing(node.dir);
    const witnesses = [...c.witnesses.filter((w) => w.name !== v.name), { name: v.name, key, url }];
    const quorum = parseQuorum(optionalString(args, 'quorum'), witnesses.length) ?? Math.max(c.quorum, 1);
    writeWitnessing(node.dir, { ...c, witnesses, quorum });
    io.stdout.write(`witness ${v.name} at ${url}; quorum ${quorum} of ${witnesses.length}\n`);
    return 0;
  },
};

export const witnessRemoveCommand: CliCommand = {
  path: ['witness', 'remove'],
  summary: "remove a witness of this node's log",
  help: `Usage: concord witness remove --data DIR --name NAME

The quorum is lowered to the witnesses left, if it was higher.

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, name: { type: 'string' } },
  async run(args, io) {
    const node = openNodeDir(requireString(args, 'data'));
    const name = requireString(args, 'name');
    const c = readWitnessing(node.dir);
    if (!c.witnesses.some((w) => w.name === name)) throw new ConcordError('NOT_FOUND', `${name} is not a witness of this node`);
    const witnesses = c.witnesses.filter((w) => w.name !== name);
    writeWitnessing(node.dir, { ...c, witnesses, quorum: Math.min(c.quorum, witnesses.length) });
    io.stdout.write(`removed witness ${name}\n`);
    return 0;
  },
};

export const witnessQuorumCommand: CliCommand = {
  path: ['witness', 'quorum'],
  summary: 'set how many witnesses must cosign a checkpoint (k of n)',
  help: `Usage: concord witness quorum --data DIR K

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION },
  positionals: [1, 1],
  async run(args, io) {
    const node = openNodeDir(requireString(args, 'data'));
    const c = readWitnessing(node.dir);
    const quorum = parseQuorum(args.positionals[0], c.witnesses.length) as number;
    writeWitnessing(node.dir, { ...c, quorum });
    io.stdout.write(`quorum ${quorum} of ${c.witnesses.length}\n`);
    return 0;
  },
};

function parseQuorum(text: string | undefined, n: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^(0|[1-9]\d*)$/.test(text) || Number(text) > n)
    throw new ConcordError('BAD_USAGE', `the quorum must be a number from 0 to the ${n} witnesses, not ${text}`);
  return Number(text);
}

export const witnessListCommand: CliCommand = {
  path: ['witness', 'list'],
  summary: 'list the logs this node witnesses and the witnesses of its own log',
  help: `Usage: concord witness list --data DIR [--json]

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION },
  async run(args, io) {
    const node = openNodeDir(requireString(args, 'data'));
    const c = readWitnessing(node.dir);
    if (flag(args, 'json')) {
      printJson(io, c);
      return 0;
    }
    io.stdout.write(`logs witnessed by ${node.origin}: ${c.logs.length === 0 ? 'none' : ''}\n`);
    for (const l of c.logs) io.stdout.write(`  ${l.origin}  ${l.key}\n`);
    io.stdout.write(`witnesses of ${node.origin}: ${c.witnesses.length === 0 ? 'none' : `quorum ${c.quorum} of ${c.witnesses.length}`}\n`);
    for (const w of c.witnesses) io.stdout.write(`  ${w.name}  ${w.url}  ${w.key}\n`);
    return 0;
  },
};

/** a checkpoint from a file, or from a URL (a witness's monitoring endpoint, a log's /checkpoint) */
async function readCheckpoint(source: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      throw new ConcordError('BAD_INPUT', `cannot fetch ${source}: ${(e as Error).message}`);
    }
    if (res.status !== 200) throw new ConcordError('BAD_INPUT', `${source} answered ${res.status}`);
    const text = await res.text();
    if (text.length > FILE_LIMITS.checkpoint) throw new ConcordError('BAD_INPUT', `${source} sent more than a checkpoint`);
    return text;
  }
  return readUserFile(source, 'checkpoint', FILE_LIMITS.checkpoint);
}

export const witnessCompareCommand: CliCommand = {
  path: ['witness', 'compare'],
  summary: 'compare two checkpoints of a log; write signed evidence if they fork',
  help: `Usage: concord witness compare --data DIR --log-key LOG_VKEY --out FILE A B [--proof HASH]...

A and B are signed checkpoints of one log: files, or URLs such as a
witness's GET <url>/witness/<origin hash>/checkpoint or a log's
/checkpoint. If they are of one size with different roots (a split view),
or of different sizes and the consistency proof given with --proof (base64
hashes, in order) does not join them, writes evidence of the fork to FILE,
signed with this node's witness key, and exits 1; concord verify FILE
reports the fork. Exits 0 and writes nothing when they agree.

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, 'log-key': { type: 'string', multiple: true }, out: { type: 'string' }, proof: { type: 'string', multiple: true } },
  positionals: [2, 2],
  async run(args, io) {
    const node = openNodeDir(requireString(args, 'data'));
    const logKeys = stringList(args, 'log-key').map((k) => checkLogKey(k, '--log-key'));
    if (logKeys.length === 0) throw new ConcordError('BAD_USAGE', '--log-key is required');
    const out = checkOutputPath(node, requireString(args, 'out'), '--out');
    const proof = stringList(args, 'proof').map((h) => {
      const b = Buffer.from(h, 'base64');
      if (b.length !== 32 || b.toString('base64') !== h) throw new ConcordError('BAD_USAGE', `--proof ${h} is not a base64 SHA-256 hash`);
      return b;
    });
    const [a, b] = await Promise.all(args.positionals.map(readCheckpoint));
    const evidence = makeEvidence({
      first: a as string,
      second: b as string,
      proof,
      logVerifiers: logKeys,
      observer: loadOrCreateWitnessSigner(node),
      observed: new Date().toISOString(),
    });
    if (evidence === undefined) {
      io.stdout.write('consistent: the two checkpoints do not show a fork\n');
      return 0;
    }
    writeFileAtomicallySync(out, serializeEvidence(evidence));
    io.stdout.write(`FORK ${evidence.origin}: ${evidence.reason}; evidence written to ${out}\n`);
    return 1;
  },
};
