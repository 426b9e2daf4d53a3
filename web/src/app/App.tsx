import { ConnectionIndicator, useFeed } from '../features/feed/index.ts';
import { IncidentList } from '../features/incidents/index.ts';
import { LoginView, useLogout, useSession } from '../features/session/index.ts';
import { memo, useCallback, useState } from 'react';
import { localZone } from '../shared/time.ts';
import { HelpOverlay } from './HelpOverlay.tsx';
import { IncidentBoard } from './IncidentBoard.tsx';
import { navigate, useRoute } from './routes.ts';
import { focusFirst, useShortcuts } from './shortcuts.ts';
import { toggleTheme, useTheme } from './theme.ts';

// the shell draws again as the feed moves (its indicator); the board only when its incident or the session changes
const Board = memo(IncidentBoard);

/** clicks the first element matching `selector`; false when there is none */
function clickFirst(selector: string): boolean {
  const el = document.querySelector<HTMLElement>(selector);
  if (el === null) return false;
  el.focus();
  el.click();
  return true;
}

/** the shell: who is logged in, the feed's state (always visible), and the view of the route */
export function App() {
  const session = useSession();
  const logout = useLogout();
  const route = useRoute();
  const s = session.data ?? undefined;
  const feed = useFeed(s !== undefined);
  const theme = useTheme();
  const [help, setHelp] = useState(false);
  const onKey = useCallback((key: string): boolean => {
    switch (key) {
      case '?':
        setHelp((h) => !h);
        return true;
      case 'Escape':
        setHelp(false);
        return false;
      case 't':
        toggleTheme();
        return true;
      case 'i':
        navigate('/incidents');
        return true;
      case 'n':
        return focusFirst('#new-request-to');
      case 'o':
        return focusFirst('#new-order-directive');
      case 'r':
        return focusFirst('#requests-title') || false;
      case 'u':
        return focusFirst('#units .table-scroll');
      case 'b':
        return focusFirst('#inbox-title');
      case 'a':
        return clickFirst('[data-notification] button[data-acknowledge-notification]');
      default:
        return false;
    }
  }, []);
  useShortcuts(onKey);

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
        <button type="button" onClick={toggleTheme} aria-label={`Theme: ${theme}. Switch to ${theme === 'dark' ? 'light' : 'dark'} (t)`}>
          {theme === 'dark' ? '☾ Dark' : '☀ Light'}
        </button>
        <button type="button" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
          Keys ?
        </button>
        <button type="button" onClick={() => logout.mutate()}>
          Log out
        </button>
      </header>
      <HelpOverlay open={help} onClose={() => setHelp(false)} />
      <div id="content">
        {route.view === 'board' ? (
          <Board incident={route.incident} session={s} />
        ) : (
          <IncidentList open={(id) => navigate(`/incidents/${encodeURIComponent(id)}`)} />
        )}
      </div>
    </>
  );
}
