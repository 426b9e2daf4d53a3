/**
 * What a verification found. Verifiers never throw on bad input: they record
 * a problem that names where (an entry, a checkpoint, a tile, a field of a
 * bundle) and why, and go on so the report lists everything up to a limit.
 */
export interface Problem {
  readonly where: string;
  readonly reason: string;
}

export const MAX_PROBLEMS = 50;

/** what was verified: a node's directory, a bundle, a redacted release (docs/releases.md), a C2SP tlog-proof, a fork's evidence */
export type ReportKind = 'bundle' | 'release' | 'tlog-proof' | 'data-dir' | 'evidence';

export class Report {
  readonly kind: ReportKind;
  /** a fork shown by an evidence file (ledger/evidence.ts), or by checkpoints that contradict each other */
  fork: { readonly kind: string; readonly sizes: readonly [number, number]; readonly observer?: string } | undefined;
  /** the witnesses whose cosignatures counted toward a --policy, when one was given */
  policy: { readonly satisfied: boolean; readonly cosigned: readonly string[] } | undefined;
  origin = '';
  size = 0;
  entries = 0;
  checkpoints = 0;
  tiles = 0;
  disclosures = 0;
  /** sealed values a release withholds, each listed with its rule */
  withheld = 0;
  readonly problems: Problem[] = [];
  readonly warnings: string[] = [];
  truncated = false;

  constructor(kind: ReportKind) {
    this.kind = kind;
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  problem(where: string, reason: string): void {
    if (this.problems.length >= MAX_PROBLEMS) {
      this.truncated = true;
      return;
    }
    this.problems.push({ where, reason });
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  toJSON(): Record<string, unknown> {
    return {
      ok: this.ok,
      kind: this.kind,
      origin: this.origin,
      size: this.size,
      entries_checked: this.entries,
      checkpoints_checked: this.checkpoints,
      tiles_checked: this.tiles,
      disclosures_checked: this.disclosures,
      ...(this.kind === 'release' ? { withheld: this.withheld } : {}),
      problems: this.problems,
      ...(this.truncated ? { problems_truncated: true } : {}),
      warnings: this.warnings,
      ...(this.fork !== undefined ? { fork: this.fork } : {}),
      ...(this.policy !== undefined ? { policy: this.policy } : {}),
    };
  }
}
