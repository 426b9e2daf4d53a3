import { ON_DEMAND_CHECKPOINTS } from '../../app/ledger.ts';
import { withNodeLedger } from '../../app/node-ledger.ts';
import { verifyConsistency, verifyInclusion } from '../../ledger/merkle/verify.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalIndex, requireString, parseIndex } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';

const b64 = (h: Buffer): string => h.toString('base64');

export const inclusionCommand: CliCommand = {
  path: ['proof', 'inclusion'],
  summary: 'print an RFC 9162 inclusion proof for one entry',
  help: `Usage: concord proof inclusion --data DIR --index N [--size M] [--json]

Prints the inclusion proof of entry N in the tree of size M (default: the
current size): leaf hash, root and the proof hashes (base64, RFC 9162 order).

Options:
  -d, --data DIR  the node's data directory
      --index N   the entry
      --size M    the tree size to prove against (default: all entries)
      --json      print JSON

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, index: { type: 'string' }, size: { type: 'string' } },
  async run(args, io) {
    const index = parseIndex(requireString(args, 'index'), 'index');
    const size = optionalIndex(args, 'size');
    return withNodeLedger(requireString(args, 'data'), { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => {
      const p = await ledger.inclusionProof(index, size);
      verifyInclusion(p.leafHash, p.index, p.size, p.proof, p.root); // never hand out a proof that does not verify
      if (flag(args, 'json')) {
        printJson(io, { index: p.index, size: p.size, leaf_hash: b64(p.leafHash), root: b64(p.root), inclusion_proof: p.proof.map(b64) });
      } else {
        io.stdout.write(`index ${p.index}\nsize ${p.size}\nleaf ${b64(p.leafHash)}\nroot ${b64(p.root)}\n${p.proof.map((h) => `${b64(h)}\n`).join('')}`);
      }
      return 0;
    });
  },
};

export const consistencyCommand: CliCommand = {
  path: ['proof', 'consistency'],
  summary: 'print an RFC 9162 consistency proof between two tree sizes',
  help: `Usage: concord proof consistency --data DIR --from M --to N [--json]

Prints the proof that the tree of size N extends the tree of size M, with
both roots (base64).

Options:
  -d, --data DIR  the node's data directory
      --from M    the older tree size
      --to N      the newer tree size (default: all entries)
      --json      print JSON

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, from: { type: 'string' }, to: { type: 'string' } },
  async run(args, io) {
    const from = parseIndex(requireString(args, 'from'), 'from');
    const to = optionalIndex(args, 'to');
    return withNodeLedger(requireString(args, 'data'), { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => {
      const p = await ledger.consistencyProof(from, to);
      verifyConsistency(p.from, p.to, p.proof, p.fromRoot, p.toRoot);
      if (flag(args, 'json')) {
        printJson(io, { from: p.from, to: p.to, from_root: b64(p.fromRoot), to_root: b64(p.toRoot), consistency_proof: p.proof.map(b64) });
      } else {
        io.stdout.write(`from ${p.from}\nto ${p.to}\nfrom_root ${b64(p.fromRoot)}\nto_root ${b64(p.toRoot)}\n${p.proof.map((h) => `${b64(h)}\n`).join('')}`);
      }
      return 0;
    });
  },
};
