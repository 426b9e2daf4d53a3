import { useQuery } from '@tanstack/react-query';
import { getJson } from '../../shared/api.ts';
import { formatTime } from '../../shared/time.ts';
import type { Incident } from '../../shared/types.ts';

/** the incidents the caller's agency takes part in; `open` goes to the board */
export function IncidentList({ open }: { readonly open: (incident: string) => void }) {
  const incidents = useQuery({ queryKey: ['incidents'], queryFn: () => getJson<{ incidents: Incident[] }>('/v1/incidents') });
  return (
    <main aria-labelledby="incidents-title" className="page">
      <h1 id="incidents-title">Incidents</h1>
      {incidents.isPending && <p>Loading incidents…</p>}
      {incidents.error !== null && <p role="alert">Could not load the incidents: {incidents.error.message}</p>}
      {incidents.data?.incidents.length === 0 && <p>Your agency takes part in no incident.</p>}
      <ul className="incident-list">
        {incidents.data?.incidents.map((i) => (
          <li key={i.id} className="card">
            <h2>
              <a
                href={`/incidents/${encodeURIComponent(i.id)}`}
                onClick={(e) => {
                  e.preventDefault();
                  open(i.id);
                }}
              >
                {i.name}
              </a>
            </h2>
            <p>
              <span className="badge">{i.status}</span> {i.location}
            </p>
            <p className="muted">
              Lead agency {i.leadAgency} · agencies {i.agencies.join(', ')} · opened {formatTime(i.openedAt)}
            </p>
          </li>
        ))}
      </ul>
    </main>
  );
}
