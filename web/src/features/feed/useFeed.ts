/**
 * The live feed (GET /v1/feed over WebSocket): every entry the caller may
 * see, as it is stored. The console keeps no second copy of the server's
 * state. An entry whose change is plain (a unit's status) patches the
 * cached unit list in place (patch.ts), with every other such change that
 * arrived before the next frame (one render a frame, however many arrive):
 * nothing is fetched, and only the changed units' rows are drawn again.
 * Any other entry marks the views it may change
 * stale and the views on screen fetch again, coalesced: a burst of entries
 * is one refetch per view (FLUSH_MS), at most one refetch of a view is in
 * flight, and entries that arrive meanwhile cost one more once it is done
 * (the newest wins; none is cancelled half-way, so a busy incident is
 * never starved of its view). TanStack Query's structural sharing keeps
 * the objects of unchanged records, so their memoised rows are not drawn
 * again. The feed remembers the last index it was sent (an entry's,
 * or a heartbeat's cursor) and resumes from it after a drop, with
 * `since`, so no entry is missed and none is counted twice; the reconnect
 * refetches once, since what changed while it was down is not known.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { mayPatch, patchFromEntries, type FeedEntry } from './patch.ts';

export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface FeedState {
  readonly status: FeedStatus;
  /** the last ledger index the feed has reached, -1 before the first */
  readonly index: number;
  /** when the feed last spoke (an entry or a heartbeat) */
  readonly lastSeen: number | undefined;
}

/** entries arriving within this many milliseconds are one refetch */
const FLUSH_MS = 80;
/** how often the feed's progress (the entry it has reached) is drawn at most */
const REPORT_MS = 250;
/** the longest a patch waits for a frame (a hidden tab draws none) */
const PATCH_WAIT_MS = 100;
const RETRY_MS = [500, 1000, 2000, 5000];

interface FeedMessage {
  readonly type: string;
  readonly index?: number;
  readonly cursor?: number;
  readonly entry?: FeedEntry;
}

function parse(data: unknown): FeedMessage | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const m: unknown = JSON.parse(data);
    return typeof m === 'object' && m !== null && typeof (m as FeedMessage).type === 'string' ? (m as FeedMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** what an entry may change on screen (query keys are [resource, ...]) */
function staleKeys(type: string | undefined): readonly string[] {
  if (type === undefined) return ['incident', 'incidents', 'units', 'notifications'];
  if (type.startsWith('notification.')) return ['notifications', 'incident'];
  // what the person stands on (positions, delegations, incident command) decides the forms they see
  if (type.startsWith('person.') || type.startsWith('delegation.') || type === 'incident.command_established') return ['session', 'incident', 'incidents'];
  if (type.startsWith('unit.') || type.startsWith('units.')) return ['units', 'incident'];
  // a request's or an order's step may change what a form's preview says
  if (type.startsWith('request.') || type.startsWith('order.')) return ['incident', 'units', 'notifications', 'preview'];
  if (type.startsWith('incident.')) return ['incidents', 'incident', 'units'];
  return ['incident', 'units', 'notifications'];
}

/**
 * The newest ledger index a view in the cache was read at (the incident
 * view's `asOf`): the feed resumes from there when it has been sent nothing
 * yet, so what happened between that read and the feed's start is not lost.
 */
function cachedIndex(client: QueryClient): number {
  let newest = -1;
  for (const q of client.getQueryCache().getAll()) {
    const asOf = (q.state.data as { asOf?: { index?: unknown } } | undefined)?.asOf?.index;
    if (typeof asOf === 'number' && asOf > newest) newest = asOf;
  }
  return newest;
}

function connect(client: QueryClient, onState: (s: FeedState) => void): () => void {
  let index = -1;
  let lastSeen: number | undefined;
  let socket: WebSocket | undefined;
  let attempt = 0;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let flush: ReturnType<typeof setTimeout> | undefined;
  const pending = new Set<string>();
  /** the views being fetched again now, and those marked stale while they were */
  const inFlight = new Set<string>();
  const again = new Set<string>();

  /** status changes waiting for the next frame, applied together (200 a second are a render a frame, not 200) */
  let patches: FeedEntry[] = [];
  let frame: number | undefined;
  let frameTimer: ReturnType<typeof setTimeout> | undefined;

  // the shell draws the feed's state: a change of status at once, the index it has reached (which moves with every entry) at most every REPORT_MS
  let reported: FeedStatus | undefined;
  let reportTimer: ReturnType<typeof setTimeout> | undefined;
  const tell = () => {
    if (reportTimer !== undefined) clearTimeout(reportTimer);
    reportTimer = undefined;
    onState({ status: reported as FeedStatus, index, lastSeen });
  };
  const report = (status: FeedStatus) => {
    if (status !== reported) {
      reported = status;
      tell();
    } else {
      reportTimer ??= setTimeout(tell, REPORT_MS);
    }
  };
  const refetch = (k: string) => {
    if (inFlight.has(k)) {
      again.add(k);
      return;
    }
    inFlight.add(k);
    // cancelRefetch false: a fetch under way is not thrown away for a newer one; the trailing one below covers what it missed
    void client.invalidateQueries({ queryKey: [k] }, { cancelRefetch: false }).finally(() => {
      inFlight.delete(k);
      if (again.delete(k) && !stopped) refetch(k);
    });
  };
  const markStale = (keys: readonly string[]) => {
    for (const k of keys) pending.add(k);
    flush ??= setTimeout(() => {
      flush = undefined;
      const keys = [...pending];
      pending.clear();
      for (const k of keys) refetch(k);
    }, FLUSH_MS);
  };

  const applyPatches = () => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    if (frameTimer !== undefined) clearTimeout(frameTimer);
    frame = frameTimer = undefined;
    const batch = patches;
    patches = [];
    const left = patchFromEntries(client, batch);
    for (const e of left) markStale(staleKeys(e.type));
  };
  const patchSoon = (entry: FeedEntry) => {
    patches.push(entry);
    if (frame !== undefined) return;
    frame = requestAnimationFrame(applyPatches);
    frameTimer = setTimeout(applyPatches, PATCH_WAIT_MS);
  };

  const open = () => {
    index = Math.max(index, cachedIndex(client));
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const since = index >= 0 ? `?since=${index}` : '';
    const ws = new WebSocket(`${scheme}://${location.host}/v1/feed${since}`);
    socket = ws;
    report(attempt === 0 ? 'connecting' : 'reconnecting');
    ws.onopen = () => {
      // back after a drop: whatever changed meanwhile is fetched again, once
      if (attempt > 0) markStale(staleKeys(undefined));
      attempt = 0;
      report('live');
    };
    ws.onmessage = (event) => {
      const m = parse(event.data);
      if (m === undefined) return;
      lastSeen = Date.now();
      if (m.type === 'entry' && typeof m.index === 'number') {
        index = Math.max(index, m.index);
        if (m.entry !== undefined && mayPatch(m.entry)) patchSoon(m.entry);
        else markStale(staleKeys(m.entry?.type));
      } else if (m.type === 'heartbeat' && typeof m.cursor === 'number') {
        index = Math.max(index, m.cursor);
      }
      report('live');
    };
    ws.onclose = (event) => {
      if (socket !== ws || stopped) return;
      // 4001: the session is gone; the page asks for a login again
      if (event.code === 4001) {
        void client.invalidateQueries({ queryKey: ['session'] });
        report('closed');
        return;
      }
      attempt++;
      report('reconnecting');
      retry = setTimeout(open, RETRY_MS[Math.min(attempt - 1, RETRY_MS.length - 1)]);
    };
  };
  open();
  return () => {
    stopped = true;
    if (retry !== undefined) clearTimeout(retry);
    if (flush !== undefined) clearTimeout(flush);
    if (frame !== undefined) cancelAnimationFrame(frame);
    if (frameTimer !== undefined) clearTimeout(frameTimer);
    if (reportTimer !== undefined) clearTimeout(reportTimer);
    socket?.close(1000, 'the console closed the feed');
  };
}

/** the feed while the component is mounted (the app shell, once logged in) */
export function useFeed(enabled: boolean): FeedState {
  const client = useQueryClient();
  const [state, setState] = useState<FeedState>({ status: 'connecting', index: -1, lastSeen: undefined });
  useEffect(() => {
    if (!enabled) return undefined;
    return connect(client, setState);
  }, [client, enabled]);
  return state;
}
