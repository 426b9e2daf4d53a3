import type { Preview } from '../../shared/types.ts';
import { VerdictView } from './Verdict.tsx';

/** refusals that are about the form not being filled in yet: the form itself says those when it is sent */
const INCOMPLETE = new Set(['BAD_INPUT', 'REASON_REQUIRED', 'ORDER_REASON_REQUIRED']);

/**
 * What the server says the action would do, before it is sent: a refusal it
 * would meet (with the verdict and the clauses that prohibit it), the
 * verdicts of the protocols it would be judged by, and who would be told.
 */
export function PreviewNotice({ id, preview, pending }: { readonly id: string; readonly preview: Preview | undefined; readonly pending: boolean }) {
  if (preview === undefined) return pending ? <p className="muted">Checking against the protocols…</p> : null;
  const refusal = preview.refusal !== undefined && !INCOMPLETE.has(preview.refusal.code) ? preview.refusal : undefined;
  const told = [...new Set(preview.notified.map((n) => n.agency))];
  const people = preview.notified.filter((n) => n.person !== undefined).map((n) => n.person as string);
  return (
    <div className="preview" id={`${id}-preview`} aria-live="polite" data-allowed={preview.allowed}>
      {refusal !== undefined && (
        <p className="would-refuse">
          <strong>✕ If sent now, it would be refused</strong> ({refusal.code.replaceAll('_', ' ').toLowerCase()}): {refusal.detail}
        </p>
      )}
      {preview.verdicts.map((v) => (
        <VerdictView key={`${v.agency}-${v.policyVersion}`} verdict={v} before />
      ))}
      {told.length > 0 && (
        <p className="notice" data-told={told.join(' ')}>
          <strong>Before it is sent:</strong> {told.join(', ')} will be told at once{people.length > 0 ? ` (${people.join(', ')})` : ''}, with your reason.
        </p>
      )}
    </div>
  );
}
