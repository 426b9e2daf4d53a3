import type { AssistanceRequest, Session } from '../../shared/types.ts';
import { ActionForm } from './ActionForm.tsx';
import { offersFor } from './request-offers.ts';
import type { UnitChoice } from './useUnitChoices.ts';

/** the forms of the actions the caller may take on a request (offersFor) */
export function RequestActions({
  request,
  session,
  units,
}: {
  readonly request: AssistanceRequest;
  readonly session: Session;
  readonly units: readonly UnitChoice[];
}) {
  const offers = offersFor(request, session, units);
  if (offers.length === 0) return null;
  const base = `/v1/requests/${encodeURIComponent(request.id)}`;
  return (
    <div className="actions" aria-label={`What you can do with request ${request.id}`} role="group">
      {offers.map((o) => (
        <ActionForm
          key={o.action}
          id={`${request.id}-${o.route}`}
          title={o.title}
          submitLabel={o.title}
          path={`${base}/${o.route}`}
          reasonRequired={o.reasonRequired}
          {...(o.noReason === true ? { noReason: true } : {})}
          {...(o.fields !== undefined ? { fields: o.fields } : {})}
        />
      ))}
    </div>
  );
}
