/**
 * The console's client routes, on the History API. The server answers
 * index.html at each of them (src/server/console-routes.ts lists the same).
 */
import { useSyncExternalStore } from 'react';

export type Route = { readonly view: 'incidents' } | { readonly view: 'board'; readonly incident: string };

function parse(path: string): Route {
  const m = /^\/incidents\/([^/]+)$/.exec(path);
  return m?.[1] !== undefined ? { view: 'board', incident: decodeURIComponent(m[1]) } : { view: 'incidents' };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string): void {
  history.pushState(null, '', path);
  listeners.forEach((l) => l());
}

export function useRoute(): Route {
  const path = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => location.pathname,
  );
  return parse(path);
}
