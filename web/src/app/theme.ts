/**
 * Dark and light themes: the one the person chose (remembered in this
 * browser), else the system's (prefers-color-scheme), followed live while
 * no choice is made. The theme is an attribute on <html>; styles.css holds
 * both palettes.
 */
import { useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';

const KEY = 'concord.theme';
const system = window.matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set<() => void>();

function chosen(): Theme | undefined {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function currentTheme(): Theme {
  return chosen() ?? (system.matches ? 'dark' : 'light');
}

/** puts the theme on the page: called before the first render, so the page never flashes the other one */
export function applyTheme(): void {
  const t = currentTheme();
  document.documentElement.dataset['theme'] = t;
  document.documentElement.style.colorScheme = t;
  listeners.forEach((l) => l());
}

system.addEventListener('change', applyTheme);

export function setTheme(t: Theme): void {
  try {
    localStorage.setItem(KEY, t);
  } catch {
    // storage refused (a private window): the choice lasts this page only
  }
  document.documentElement.dataset['theme'] = t;
  document.documentElement.style.colorScheme = t;
  listeners.forEach((l) => l());
}

export function toggleTheme(): void {
  setTheme(currentTheme() === 'dark' ? 'light' : 'dark');
}

export function useTheme(): Theme {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => (document.documentElement.dataset['theme'] as Theme | undefined) ?? currentTheme(),
  );
}
