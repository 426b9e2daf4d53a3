import assert from 'node:assert/strict';
/**
 * A client of the live feed (GET /v1/feed over WebSocket, the `ws` package),
 * as a console or an agency's system would be: it sends the login's
 * headers on the upgrade, keeps every entry it receives (index and the
 * entry's text exactly as sent) and the heartbeats' cursors, and can stop
 * reading after any number of messages (a clean close, or a kill).
 */
import { WebSocket } from 'ws';
import type { Client, ServedNode } from './server.ts';

export interface ReceivedEntry {
  readonly index: number;
  /** the entry's text as the message carried it (the ledger's canonical text, sealed values in place) */
  readonly text: string;
  /** for a sealed entry: the text the log hashed, and the disclosures opening its commitments */
  readonly sealed?: { readonly text: string; readonly disclosures: readonly { readonly path: string; readonly salt: string; readonly value: unknown }[] };
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

const ENTRY_PREFIX = /^\{"type":"entry","index":(\d+),"entry":/;

export class FeedClient {
  readonly ws: WebSocket;
  readonly entries: ReceivedEntry[] = [];
  readonly cursors: number[] = [];
  /** messages that were neither an entry nor a heartbeat */
  readonly strange: string[] = [];
  /** resolves once the upgrade went through; rejects with the refusal otherwise */
  readonly opened: Promise<void>;
  readonly closed: Promise<Closed>;
  /** set once the test stopped listening: what arrives after is not counted as received */
  private stopped = false;
  private readonly waiters = new Set<() => void>();

  constructor(url: string, headers: Readonly<Record<string, string>>, since?: number | string) {
    const q = since === undefined ? '' : `?since=${encodeURIComponent(String(since))}`;
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/feed${q}`, { headers: { ...headers } });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => reject(new FeedRefused(res.statusCode ?? 0, String(res.headers['content-type']), body)));
      });
      this.ws.once('error', reject);
    });
    // a refused upgrade rejects `opened`; the test that expects it awaits it
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data) => {
      if (this.stopped) return;
      const text = data.toString();
      const m = ENTRY_PREFIX.exec(text);
      if (m !== null) {
        const sealed = (JSON.parse(text) as { sealed?: ReceivedEntry['sealed'] }).sealed;
        // the entry's text is carried as it is, between the prefix and what follows it
        const suffix = sealed === undefined ? '}' : `,"sealed":${JSON.stringify(sealed)}}`;
        assert.ok(text.endsWith(suffix), `a feed message ends with its entry (and what was sealed): ${text.slice(-200)}`);
        this.entries.push({ index: Number(m[1]), text: text.slice(m[0].length, text.length - suffix.length), ...(sealed !== undefined ? { sealed } : {}) });
      } else {
        const msg = JSON.parse(text) as { type?: unknown; cursor?: unknown };
        if (msg.type === 'heartbeat' && typeof msg.cursor === 'number') this.cursors.push(msg.cursor);
        else this.strange.push(text);
      }
      for (const w of [...this.waiters]) w();
    });
    this.ws.on('close', () => {
      for (const w of [...this.waiters]) w();
    });
  }

  /** the last index received (since to resume from), or `before` if none */
  last(before: number): number {
    return this.entries.at(-1)?.index ?? before;
  }

  /** the last heartbeat's cursor, -Infinity before the first */
  get cursor(): number {
    return this.cursors.at(-1) ?? -Infinity;
  }

  /** resolves when `done()` holds after a message; rejects if the socket closes first */
  until(done: () => boolean, what = 'the condition'): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) {
          this.waiters.delete(check);
          resolve();
        } else if (this.ws.readyState === WebSocket.CLOSED || this.stopped) {
          this.waiters.delete(check);
          reject(new Error(`the feed closed before ${what}`));
        }
      };
      this.waiters.add(check);
    });
  }

  /** stops counting messages and closes cleanly */
  async close(): Promise<Closed> {
    this.stopped = true;
    this.ws.close();
    return this.closed;
  }

  /** stops counting messages and cuts the connection without a close handshake */
  async kill(): Promise<Closed> {
    this.stopped = true;
    this.ws.terminate();
    return this.closed;
  }
}

export class FeedRefused extends Error {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly body: string,
  ) {
    super(`feed refused: ${status} ${body}`);
  }
}

/** a feed client of `client` (its cookie or bearer token on the upgrade) from after `since` */
export function openFeed(node: ServedNode, client: Client, since?: number | string): FeedClient {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(client.headers)) if (k !== 'x-csrf-token') headers[k] = v;
  return new FeedClient(node.url, headers, since);
}

/**
 * Reads until the feed has looked at every entry of the ledger and the
 * node is idle (no command under way, nothing appended meanwhile: an
 * entry this client received may have delivered a notification, which is
 * one more entry to read).
 */
export async function readToEnd(node: ServedNode, feed: FeedClient): Promise<number> {
  for (;;) {
    await node.live.coordination.idle();
    const size = await node.live.ledger.store.size();
    await feed.until(() => feed.cursor >= size - 1, `the heartbeat's cursor reached ${size - 1}`);
    await node.live.coordination.idle();
    if ((await node.live.ledger.store.size()) === size) return size;
  }
}
