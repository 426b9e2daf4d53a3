import { formatTime } from '../../shared/time.ts';
import type { Verdict } from '../../shared/types.ts';

const DECISION: Record<string, string> = {
  permitted: '✓ Permitted',
  prohibited: '✕ Prohibited',
  needs_approval: '! Needs approval',
  requires_approval: '! Needs approval',
};

/** a protocol verdict: the decision in words and symbol, the clauses it cites, the policy version */
export function VerdictView({ verdict, before = false }: { readonly verdict: Verdict; readonly before?: boolean }) {
  return (
    <div className={`verdict verdict-${verdict.decision}`} data-verdict={verdict.decision}>
      <p>
        {before && 'Would be '}
        <strong>{DECISION[verdict.decision] ?? verdict.decision}</strong> by {verdict.agency}'s protocols{' '}
        <span className="muted">
          (policy {verdict.policyVersion}, {formatTime(verdict.evaluatedAt)})
        </span>
      </p>
      <ul className="clauses" aria-label={`Clauses cited by ${verdict.agency}`}>
        {verdict.clauses.map((c) => (
          <li key={c.id}>
            <cite>{c.cite ?? c.id}</cite>
            {c.summary !== undefined && <>: {c.summary}</>}
          </li>
        ))}
      </ul>
    </div>
  );
}
