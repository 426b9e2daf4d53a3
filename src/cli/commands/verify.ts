import { verifyPath } from '../../app/verify.ts';
import { FILE_LIMITS, readUserFile } from '../../files.ts';
import { parseVerifierKey } from '../../ledger/note.ts';
import { parseWitnessPolicy } from '../../ledger/witness-policy.ts';
import type { Problem } from '../../ledger/report.ts';
import { JSON_OPTION, flag, optionalString, stringList } from '../args.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import type { CliCommand } from '../command.ts';
import { oneLine, printJson, Progress } from '../output.ts';

/**
 * The problem to lead with: the lowest-numbered entry named, else the first
 * found. Problems are found in passes (entry checks, then tiles and roots),
 * so a change to entry k can surface as "entry k+1 received earlier" before
 * the hash mismatch at k is seen.
 */
function firstProblem(problems: readonly Problem[]): Problem | undefined {
  let best: { p: Problem; n: number } | undefined;
  for (const p of problems) {
    const m = /^entry (\d+)/.exec(p.where) ?? /^entries\[\d+\] \(index (\d+)\)/.exec(p.where);
    if (!m) continue;
    const n = Number(m[1]);
    if (!best || n < best.n) best = { p, n };
  }
  return best?.p ?? problems[0];
}

export const verifyCommand: CliCommand = {
  path: ['verify'],
  summary: 'verify a data directory or a bundle offline; exit 1 if anything is wrong',
  help: `Usage: concord verify PATH [--key VERIFIER_KEY]... [--checkpoint FILE]... [--policy FILE] [--json]

PATH is a Concord data directory, a bundle file, or an evidence file of a
fork (written by a witness or by concord witness compare), which is
reported as FORK with exit 1 when it holds. Checks every entry's
format and hash, index continuity, the Merkle tree against every signed
checkpoint (and, for a data directory, every stored tile), signatures,
inclusion and consistency proofs, and disclosed values against their
commitments. Names the first bad entry and why.

Options:
      --key VKEY          pin the log's verifier key (C2SP vkey string);
                          without it the key in PATH is used
      --checkpoint FILE   a signed checkpoint obtained elsewhere (a witness,
                          an earlier bundle): the log must be consistent with it
      --policy FILE       a witness policy (docs/witnesses.md): the checkpoint
                          the bundle rests on (for a data directory, its
                          witnessed-checkpoint) must carry the cosignatures it
                          asks for, k of n; cosignatures by other keys never count
      --json              print the full report as JSON

${exitCodesHelp('verify')}`,
  options: { ...JSON_OPTION, key: { type: 'string', multiple: true }, checkpoint: { type: 'string', multiple: true }, policy: { type: 'string' } },
  positionals: [1, 1],
  async run(args, io) {
    const path = args.positionals[0] as string;
    const json = flag(args, 'json');
    const keys = stringList(args, 'key').map((k) => parseVerifierKey(k));
    const checkpoints = stringList(args, 'checkpoint').map((f) => readUserFile(f, '--checkpoint', FILE_LIMITS.checkpoint));
    const policyFile = optionalString(args, 'policy');
    const policy = policyFile === undefined ? undefined : parseWitnessPolicy(readUserFile(policyFile, '--policy', FILE_LIMITS.checkpoint));
    const progress = new Progress(io, 'verified', json);
    const report = await verifyPath(path, { keys, checkpoints, ...(policy !== undefined ? { policy } : {}), onProgress: (d, t) => progress.update(d, t) });
    progress.done();
    if (json) {
      printJson(io, report.toJSON());
    } else if (report.fork !== undefined) {
      const fork = report.problems.find((p) => p.where === 'fork') as Problem;
      io.stdout.write(
        `FORK ${oneLine(report.origin)}: ${oneLine(fork.reason)}${report.fork.observer !== undefined ? ` (observed by ${oneLine(report.fork.observer)})` : ''}\n`,
      );
      for (const w of report.warnings) io.stdout.write(`note: ${w}\n`);
    } else if (report.ok) {
      io.stdout.write(
        `OK ${report.kind} ${report.origin}: ${plural(report.entries, 'entry', 'entries')}, ${plural(report.checkpoints, 'checkpoint', 'checkpoints')}, tree size ${report.size}\n`,
      );
      if (report.policy !== undefined) io.stdout.write(`witness policy met: cosigned by ${report.policy.cosigned.join(', ')}\n`);
      for (const w of report.warnings) io.stdout.write(`note: ${w}\n`);
    } else {
      const first = firstProblem(report.problems) as Problem;
      io.stdout.write(`FAILED ${report.kind}${report.origin ? ` ${oneLine(report.origin)}` : ''}: ${oneLine(`${first.where}: ${first.reason}`)}\n`);
      for (const p of report.problems) if (p !== first) io.stdout.write(`  also: ${oneLine(`${p.where}: ${p.reason}`)}\n`);
      if (report.truncated) io.stdout.write('  (more problems not listed)\n');
    }
    return report.ok ? 0 : 1;
  },
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
