/**
 * Evaluating requests and orders against the protocol version in effect.
 *
 * Cedar answers allow/deny with the determining policies; the verdict adds
 * what Cedar has no word for:
 *   deny, some forbid matched     -> prohibited (clauses: the forbids)
 *   allow, a plain permit matched -> permitted (clauses: the plain permits)
 *   allow, only @approval permits -> needs_approval by the role of the first
 *                                    of them in the version's order (clauses:
 *                                    the permits naming that role)
 *   deny, nothing matched         -> the manifest's default (no clauses, a note)
 * A plain permit wins over an @approval permit because permits are
 * alternatives: each one alone is enough, and one needs nobody's approval.
 * A rule that must need approval even where another permit applies says so by
 * narrowing that other permit (`unless { ... }`).
 */
import type { Protocols } from '../domain/facts.ts';
import type { Verdict, VerdictClause } from '../domain/verdict.ts';
import { ConcordError } from '../errors.ts';
import { findVersionInEffect, versionInEffect, type ProtocolBook } from './book.ts';
import { authorize, formatErrors, type CedarRequest } from './cedar-engine.ts';
import { orderToCedar, requestToCedar, type AgencyRef, type OrderFacts, type RequestFacts } from './facts.ts';
import type { DefaultVerdict } from './manifest.ts';
import type { PreparedPolicy, ProtocolVersion } from './version.ts';

/** The receiving agency's protocols, in the version in effect at `at`, decide. */
export function evaluateRequest(book: ProtocolBook, facts: RequestFacts, at: string): Verdict {
  const version = versionInEffect(book, facts.to.id, at);
  return decide(version, requestToCedar(facts), version.requestDefault, at);
}

/**
 * The issuer's agency decides by default; pass `deciding` to evaluate the
 * order against another agency's protocols (for example the home agency of
 * the target units).
 */
export function evaluateOrder(book: ProtocolBook, facts: OrderFacts, at: string, deciding?: AgencyRef): Verdict {
  const agency = deciding ?? facts.issuer.agency;
  const version = versionInEffect(book, agency.id, at);
  return decide(version, orderToCedar(facts, agency), version.orderDefault, at);
}

/**
 * The book as the domain asks it (src/domain/facts.ts): a verdict from the
 * version in effect, or undefined when the agency has none in effect then.
 */
export function bookProtocols(book: ProtocolBook): Protocols {
  return {
    request(facts, at) {
      const version = findVersionInEffect(book, facts.to.id, at);
      return version === undefined ? undefined : decide(version, requestToCedar(facts), version.requestDefault, at);
    },
    order(facts, deciding, at) {
      const version = findVersionInEffect(book, deciding.id, at);
      return version === undefined ? undefined : decide(version, orderToCedar(facts, deciding), version.orderDefault, at);
    },
  };
}

function decide(version: ProtocolVersion, request: CedarRequest, fallback: DefaultVerdict, at: string): Verdict {
  const answer = authorize(version.cedarSetId, request);
  if (answer.type === 'failure') {
    throw new ConcordError('POLICY_EVALUATION_FAILED', `${version.id}: ${formatErrors(answer.errors)}`);
  }
  const { decision, diagnostics } = answer.response;
  // Cedar skips a policy that errors; a skipped forbid would turn into a
  // permit, so any error stops the evaluation instead
  const failed = diagnostics.errors[0];
  if (failed) {
    const policy = version.policyByCedarId.get(failed.policyId);
    const where = policy ? `${policy.file}:${policy.line} (${policy.clause.id})` : failed.policyId;
    throw new ConcordError('POLICY_EVALUATION_FAILED', `${where}: ${formatErrors([failed.error])}`);
  }
  // plain loops, not map/filter/sort with callbacks: Node 20's V8 (11.3)
  // crashed ("unreachable code" in Deoptimizer::DoComputeBuiltinContinuation)
  // lazily deoptimizing this function inside those builtins under long runs
  const determining: PreparedPolicy[] = [];
  for (const id of diagnostics.reason) {
    const p = version.policyByCedarId.get(id);
    if (p !== undefined) determining.push(p);
  }
  sortByIndex(determining);
  const base = { agency: version.agency, policyVersion: version.id, evaluatedAt: at };

  if (decision === 'deny') {
    if (determining.length === 0) return defaultVerdict(version, fallback, at);
    return { decision: 'prohibited', clauses: clausesOf(determining), ...base };
  }
  const plain: PreparedPolicy[] = [];
  for (const p of determining) if (p.approval === undefined) plain.push(p);
  if (plain.length > 0) return { decision: 'permitted', clauses: clausesOf(plain), ...base };
  const role = determining[0]?.approval;
  if (role === undefined) throw new Error(`${version.id}: Cedar allowed without a determining policy`);
  const approving: PreparedPolicy[] = [];
  for (const p of determining) if (p.approval === role) approving.push(p);
  return { decision: 'needs_approval', approvalRole: role, clauses: clausesOf(approving), ...base };
}

/** insertion sort by policy order: a handful of policies at most */
function sortByIndex(ps: PreparedPolicy[]): void {
  for (let i = 1; i < ps.length; i++) {
    const p = ps[i] as PreparedPolicy;
    let j = i - 1;
    while (j >= 0 && (ps[j] as PreparedPolicy).index > p.index) {
      ps[j + 1] = ps[j] as PreparedPolicy;
      j--;
    }
    ps[j + 1] = p;
  }
}

function defaultVerdict(version: ProtocolVersion, fallback: DefaultVerdict, at: string): Verdict {
  const note = `no rule of ${version.id} matched; the manifest default applies${fallback.note ? `: ${fallback.note}` : ''}`;
  const base = { clauses: [], note, agency: version.agency, policyVersion: version.id, evaluatedAt: at };
  return fallback.decision === 'prohibited'
    ? { decision: 'prohibited', ...base }
    : { decision: 'needs_approval', approvalRole: fallback.approval_role, ...base };
}

/** One entry per clause id, in the version's order; several policies may implement one clause. */
function clausesOf(policies: readonly PreparedPolicy[]): VerdictClause[] {
  const seen = new Set<string>();
  const out: VerdictClause[] = [];
  for (const p of policies) {
    if (seen.has(p.clause.id)) continue;
    seen.add(p.clause.id);
    out.push(p.clause);
  }
  return out;
}
