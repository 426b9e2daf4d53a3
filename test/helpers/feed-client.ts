/**
 * A client of the live feed (WebSocket /v1/feed) for tests: it keeps every
 * message it receives, and waits for the first entry that matches.
 */
import WebSocket from 'ws';

export interface FeedEntryMessage {
  readonly type: 'entry';
  readonly index: number;
  readonly entry: {
    readonly type: string;
    readonly actor: Record<string, string>;
    readonly received: string;
    readonly incident?: string;
    readonly body: Record<string, unknown>;
  };
}

export interface FeedClient {
  /** the entries received so far, in order */
  readonly entries: readonly FeedEntryMessage[];
  /** the first entry received (or to come) that matches; rejects if the feed closes or nothing comes within `guardMs` */
  waitFor(match: (m: FeedEntryMessage) => boolean, guardMs?: number): Promise<FeedEntryMessage>;
  close(): void;
}

/** connects with the caller's headers (cookie, or bearer token) from just after `since` (default: the end of the log) */
export async function openFeed(url: string, headers: Readonly<Record<string, string>>, since?: number): Promise<FeedClient> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/feed${since !== undefined ? `?since=${since}` : ''}`, { headers: { ...headers } });
  const entries: FeedEntryMessage[] = [];
  const waiting = new Set<{ match: (m: FeedEntryMessage) => boolean; resolve: (m: FeedEntryMessage) => void; reject: (e: Error) => void }>();
  let closed: string | undefined;
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string };
    if (m.type !== 'entry') return;
    const e = m as FeedEntryMessage;
    entries.push(e);
    for (const w of waiting) {
      if (!w.match(e)) continue;
      waiting.delete(w);
      w.resolve(e);
    }
  });
  ws.on('close', (code, reason) => {
    closed = `the feed closed (${code} ${String(reason)})`;
    for (const w of waiting) w.reject(new Error(closed));
    waiting.clear();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`the feed refused the upgrade: ${res.statusCode}`)));
  });
  return {
    entries,
    waitFor(match, guardMs = 20_000) {
      const seen = entries.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      if (closed !== undefined) return Promise.reject(new Error(closed));
      return new Promise((resolve, reject) => {
        // a guard so a missing entry fails the test instead of hanging it; generous, never a measure of speed
        const guard = setTimeout(() => {
          waiting.delete(w);
          reject(new Error(`no matching entry on the feed within ${guardMs} ms (received ${entries.map((x) => `${x.index}:${x.entry.type}`).join(', ')})`));
        }, guardMs);
        const w = {
          match,
          resolve: (m: FeedEntryMessage) => {
            clearTimeout(guard);
            resolve(m);
          },
          reject: (e: Error) => {
            clearTimeout(guard);
            reject(e);
          },
        };
        waiting.add(w);
      });
    },
    close: () => ws.close(),
  };
}
