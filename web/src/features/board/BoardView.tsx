import { memo, useMemo, type ReactNode } from 'react';
import './board.css';
import { formatTime } from '../../shared/time.ts';
import type { IncidentView, Session, Unit } from '../../shared/types.ts';
import { NewOrderForm } from './NewOrderForm.tsx';
import { NewRequestForm } from './NewRequestForm.tsx';
import { IncidentReportLinks } from './ReportLinks.tsx';
import { OrdersPanel } from './OrdersPanel.tsx';
import { RequestsPanel } from './RequestsPanel.tsx';
import { UnitsPanel } from './UnitsPanel.tsx';
import { useIncident, useUnits } from './useIncident.ts';

const NO_UNITS: readonly Unit[] = [];
// panels that do not read the unit list: a unit's status change does not draw them again
const RequestsList = memo(RequestsPanel);
const OrdersList = memo(OrdersPanel);
const RequestForm = memo(NewRequestForm);
const OrderForm = memo(NewOrderForm);

/** the live picture's panels, made by the shell from the view (the board imports no other feature) */
export interface BoardPicture {
  readonly map?: ReactNode;
  readonly timeline?: ReactNode;
  readonly conflicts?: ReactNode;
  readonly messages?: ReactNode;
  readonly command?: ReactNode;
  readonly checkpoint?: ReactNode;
}

/**
 * The incident board: what the caller's agency may see of one incident,
 * live, on one screen. Six areas, each scrolling on its own: the map, the
 * timeline, requests, conflicts and orders, the inbox and messages, the
 * command and units. At 1366×768 they are three columns of two; on a wall
 * display five columns (styles in board.css). `aside` is the shell's (the
 * inbox), `picture` the shell's panels of the live picture.
 */
export function BoardView({
  incident,
  session,
  aside,
  picture,
}: {
  readonly incident: string;
  readonly session: Session;
  readonly aside?: ReactNode;
  readonly picture?: (view: IncidentView) => BoardPicture;
}) {
  const view = useIncident(incident);
  const units = useUnits();
  // the picture's panels are made again only when the view changes: a unit's status patched in the
  // unit list (many a second on a busy incident) re-draws the unit board, not the timeline or the map
  const p = useMemo(() => (view.data !== undefined ? (picture?.(view.data) ?? {}) : {}), [picture, view.data]);
  if (view.isPending) return <main className="page">Loading the incident…</main>;
  if (view.error !== null)
    return (
      <main className="page">
        <p role="alert">
          Could not load incident {incident}: {view.error.message}
        </p>
      </main>
    );
  const v = view.data;
  const unitList = units.data?.units ?? NO_UNITS;
  return (
    <main aria-labelledby="board-title" className="board board-picture" data-as-of={v.asOf.index}>
      <header className="board-head">
        <div className="board-title">
          <h1 id="board-title">{v.incident.name}</h1>
          <p>
            <span className="badge">{v.incident.status}</span> {v.incident.location} · lead {v.incident.leadAgency} · agencies{' '}
            {v.agencies.map((a) => a.name).join('; ')}{' '}
            <span className="muted">
              · as of entry {v.asOf.index}, {formatTime(v.asOf.received)}
            </span>
          </p>
          <IncidentReportLinks incident={v.incident.id} />
        </div>
        {p.checkpoint}
      </header>
      <div className="board-grid">
        <div className="area area-map">{p.map}</div>
        <div className="area area-timeline">{p.timeline}</div>
        <div className="area area-requests" tabIndex={-1}>
          <RequestForm view={v} session={session} />
          <RequestsList requests={v.requests} session={session} notifications={v.notifications} />
        </div>
        <div className="area area-orders">
          {p.conflicts}
          <OrderForm view={v} session={session} />
          <OrdersList orders={v.orders} session={session} />
        </div>
        <div className="area area-inbox">
          {aside}
          {p.messages}
        </div>
        <div className="area area-units">
          {p.command}
          <UnitsPanel view={v} units={unitList} />
        </div>
      </div>
    </main>
  );
}
