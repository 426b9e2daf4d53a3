/**
 * The ledger entries of one incident, as the feed (GET /v1/feed over
 * WebSocket) sends them: every entry the caller may read, from the first
 * (since=-1), then live. Each is kept with its stored canonical text, the
 * exact bytes the log hashed, so the console can check it against a signed
 * checkpoint (features/checkpoint). This is the timeline's own connection:
 * the shell's feed (features/feed) marks the cached views stale and keeps
 * no entries; this one keeps the entries and marks nothing.
 *
 * Entries are appended to one array in place and subscribers are told once
 * per burst (FLUSH_MS), so 200 entries a second cost a few renders, and
 * 10,000 entries are one array, not 10,000 states.
 */
import { useEffect, useMemo, useSyncExternalStore } from 'react';

import { entryOfFrame, type LedgerEntry } from './entry-frame.ts';

export { entryOfFrame, type EntryActor, type LedgerEntry } from './entry-frame.ts';

export type EntriesStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';
const FLUSH_MS = 60;
const RETRY_MS = [500, 1000, 2000, 5000];

/** one incident's entries, newest last, and who wants to know when more arrive */
export class EntryLog {
  readonly entries: LedgerEntry[] = [];
  status: EntriesStatus = 'connecting';
  /** bumped once per burst: what subscribers compare */
  version = 0;
  private readonly listeners = new Set<() => void>();
  private flush: ReturnType<typeof setTimeout> | undefined;
  private last = -1;

  constructor(readonly incident: string) {}

  /** the newest index seen on the feed (of any incident): where a reconnect resumes */
  get cursor(): number {
    return this.last;
  }

  add(entry: LedgerEntry): void {
    if (entry.index <= this.last) return;
    this.last = entry.index;
    if (entry.incident === this.incident) {
      this.entries.push(entry);
      this.changed();
    }
  }

  seen(cursor: number): void {
    this.last = Math.max(this.last, cursor);
  }

  setStatus(status: EntriesStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.changed();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  private changed(): void {
    // a view re-reads the whole log on each flush: a long log is flushed less often (60 ms up to 10,000 entries, then longer)
    this.flush ??= setTimeout(
      () => {
        this.flush = undefined;
        this.version++;
        for (const l of this.listeners) l();
      },
      FLUSH_MS * Math.max(1, Math.ceil(this.entries.length / 10_000)),
    );
  }
}

function follow(log: EntryLog): () => void {
  let socket: WebSocket | undefined;
  let attempt = 0;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/v1/feed?since=${log.cursor}`);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      log.setStatus('live');
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      if (event.data.startsWith('{"type":"entry"')) {
        const entry = entryOfFrame(event.data);
        if (entry !== undefined) log.add(entry);
        return;
      }
      const cursor = /^\{"type":"heartbeat","cursor":(\d+)\}$/.exec(event.data)?.[1];
      if (cursor !== undefined) log.seen(Number(cursor));
    };
    ws.onclose = (event) => {
      if (socket !== ws || stopped) return;
      if (event.code === 4001) {
        log.setStatus('closed');
        return;
      }
      attempt++;
      log.setStatus('reconnecting');
      retry = setTimeout(open, RETRY_MS[Math.min(attempt - 1, RETRY_MS.length - 1)]);
    };
  };
  open();
  return () => {
    stopped = true;
    if (retry !== undefined) clearTimeout(retry);
    socket?.close(1000, 'the timeline closed');
  };
}

/**
 * The incident's entry log while the component is mounted. The caller does
 * not re-render as entries arrive; what shows them subscribes
 * (useEntriesVersion), so a burst re-renders the timeline, not the board.
 */
export function useIncidentLog(incident: string): EntryLog {
  const log = useMemo(() => new EntryLog(incident), [incident]);
  useEffect(() => follow(log), [log]);
  return log;
}

/** changes once per burst of entries: a dependency for what reads log.entries */
export function useEntriesVersion(log: EntryLog): number {
  return useSyncExternalStore(log.subscribe, log.getVersion);
}

/**
 * The ledger indices a list has on screen now (the timeline's visible rows),
 * for what checks them (the checkpoint badge). Set by the list as it
 * scrolls, read by subscription, so scrolling re-renders nothing else.
 */
export class OnScreen {
  private current: readonly number[] = [];
  private readonly listeners = new Set<() => void>();

  set(indices: readonly number[]): void {
    if (indices.length === this.current.length && indices.every((x, i) => x === this.current[i])) return;
    this.current = indices;
    for (const l of this.listeners) l();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = (): readonly number[] => this.current;
}
