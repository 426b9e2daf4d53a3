import { formatTime } from '../../shared/time.ts';
import type { AssistanceRequest, IncidentView, Unit } from '../../shared/types.ts';

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

/** the unit status board: the units on the incident and those the caller's agency can see, with status and since when */
export function UnitsPanel({ view, units }: { readonly view: IncidentView; readonly units: readonly Unit[] }) {
  const serving = servedBy(view.requests);
  const onIncident = new Set(view.units.map((u) => u.id));
  const byId = new Map(units.map((u) => [u.id, u]));
  for (const u of view.units)
    if (!byId.has(u.id))
      byId.set(u.id, {
        id: u.id,
        agency: u.agency,
        callsign: u.callsign,
        type: u.type,
        ...(u.since !== undefined ? { assignment: { incident: view.incident.id, since: u.since } } : {}),
      });
  const rows = [...byId.values()].sort((a, b) => a.agency.localeCompare(b.agency) || a.callsign.localeCompare(b.callsign));
  return (
    <section aria-labelledby="units-title" className="panel">
      <h2 id="units-title">
        Units <span className="count">{rows.length}</span>
      </h2>
      <table className="units">
        <thead>
          <tr>
            <th scope="col">Unit</th>
            <th scope="col">Agency</th>
            <th scope="col">Status</th>
            <th scope="col">Assignment</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((u) => {
            const r = serving.get(u.id);
            const status = u.status?.status;
            const assignment =
              r !== undefined
                ? `request ${r.id} (${r.from})`
                : onIncident.has(u.id) || u.assignment?.incident === view.incident.id
                  ? 'this incident'
                  : u.assignment !== undefined
                    ? `incident ${u.assignment.incident}`
                    : '—';
            return (
              <tr key={u.id} data-unit={u.id}>
                <th scope="row">
                  {u.callsign} <span className="muted">{u.type}</span>
                </th>
                <td>{u.agency}</td>
                <td>
                  {status === undefined ? (
                    <span className="muted">not reported</span>
                  ) : (
                    <>
                      <span aria-hidden="true">{STATUS_SYMBOL[status] ?? '•'}</span> {status.replaceAll('_', ' ')}
                    </>
                  )}
                </td>
                <td>{assignment}</td>
                <td>{formatTime(u.status?.since ?? u.assignment?.since)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
