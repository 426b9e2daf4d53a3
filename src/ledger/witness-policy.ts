/**
 * Witness policies: which cosignatures a checkpoint needs before a verifier
 * trusts it. C2SP tlog-policy is not among the specifications this project
 * follows yet, so this is the equivalent documented in docs/witnesses.md,
 * in the line form Sigsum's trust policies use:
 *
 *   log <vkey>                          a key of the log (type 0x01); optional
 *   witness <name> <vkey> [<url>]       a cosigner (tlog-cosignature vkey, type 0x04)
 *   group <name> <k|all|any> <member>...  k of the members (witnesses or groups defined above)
 *   quorum <name>                       the witness or group that must be satisfied
 *
 * Blank lines and lines starting with # are ignored. Names are defined once,
 * before they are used, so a policy has no cycles. Pure: no I/O.
 */
import { ConcordError } from '../errors.ts';
import { openNote, parseVerifierKey, type Verifier } from './note.ts';

export interface PolicyWitness {
  readonly name: string;
  readonly verifier: Verifier;
  readonly url?: string;
}

export interface PolicyGroup {
  readonly name: string;
  readonly threshold: number;
  readonly members: readonly string[];
}

export interface WitnessPolicy {
  readonly logs: readonly Verifier[];
  readonly witnesses: readonly PolicyWitness[];
  readonly groups: readonly PolicyGroup[];
  /** the name of the witness or group that must be satisfied */
  readonly quorum: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._~:/-]{0,99}$/;

function bad(line: number, message: string): ConcordError {
  return new ConcordError('BAD_INPUT', `policy line ${line}: ${message}`);
}

export function parseWitnessPolicy(text: string): WitnessPolicy {
  const logs: Verifier[] = [];
  const witnesses: PolicyWitness[] = [];
  const groups: PolicyGroup[] = [];
  const defined = new Set<string>();
  let quorum: string | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [word, ...args] = line.split(/\s+/);
    const key = (s: string | undefined, want: 'ed25519' | 'cosignature/v1'): Verifier => {
      if (s === undefined) throw bad(n, 'a key is missing');
      let v: Verifier;
      try {
        v = parseVerifierKey(s);
      } catch (e) {
        throw bad(n, (e as Error).message);
      }
      if (v.type !== want) throw bad(n, `the key must be a ${want === 'ed25519' ? 'log key (type 0x01)' : 'cosigner key (type 0x04, tlog-cosignature/v1)'}`);
      return v;
    };
    const define = (name: string | undefined): string => {
      if (name === undefined || !NAME.test(name)) throw bad(n, 'a name must be 1-100 letters, digits or . _ ~ : / -');
      if (defined.has(name)) throw bad(n, `${name} is defined twice`);
      defined.add(name);
      return name;
    };
    switch (word) {
      case 'log':
        if (args.length !== 1) throw bad(n, 'log takes one vkey');
        logs.push(key(args[0], 'ed25519'));
        return;
      case 'witness': {
        if (args.length < 2 || args.length > 3) throw bad(n, 'witness takes a name, a vkey and optionally a URL');
        const name = define(args[0]);
        const verifier = key(args[1], 'cosignature/v1');
        if (witnesses.some((w) => w.verifier.name === verifier.name && w.verifier.keyId === verifier.keyId)) throw bad(n, 'this key is listed twice');
        witnesses.push({ name, verifier, ...(args[2] !== undefined ? { url: args[2] } : {}) });
        return;
      }
      case 'group': {
        if (args.length < 3) throw bad(n, 'group takes a name, a threshold (k, all or any) and at least one member');
        const name = define(args[0]);
        const members = args.slice(2);
        for (const m of members) if (!defined.has(m) || m === name) throw bad(n, `member ${m} is not a witness or group defined above`);
        if (new Set(members).size !== members.length) throw bad(n, 'a member is listed twice');
        const t = args[1]!;
        const threshold = t === 'all' ? members.length : t === 'any' ? 1 : /^[1-9][0-9]*$/.test(t) ? Number(t) : NaN;
        if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > members.length) {
          throw bad(n, `threshold ${t} must be all, any or a number from 1 to ${members.length}`);
        }
        groups.push({ name, threshold, members });
        return;
      }
      case 'quorum':
        if (args.length !== 1) throw bad(n, 'quorum takes one name');
        if (quorum !== undefined) throw bad(n, 'quorum is given twice');
        if (!defined.has(args[0]!)) throw bad(n, `quorum ${args[0]} is not a witness or group defined above`);
        quorum = args[0]!;
        return;
      default:
        throw bad(n, `unknown keyword ${JSON.stringify(word)} (want log, witness, group or quorum)`);
    }
  });
  if (quorum === undefined) throw new ConcordError('BAD_INPUT', 'policy: no quorum line');
  return { logs, witnesses, groups, quorum };
}

export interface PolicyResult {
  readonly satisfied: boolean;
  /** policy witnesses whose cosignature verified */
  readonly cosigned: readonly string[];
  /** why not, when not */
  readonly reason?: string;
}

/**
 * Which policy witnesses validly cosigned the checkpoint note, and whether
 * the quorum is met. Cosignatures by keys the policy does not list are
 * ignored (tlog-cosignature: "ignore any signature lines that don't match
 * the name and key ID"), so they can never make a checkpoint valid. A
 * cosignature by a listed key that fails to verify makes the note malformed
 * (signed-note), and the policy unsatisfied.
 */
export function evaluatePolicy(note: string, policy: WitnessPolicy, logVerifiers: readonly Verifier[]): PolicyResult {
  // one verifier per key: the log's key may come both pinned and in the policy
  const verifiers = [...new Map([...logVerifiers, ...policy.witnesses.map((w) => w.verifier)].map((v) => [v.verifierKey, v])).values()];
  let verified;
  try {
    verified = openNote(note, verifiers).verified;
  } catch (e) {
    return { satisfied: false, cosigned: [], reason: (e as Error).message };
  }
  const cosigned = policy.witnesses
    .filter((w) => verified.some((s) => s.type === 'cosignature/v1' && s.name === w.verifier.name && s.keyId === w.verifier.keyId))
    .map((w) => w.name);
  const ok = new Set(cosigned);
  // groups are defined after their members, so one pass in order settles them
  for (const g of policy.groups) if (g.members.filter((m) => ok.has(m)).length >= g.threshold) ok.add(g.name);
  const satisfied = ok.has(policy.quorum);
  return {
    satisfied,
    cosigned,
    ...(satisfied
      ? {}
      : { reason: `the quorum ${policy.quorum} is not met: cosigned by ${cosigned.length === 0 ? 'no witness of the policy' : cosigned.join(', ')}` }),
  };
}
