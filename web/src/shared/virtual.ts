/**
 * A window onto a long list of rows of one height: only the rows in view
 * (and a few either side) are in the page; spacers above and below keep the
 * scroll bar true. Used by the unit status board, where an incident may have
 * 500 units; a short list is drawn whole.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/** below this many rows the list is drawn whole */
export const WINDOW_FROM = 80;
const OVERSCAN = 8;

export interface RowWindow {
  readonly first: number;
  readonly last: number;
  readonly before: number;
  readonly after: number;
}

/** which rows of `count` to draw in the scrolling `container`, rows of `rowHeight` px (measured from a drawn row when it can be) */
export function useRowWindow(
  count: number,
  container: RefObject<HTMLElement | null>,
  fallbackHeight = 30,
): RowWindow & { measure: (row: HTMLElement | null) => void } {
  const [scroll, setScroll] = useState({ top: 0, height: 800 });
  const [rowHeight, setRowHeight] = useState(fallbackHeight);
  const frame = useRef<number | undefined>(undefined);
  useEffect(() => {
    const el = container.current;
    if (el === null) return undefined;
    const read = () => {
      frame.current = undefined;
      setScroll({ top: el.scrollTop, height: el.clientHeight });
    };
    // one read per animation frame, however fast the wheel turns
    const onScroll = () => {
      frame.current ??= requestAnimationFrame(read);
    };
    read();
    el.addEventListener('scroll', onScroll, { passive: true });
    const resize = new ResizeObserver(onScroll);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      resize.disconnect();
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
    };
  }, [container]);
  const measure = useCallback((row: HTMLElement | null) => {
    if (row === null) return;
    const h = row.getBoundingClientRect().height;
    if (h > 0) setRowHeight((old) => (Math.abs(old - h) > 0.5 ? h : old));
  }, []);
  if (count < WINDOW_FROM) return { first: 0, last: count, before: 0, after: 0, measure };
  const first = Math.max(0, Math.floor(scroll.top / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scroll.top + scroll.height) / rowHeight) + OVERSCAN);
  return { first, last, before: first * rowHeight, after: (count - last) * rowHeight, measure };
}
