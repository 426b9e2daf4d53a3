import type { AssistanceRequest, Session, Unit } from '../../shared/types.ts';
import { ActionForm } from './ActionForm.tsx';

const ANSWERABLE = new Set(['received', 'evaluated', 'approved', 'escalated']);
const COMMITTABLE = new Set(['accepted', 'accepted_partly', 'units_committed', 'on_scene']);

/**
 * The actions the caller may take on a request, and only those: answering
 * and committing for a holder of the position responsible for it (the
 * request names them), withdrawing committed units for the providing
 * agency's command (the server checks the authority and says why not).
 * A reviewer, or a read-only session, acts on nothing.
 */
export function RequestActions({
  request,
  session,
  units,
}: {
  readonly request: AssistanceRequest;
  readonly session: Session;
  readonly units: readonly Unit[];
}) {
  if (session.reviewer || session.scope !== 'write' || request.to !== session.agency || request.kind !== 'units') return null;
  const responsible = request.responsible?.holders.some((h) => h.id === session.person) ?? false;
  const base = `/v1/requests/${encodeURIComponent(request.id)}`;
  const committed = (request.units ?? []).filter((u) => u.ended === undefined);
  const committedIds = new Set(committed.map((u) => u.unit));
  const free = units.filter((u) => u.agency === session.agency && !committedIds.has(u.id));
  const forms = [];
  if (responsible && ANSWERABLE.has(request.state)) {
    forms.push(<ActionForm key="accept" id={`${request.id}-accept`} title="Accept" submitLabel="Accept request" path={`${base}/accept`} reasonRequired />);
    forms.push(<ActionForm key="decline" id={`${request.id}-decline`} title="Decline" submitLabel="Decline request" path={`${base}/decline`} reasonRequired />);
  }
  if (responsible && COMMITTABLE.has(request.state)) {
    forms.push(
      <ActionForm
        key="commit"
        id={`${request.id}-commit`}
        title="Commit units"
        submitLabel="Commit units"
        path={`${base}/commit`}
        reasonRequired={false}
        units={free.map((u) => ({
          id: u.id,
          label: `${u.callsign} (${u.type ?? 'unit'}${u.status !== undefined ? `, ${u.status.status.replaceAll('_', ' ')}` : ''})`,
        }))}
      />,
    );
  }
  if (committed.length > 0) {
    forms.push(
      <ActionForm
        key="withdraw"
        id={`${request.id}-withdraw`}
        title="Withdraw units"
        submitLabel="Withdraw units"
        path={`${base}/withdraw`}
        reasonRequired
        units={committed.map((u) => ({ id: u.unit, label: u.callsign ?? u.unit }))}
        notice={
          <p className="notice">
            Before it is sent: <strong>{request.from}</strong> (the requesting agency, its liaison and requester) will be told at once, with your reason.
          </p>
        }
      />,
    );
  }
  if (forms.length === 0) return null;
  return <div className="actions">{forms}</div>;
}
