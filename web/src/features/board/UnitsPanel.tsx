import { memo, useRef } from 'react';
import { formatTime } from '../../shared/time.ts';
import type { AssistanceRequest, IncidentView, Unit } from '../../shared/types.ts';
import { useRowWindow } from '../../shared/virtual.ts';

const STATUS_SYMBOL: Record<string, string> = {
  available: '○',
  dispatched: '▷',
  en_route: '▶',
  on_scene: '■',
  returning: '◁',
  out_of_service: '✕',
};

/** the request each unit serves now (committed and not ended) */
function servedBy(requests: readonly AssistanceRequest[]): Map<string, AssistanceRequest> {
  const m = new Map<string, AssistanceRequest>();
  for (const r of requests) for (const u of r.units ?? []) if (u.ended === undefined) m.set(u.unit, r);
  return m;
}

/** one row; a unit whose record did not change keeps its object (structural sharing, feed patches), so its row is not drawn again */
const UnitRow = memo(function UnitRow({
  unit: u,
  assignment,
  rowIndex,
  measure,
}: {
  readonly unit: Unit;
  readonly assignment: string;
  readonly rowIndex: number;
  readonly measure?: (row: HTMLElement | null) => void;
}) {
  const status = u.status?.status;
  const observed = u.status?.observed;
  // the source's own time beside the node's, where they differ by a second or more
  const differs = observed !== undefined && u.status !== undefined && Math.abs(Date.parse(observed) - Date.parse(u.status.since)) >= 1000;
  return (
    <tr data-unit={u.id} data-status={status ?? ''} aria-rowindex={rowIndex} ref={measure}>
      <th scope="row">
        {u.callsign} <span className="muted">{u.type}</span>
      </th>
      <td>{u.agency}</td>
      <td className="unit-status">
        {status === undefined ? (
          <span className="muted">not reported</span>
        ) : (
          <>
            <span aria-hidden="true">{STATUS_SYMBOL[status] ?? '•'}</span> {status.replaceAll('_', ' ')}
          </>
        )}
      </td>
      <td>{assignment}</td>
      <td>
        {formatTime(u.status?.since ?? u.assignment?.since)}
        {differs && <span className="muted"> (source: {formatTime(observed)})</span>}
      </td>
    </tr>
  );
});

/**
 * The unit status board: the units on the incident and those the caller's
 * agency can see, with status and since when. A long board is windowed
 * (shared/virtual.ts): only the rows in view are in the page.
 */
export function UnitsPanel({ view, units }: { readonly view: IncidentView; readonly units: readonly Unit[] }) {
  const scroller = useRef<HTMLDivElement>(null);
  const serving = servedBy(view.requests);
  const onIncident = new Set(view.units.map((u) => u.id));
  const byId = new Map(units.map((u) => [u.id, u]));
  for (const u of view.units)
    if (!byId.has(u.id))
      byId.set(u.id, {
        id: u.id,
        agency: u.agency,
        callsign: u.callsign,
        ...(u.type !== undefined ? { type: u.type } : {}),
        ...(u.since !== undefined ? { assignment: { incident: view.incident.id, since: u.since } } : {}),
      });
  const rows = [...byId.values()].sort((a, b) => a.agency.localeCompare(b.agency) || a.callsign.localeCompare(b.callsign));
  const win = useRowWindow(rows.length, scroller);
  const assignmentOf = (u: Unit) => {
    const r = serving.get(u.id);
    return r !== undefined
      ? `request ${r.id} (${r.from})`
      : onIncident.has(u.id) || u.assignment?.incident === view.incident.id
        ? 'this incident'
        : u.assignment !== undefined
          ? `incident ${u.assignment.incident}`
          : '—';
  };
  return (
    <section aria-labelledby="units-title" className="panel" id="units">
      <h2 id="units-title">
        Units <span className="count">{rows.length}</span>
      </h2>
      <div className="table-scroll" ref={scroller} tabIndex={0} role="region" aria-labelledby="units-title">
        <table className="units" aria-rowcount={rows.length + 1}>
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col">Unit</th>
              <th scope="col">Agency</th>
              <th scope="col">Status</th>
              <th scope="col">Assignment</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {win.before > 0 && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={5} style={{ height: win.before }} />
              </tr>
            )}
            {rows.slice(win.first, win.last).map((u, i) => (
              <UnitRow key={u.id} unit={u} assignment={assignmentOf(u)} rowIndex={win.first + i + 2} {...(i === 0 ? { measure: win.measure } : {})} />
            ))}
            {win.after > 0 && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={5} style={{ height: win.after }} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
