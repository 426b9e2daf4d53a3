/**
 * Keyboard shortcuts for the control room: one key each, never while the
 * person is typing in a field (nor with Ctrl, Alt or Meta held, which
 * belong to the browser). The help overlay ("?") lists them from SHORTCUTS,
 * so the list and what the keys do cannot disagree.
 */
import { useEffect } from 'react';

export interface Shortcut {
  readonly key: string;
  readonly what: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: '?', what: 'show or hide this help' },
  { key: 'i', what: 'the incident list' },
  { key: 'n', what: 'request help (the new request form)' },
  { key: 'o', what: 'issue an order' },
  { key: 'r', what: 'the requests' },
  { key: 'u', what: 'the unit status board' },
  { key: 'b', what: 'the inbox' },
  { key: 'a', what: 'acknowledge the top notification of the inbox' },
  { key: 't', what: 'switch between dark and light' },
  { key: 'Escape', what: 'close this help' },
];

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** calls `on(key)` for a shortcut key pressed outside any field; `on` returns true when it did something */
export function useShortcuts(on: (key: string) => boolean): void {
  useEffect(() => {
    const listener = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || typing(e.target)) return;
      if (!SHORTCUTS.some((s) => s.key === e.key)) return;
      if (on(e.key)) e.preventDefault();
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, [on]);
}

/** moves the focus to the first element matching `selector` and brings it into view; false when there is none */
export function focusFirst(selector: string): boolean {
  const el = document.querySelector<HTMLElement>(selector);
  if (el === null) return false;
  el.scrollIntoView({ block: 'start' });
  el.focus({ preventScroll: true });
  return true;
}
