import { ConnectionIndicator, useFeed } from '../features/feed/index.ts';
import { IncidentList } from '../features/incidents/index.ts';
import { LoginView, useLogout, useSession } from '../features/session/index.ts';
import { localZone } from '../shared/time.ts';
import { IncidentBoard } from './IncidentBoard.tsx';
import { navigate, useRoute } from './routes.ts';

/** the shell: who is logged in, the feed's state (always visible), and the view of the route */
export function App() {
  const session = useSession();
  const logout = useLogout();
  const route = useRoute();
  const s = session.data ?? undefined;
  const feed = useFeed(s !== undefined);

  if (session.isPending) return <p className="page">Loading…</p>;
  if (session.error !== null)
    return (
      <p role="alert" className="page">
        The server cannot be reached: {session.error.message}
      </p>
    );
  if (s === undefined) return <LoginView />;

  return (
    <>
      <a href="#content" className="skip">
        Skip to content
      </a>
      <header className="top" role="banner">
        <nav aria-label="Console">
          <a
            href="/incidents"
            onClick={(e) => {
              e.preventDefault();
              navigate('/incidents');
            }}
          >
            Concord
          </a>
        </nav>
        <ConnectionIndicator feed={feed} />
        <p className="who">
          {s.login} · {s.agency}
          {s.reviewer ? ' · reviewer (read only)' : ''} · times in {localZone}
        </p>
        <button type="button" onClick={() => logout.mutate()}>
          Log out
        </button>
      </header>
      <div id="content">
        {route.view === 'board' ? (
          <IncidentBoard incident={route.incident} session={s} />
        ) : (
          <IncidentList open={(id) => navigate(`/incidents/${encodeURIComponent(id)}`)} />
        )}
      </div>
    </>
  );
}
