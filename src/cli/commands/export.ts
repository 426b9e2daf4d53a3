import { writeFileAtomicallySync } from '../../app/atomic-file.ts';
import { checkOutputPath, openNodeDir } from '../../app/node-dir.ts';
import { ON_DEMAND_CHECKPOINTS } from '../../app/ledger.ts';
import { withNodeLedger } from '../../app/node-ledger.ts';
import { readWitnessedNote } from '../../app/witness-publisher.ts';
import { ConcordError } from '../../errors.ts';
import { serializeBundle } from '../../ledger/bundle.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalString, parseIndex, requireString } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';

export const exportBundleCommand: CliCommand = {
  path: ['export', 'bundle'],
  summary: 'write a verification bundle of selected entries (docs/bundle.md)',
  help: `Usage: concord export bundle --data DIR --out FILE (--indexes a,b,c | --all) [--history] [--witnessed] [--json]

Writes entries with their inclusion proofs against the latest signed
checkpoint (signed now if the log grew), the log's verifier key and any
disclosed sealed values. Anyone can check it with: concord verify FILE

FILE may not be inside DIR (symbolic links and .. resolved), where it could
replace the ledger, a key or the configuration: that is refused with exit 2
and nothing written.

Options:
  -d, --data DIR         the node's data directory
      --out FILE         where to write the bundle
      --indexes a,b,c    the entries to include
      --all              include every entry
      --history          include older checkpoints with consistency proofs
      --witnessed        rest the bundle on the latest witnessed checkpoint
                         (DIR/witnessed-checkpoint, with its cosignatures), even
                         if the log signed newer ones; by default the latest
                         checkpoint is used, with cosignatures when it is the
                         witnessed one
      --json             print a summary as JSON

${exitCodesHelp('node')}`,
  options: {
    ...DATA_OPTION,
    ...JSON_OPTION,
    out: { type: 'string' },
    indexes: { type: 'string' },
    all: { type: 'boolean' },
    history: { type: 'boolean' },
    witnessed: { type: 'boolean' },
  },
  async run(args, io) {
    const out = requireString(args, 'out');
    const list = optionalString(args, 'indexes');
    const all = flag(args, 'all');
    if ((list === undefined) === !all) throw new ConcordError('BAD_USAGE', 'give exactly one of --indexes a,b,c or --all');
    const indexes = list?.split(',').map((s) => parseIndex(s.trim(), 'indexes'));
    const node = openNodeDir(requireString(args, 'data'));
    // before the ledger is opened: a refused --out signs no checkpoint and writes nothing
    const target = checkOutputPath(node, out, '--out');
    return withNodeLedger(node, { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => {
      // a witnessed checkpoint carries the witnesses' cosignatures: the bundle rests on it when it is the latest, or when asked
      const witnessed = readWitnessedNote(node.dir);
      let checkpoint: string | undefined;
      if (flag(args, 'witnessed')) {
        if (witnessed === undefined) throw new ConcordError('BAD_USAGE', `--witnessed: ${node.dir} has no witnessed checkpoint yet (concord witness list)`);
        checkpoint = witnessed;
      } else if (witnessed !== undefined) {
        const latest = await ledger.checkpoint();
        if (witnessed.startsWith(latest.note.slice(0, latest.note.indexOf('\n\n') + 1))) checkpoint = witnessed;
      }
      const bundle = await ledger.exportBundle({
        ...(indexes ? { indexes } : {}),
        all,
        history: flag(args, 'history'),
        ...(checkpoint !== undefined ? { checkpoint } : {}),
      });
      // temp file, fsync, then rename (the commit point): a reader never sees half a bundle, nor a crash an empty one
      writeFileAtomicallySync(target, serializeBundle(bundle));
      const size = bundle.checkpoint.split('\n')[1];
      if (flag(args, 'json')) printJson(io, { out, entries: bundle.entries.length, checkpoint_size: Number(size) });
      else io.stdout.write(`wrote ${out}: ${bundle.entries.length} entries against the checkpoint at size ${size}\n`);
      return 0;
    });
  },
};
