import { memo, useMemo } from 'react';
import { formatTime } from '../../shared/time.ts';
import type { AssistanceRequest, Notification, Session } from '../../shared/types.ts';
import { describeActor, describeAuthority } from './authority.ts';
import { RequestActions } from './RequestActions.tsx';
import { useUnitChoices, type UnitChoice } from './useUnitChoices.ts';
import { VerdictView } from './Verdict.tsx';
import { RequestReportLinks } from './ReportLinks.tsx';

const NO_NOTICES: readonly Notification[] = [];

/** where a notice stands, as the agency that sent it needs to know: told, seen, acknowledged and by whom */
function noticeState(n: Notification): string {
  if (n.status === 'acknowledged')
    return `acknowledged ${formatTime(n.acknowledgedAt)}${n.acknowledgedBy !== undefined ? ` by ${n.acknowledgedBy.person ?? n.acknowledgedBy.agency}` : ''}`;
  if (n.status === 'delivered') return `delivered${n.deliveredAt !== undefined ? ` ${formatTime(n.deliveredAt)}` : ''}, not acknowledged yet`;
  return 'not delivered yet';
}

/** the notices about a request the caller's agency sent or was sent, oldest first */
function Notices({ notices }: { readonly notices: readonly Notification[] }) {
  if (notices.length === 0) return null;
  return (
    <>
      <dt>Told</dt>
      <dd>
        <ul className="notices" aria-label="Notices about this request">
          {notices.map((n) => (
            <li
              key={n.id}
              data-notice={n.id}
              data-status={n.status}
              data-recipient={n.recipient.agency}
              className={n.urgent && n.status !== 'acknowledged' ? 'late' : ''}
            >
              {n.recipient.person ?? n.recipient.position ?? n.recipient.agency} ({n.recipient.agency}):{' '}
              {n.topic.replace(/^request\./, '').replaceAll('_', ' ')}, {formatTime(n.createdAt)} · <strong>{noticeState(n)}</strong>
            </li>
          ))}
        </ul>
      </dd>
    </>
  );
}

/** one request; an unchanged request keeps its object across refetches (structural sharing), so its card is not drawn again */
const RequestCard = memo(function RequestCard({
  request,
  session,
  units,
  notices,
}: {
  readonly request: AssistanceRequest;
  readonly session: Session;
  readonly units: readonly UnitChoice[];
  readonly notices: readonly Notification[];
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
        <Notices notices={notices} />
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
export function RequestsPanel({
  requests,
  session,
  notifications = NO_NOTICES,
}: {
  readonly requests: readonly AssistanceRequest[];
  readonly session: Session;
  readonly notifications?: readonly Notification[];
}) {
  const units = useUnitChoices();
  // one array per request, the same one while the notifications are (its card is memoised)
  const notices = useMemo(() => {
    const by = new Map<string, Notification[]>();
    for (const n of [...notifications].sort((a, b) => a.index - b.index)) if (n.request !== undefined) by.set(n.request, [...(by.get(n.request) ?? []), n]);
    return by;
  }, [notifications]);
  const sorted = [...requests].sort((a, b) => b.sentAt.localeCompare(a.sentAt) || b.id.localeCompare(a.id));
  return (
    <section aria-labelledby="requests-title" className="panel">
      <h2 id="requests-title" tabIndex={-1}>
        Requests <span className="count">{requests.length}</span>
      </h2>
      {sorted.length === 0 && <p className="muted">No requests.</p>}
      <ul className="list">
        {sorted.map((r) => (
          <RequestCard key={r.id} request={r} session={session} units={units} notices={notices.get(r.id) ?? NO_NOTICES} />
        ))}
      </ul>
    </section>
  );
}
