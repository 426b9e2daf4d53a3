import { memo } from 'react';
import { formatTime } from '../../shared/time.ts';
import type { AssistanceRequest, Session } from '../../shared/types.ts';
import { describeActor, describeAuthority } from './authority.ts';
import { RequestActions } from './RequestActions.tsx';
import { useUnitChoices, type UnitChoice } from './useUnitChoices.ts';
import { VerdictView } from './Verdict.tsx';
import { RequestReportLinks } from './ReportLinks.tsx';

/** one request; an unchanged request keeps its object across refetches (structural sharing), so its card is not drawn again */
const RequestCard = memo(function RequestCard({
  request,
  session,
  units,
}: {
  readonly request: AssistanceRequest;
  readonly session: Session;
  readonly units: readonly UnitChoice[];
}) {
  const r = request;
  return (
    <li className="item" data-request={r.id} data-state={r.state} aria-labelledby={`${r.id}-title`}>
      <h3 id={`${r.id}-title`}>
        {r.id}: {r.from} → {r.to} <span className="badge">{r.state.replaceAll('_', ' ')}</span>{' '}
        {r.urgency === 'immediate' && <span className="badge badge-urgent">Immediate</span>}
      </h3>
      <p>{r.description}</p>
      <RequestReportLinks request={r.id} />
      <dl className="facts">
        <dt>Asks for</dt>
        <dd>
          {r.kind === 'units' ? `${r.unitsRequested ?? '?'} ${r.unitsRequested === 1 ? 'unit' : 'units'}` : r.kind} · {r.category.replaceAll('_', ' ')} ·{' '}
          {r.operation.replaceAll('_', ' ')}
        </dd>
        <dt>Sent</dt>
        <dd>
          {formatTime(r.sentAt)} by {r.requester?.name ?? r.from}
        </dd>
        {r.location !== undefined && (
          <>
            <dt>Where</dt>
            <dd>{r.location}</dd>
          </>
        )}
        {r.responsible !== undefined && (
          <>
            <dt>Decides</dt>
            <dd>
              {r.responsible.title ?? r.responsible.position}: {r.responsible.holders.map((h) => h.name ?? h.id).join(', ') || 'nobody holds it'}
            </dd>
          </>
        )}
        {(r.units ?? []).length > 0 && (
          <>
            <dt>Units</dt>
            <dd>{(r.units ?? []).map((u) => `${u.callsign ?? u.unit} ${u.status.replaceAll('_', ' ')}`).join(', ')}</dd>
          </>
        )}
      </dl>
      {r.verdict !== undefined ? <VerdictView verdict={r.verdict} /> : <p className="muted">Not evaluated yet.</p>}
      <details>
        <summary>Decision history ({(r.log ?? []).length})</summary>
        <ol className="history">
          {(r.log ?? []).map((l) => (
            <li key={l.index}>
              <span className="muted">{formatTime(l.at)}</span> <strong>{l.action.replaceAll('_', ' ')}</strong> by {describeActor(l.by)}
              {l.authority !== undefined && <> under {describeAuthority(l.authority)}</>}
              {l.reason !== undefined && <span className="reason">: “{l.reason}”</span>}
            </li>
          ))}
        </ol>
      </details>
      <RequestActions request={r} session={session} units={units} />
    </li>
  );
});

/** the incident's requests the caller's agency sent or received, newest first */
export function RequestsPanel({ requests, session }: { readonly requests: readonly AssistanceRequest[]; readonly session: Session }) {
  const units = useUnitChoices();
  const sorted = [...requests].sort((a, b) => b.sentAt.localeCompare(a.sentAt) || b.id.localeCompare(a.id));
  return (
    <section aria-labelledby="requests-title" className="panel">
      <h2 id="requests-title" tabIndex={-1}>
        Requests <span className="count">{requests.length}</span>
      </h2>
      {sorted.length === 0 && <p className="muted">No requests.</p>}
      <ul className="list">
        {sorted.map((r) => (
          <RequestCard key={r.id} request={r} session={session} units={units} />
        ))}
      </ul>
    </section>
  );
}
