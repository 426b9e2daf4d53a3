import { writeFileAtomicallySync } from '../../app/atomic-file.ts';
import { checkOutputPath, openNodeDir } from '../../app/node-dir.ts';
import { ON_DEMAND_CHECKPOINTS } from '../../app/ledger.ts';
import { withNodeLedger } from '../../app/node-ledger.ts';
import { readWitnessedNote } from '../../app/witness-publisher.ts';
import { ConcordError } from '../../errors.ts';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { exportRelease } from '../../app/release.ts';
import type { LedgerService } from '../../app/ledger.ts';
import type { NodeDir } from '../../app/node-dir.ts';
import { FILE_LIMITS, makeDirectories, readUserFile } from '../../files.ts';
import { serializeBundle } from '../../ledger/bundle.ts';
import { ID_RE, MAX_ID_LENGTH } from '../../ledger/entry.ts';
import { parseWithholdRules, type WithholdRule } from '../../ledger/release.ts';
import { parseJsonStrict } from '../../ledger/strict-json.ts';
import { formatTlogProof } from '../../ledger/tlog-proof.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalString, parseIndex, requireString, stringList } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';

export const exportBundleCommand: CliCommand = {
  path: ['export', 'bundle'],
  summary: 'write a verification bundle of selected entries (docs/bundle.md)',
  help: `Usage: concord export bundle --data DIR --out FILE (--incident ID | --indexes a,b,c | --all)
                             [--proofs PROOF_DIR] [--history] [--witnessed] [--json]

Writes entries with their inclusion proofs against the latest signed
checkpoint (signed now if the log grew), the log's verifier key and any
disclosed sealed values. Anyone can check it with: concord verify FILE

FILE and PROOF_DIR may not be inside DIR (symbolic links and .. resolved), where they could
replace the ledger, a key or the configuration: that is refused with exit 2
and nothing written.

Options:
  -d, --data DIR         the node's data directory
      --out FILE         where to write the bundle
      --incident ID      every entry of the incident (with --indexes: those too)
      --indexes a,b,c    the entries to include
      --all              include every entry
      --proofs PROOF_DIR also write each entry as a C2SP tlog-proof file,
                         PROOF_DIR/<index>.tlog-proof (the entry text as its
                         extra data); check one with: concord verify FILE --key VKEY
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
    incident: { type: 'string' },
    indexes: { type: 'string' },
    all: { type: 'boolean' },
    proofs: { type: 'string' },
    history: { type: 'boolean' },
    witnessed: { type: 'boolean' },
  },
  async run(args, io) {
    const out = requireString(args, 'out');
    const list = optionalString(args, 'indexes');
    const incident = optionalString(args, 'incident');
    const all = flag(args, 'all');
    if (all ? list !== undefined || incident !== undefined : list === undefined && incident === undefined) {
      throw new ConcordError('BAD_USAGE', 'give exactly one of --all, or --incident ID and/or --indexes a,b,c');
    }
    if (incident !== undefined) checkIncidentId(incident);
    const indexes = list?.split(',').map((s) => parseIndex(s.trim(), 'indexes'));
    const node = openNodeDir(requireString(args, 'data'));
    // before the ledger is opened: a refused --out or --proofs signs no checkpoint and writes nothing
    const target = checkOutputPath(node, out, '--out');
    const proofsDir = optionalString(args, 'proofs');
    const proofsTarget = proofsDir === undefined ? undefined : checkProofsDir(node, proofsDir);
    return withNodeLedger(node, { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => {
      const checkpoint = await restingCheckpoint(node, ledger, flag(args, 'witnessed'));
      const bundle = await ledger.exportBundle({
        ...(indexes ? { indexes } : {}),
        ...(incident !== undefined ? { incident } : {}),
        all,
        history: flag(args, 'history'),
        ...(checkpoint !== undefined ? { checkpoint } : {}),
      });
      // temp file, fsync, then rename (the commit point): a reader never sees half a bundle, nor a crash an empty one
      writeFileAtomicallySync(target, serializeBundle(bundle));
      if (proofsTarget !== undefined) {
        for (const e of bundle.entries) {
          const file = checkOutputPath(node, join(proofsTarget, `${e.index}.tlog-proof`), '--proofs');
          writeFileAtomicallySync(file, formatTlogProof({ index: e.index, entry: e.entry, proof: e.inclusion_proof, checkpoint: bundle.checkpoint }));
        }
      }
      const size = bundle.checkpoint.split('\n')[1];
      if (flag(args, 'json'))
        printJson(io, { out, entries: bundle.entries.length, checkpoint_size: Number(size), ...(proofsDir !== undefined ? { proofs: proofsDir } : {}) });
      else
        io.stdout.write(
          `wrote ${out}: ${bundle.entries.length} entries against the checkpoint at size ${size}${proofsDir !== undefined ? `, and ${bundle.entries.length} tlog-proof files in ${proofsDir}` : ''}\n`,
        );
      return 0;
    });
  },
};

/** the checkpoint an export rests on: the witnessed one (with the witnesses' cosignatures) when it is the latest, or when asked */
async function restingCheckpoint(node: NodeDir, ledger: LedgerService, witnessedOnly: boolean): Promise<string | undefined> {
  const witnessed = readWitnessedNote(node.dir);
  if (witnessedOnly) {
    if (witnessed === undefined) throw new ConcordError('BAD_USAGE', `--witnessed: ${node.dir} has no witnessed checkpoint yet (concord witness list)`);
    return witnessed;
  }
  if (witnessed === undefined) return undefined;
  const latest = await ledger.checkpoint();
  return witnessed.startsWith(latest.note.slice(0, latest.note.indexOf('\n\n') + 1)) ? witnessed : undefined;
}

function checkIncidentId(id: string): void {
  if (id.length > MAX_ID_LENGTH || !ID_RE.test(id)) throw new ConcordError('BAD_USAGE', `--incident ${JSON.stringify(id).slice(0, 80)} is not an incident id`);
}

/** a directory for the tlog-proof files: outside the data directory (as --out), made if missing, never a file */
function checkProofsDir(node: NodeDir, dir: string): string {
  const absolute = checkOutputPath(node, join(dir, 'x.tlog-proof'), '--proofs').slice(0, -'/x.tlog-proof'.length);
  const st = statSync(absolute, { throwIfNoEntry: false });
  if (st !== undefined && !st.isDirectory()) throw new ConcordError('BAD_USAGE', `--proofs ${dir} is a file; name a directory`);
  if (st === undefined) makeDirectories(absolute, 0o755, '--proofs');
  return absolute;
}

export const exportReleaseCommand: CliCommand = {
  path: ['export', 'release'],
  summary: 'write a redacted public release of an incident (docs/releases.md)',
  help: `Usage: concord export release --data DIR --incident ID --out FILE
                              (--rules FILE | --withhold TYPE:FIELD[,FIELD]...)
                              [--indexes a,b,c] [--history] [--witnessed] [--json]

Writes every entry of the incident with its inclusion proof against the
log's signed checkpoint, leaving out the sealed values the rules select,
and listing each value left out with its rule. The release verifies with
concord verify FILE against the same checkpoint; it contains none of the
withheld values. A value the rules select that was not sealed when it was
written (docs/releases.md: the sealing policy) cannot be withheld: exit 2,
naming the entry and field, and nothing written.

Options:
  -d, --data DIR         the node's data directory
      --incident ID      the incident
      --out FILE         where to write the release (not inside DIR)
      --rules FILE       withholding rules, a JSON array of
                         {"id", "reason", "type", "fields", "agency"?,
                          "indexes"?, "below_rank"?} (docs/releases.md)
      --withhold TYPE:FIELD[,FIELD]
                         a rule given inline (repeatable): withhold these
                         fields (JSON pointers) of entries of TYPE
      --indexes a,b,c    more entries to include (a person's registration)
      --history          include older checkpoints with consistency proofs
      --witnessed        rest the release on the latest witnessed checkpoint
      --json             print a summary as JSON

${exitCodesHelp('node')}`,
  options: {
    ...DATA_OPTION,
    ...JSON_OPTION,
    out: { type: 'string' },
    incident: { type: 'string' },
    rules: { type: 'string' },
    withhold: { type: 'string', multiple: true },
    indexes: { type: 'string' },
    history: { type: 'boolean' },
    witnessed: { type: 'boolean' },
  },
  async run(args, io) {
    const out = requireString(args, 'out');
    const incident = requireString(args, 'incident');
    checkIncidentId(incident);
    const rules = releaseRules(optionalString(args, 'rules'), stringList(args, 'withhold'));
    const list = optionalString(args, 'indexes');
    const indexes = list?.split(',').map((s) => parseIndex(s.trim(), 'indexes'));
    const node = openNodeDir(requireString(args, 'data'));
    const target = checkOutputPath(node, out, '--out');
    return withNodeLedger(node, { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => {
      const checkpoint = await restingCheckpoint(node, ledger, flag(args, 'witnessed'));
      const release = await exportRelease(ledger, {
        incident,
        rules,
        history: flag(args, 'history'),
        ...(indexes !== undefined ? { indexes } : {}),
        ...(checkpoint !== undefined ? { checkpoint } : {}),
      });
      // temp file, fsync, then rename (the commit point): a refused rule above wrote nothing
      writeFileAtomicallySync(target, serializeBundle(release));
      const size = Number(release.checkpoint.split('\n')[1]);
      if (flag(args, 'json')) printJson(io, { out, entries: release.entries.length, withheld: release.withheld.length, checkpoint_size: size });
      else
        io.stdout.write(`wrote ${out}: ${release.entries.length} entries against the checkpoint at size ${size}, ${release.withheld.length} values withheld\n`);
      return 0;
    });
  },
};

/** the rules of a release: a rules file, or rules given inline with --withhold TYPE:FIELD[,FIELD] */
function releaseRules(file: string | undefined, inline: readonly string[]): WithholdRule[] {
  if ((file === undefined) === (inline.length === 0)) throw new ConcordError('BAD_USAGE', 'give --rules FILE or --withhold TYPE:FIELD (one or more), not both');
  if (file !== undefined) {
    const text = readUserFile(file, '--rules', FILE_LIMITS.checkpoint);
    let parsed: unknown;
    try {
      parsed = parseJsonStrict(text);
    } catch (e) {
      throw new ConcordError('BAD_USAGE', `--rules ${file}: ${(e as Error).message}`);
    }
    return parseWithholdRules(parsed, `--rules ${file}`);
  }
  return parseWithholdRules(
    inline.map((spec, i) => {
      const colon = spec.indexOf(':');
      if (colon <= 0)
        throw new ConcordError('BAD_USAGE', `--withhold ${JSON.stringify(spec).slice(0, 80)} is not TYPE:FIELD[,FIELD] (like person.registered:/name)`);
      return {
        id: `withhold-${i + 1}`,
        reason: `withheld by whoever exported this release (--withhold ${spec})`,
        type: spec.slice(0, colon),
        fields: spec.slice(colon + 1).split(','),
      };
    }),
    '--withhold',
  );
}
