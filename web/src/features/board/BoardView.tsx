import type { ReactNode } from 'react';
import { formatTime } from '../../shared/time.ts';
import type { Session } from '../../shared/types.ts';
import { NewOrderForm } from './NewOrderForm.tsx';
import { NewRequestForm } from './NewRequestForm.tsx';
import { OrdersPanel } from './OrdersPanel.tsx';
import { RequestsPanel } from './RequestsPanel.tsx';
import { UnitsPanel } from './UnitsPanel.tsx';
import { useIncident, useUnits } from './useIncident.ts';

/** the incident board: what the caller's agency may see of one incident, live; `aside` is the shell's (the inbox) */
export function BoardView({ incident, session, aside }: { readonly incident: string; readonly session: Session; readonly aside?: ReactNode }) {
  const view = useIncident(incident);
  const units = useUnits();
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
  const unitList = units.data?.units ?? [];
  return (
    <main aria-labelledby="board-title" className="board" data-as-of={v.asOf.index}>
      <header className="board-head">
        <h1 id="board-title">{v.incident.name}</h1>
        <p>
          <span className="badge">{v.incident.status}</span> {v.incident.location} · lead {v.incident.leadAgency} · agencies{' '}
          {v.agencies.map((a) => a.name).join('; ')}
        </p>
        <p className="muted">
          As of entry {v.asOf.index}, {formatTime(v.asOf.received)}
        </p>
      </header>
      <div className="columns">
        <div className="column">
          <NewRequestForm view={v} session={session} />
          <RequestsPanel requests={v.requests} session={session} />
        </div>
        <div className="column">
          {aside}
          <UnitsPanel view={v} units={unitList} />
          <NewOrderForm view={v} session={session} units={unitList} />
          <OrdersPanel orders={v.orders} session={session} />
        </div>
      </div>
    </main>
  );
}
