/**
 * A verdict: the result of evaluating a request or an order against an
 * agency's cooperation protocols. Plain data, recorded in ledger entries;
 * produced by src/policy, consumed by the domain state machines.
 */
export type VerdictDecision = 'permitted' | 'prohibited' | 'needs_approval';

export interface VerdictClause {
  /** the policy id, from the policy's @id annotation (for example "2-173-020(b)") */
  readonly id: string;
  /** the citation from @cite, naming the source document and clause */
  readonly cite?: string;
  /** free-text summary from @summary, if present */
  readonly summary?: string;
}

export interface Verdict {
  readonly decision: VerdictDecision;
  /** for needs_approval: the role (position id or role name) whose approval is needed */
  readonly approvalRole?: string;
  /**
   * the clauses (policies) that decided it; empty only when no rule matched and
   * the protocol set's manifest default applied (then `note` says so)
   */
  readonly clauses: readonly VerdictClause[];
  /** why the verdict has no clauses: set when the manifest default applied */
  readonly note?: string;
  /** the agency whose protocols were applied */
  readonly agency: string;
  /** the policy-set version used, e.g. "city-pd/2026-01-01" */
  readonly policyVersion: string;
  /** RFC 3339 time of evaluation */
  readonly evaluatedAt: string;
}
