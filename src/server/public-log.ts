/**
 * The public log, laid out as C2SP tlog-tiles: anyone may fetch the latest
 * checkpoint, the log's verifier key, the hash tiles and proofs, and check
 * that the log only ever grows; none of these carries an entry's contents.
 * Entry bundles (tile/entries/...) do, so they need a caller who may read
 * every entry in them.
 */
import { z } from 'zod';
import type { LedgerService } from '../app/ledger.ts';
import type { WitnessPublisher } from '../app/witness-publisher.ts';
import { ConcordError } from '../errors.ts';
import { HASH_SIZE, TILE_WIDTH, tileCount } from '../ledger/tiles.ts';
import { parseTilePath } from '../ledger/tile-path.ts';
import { HttpProblem } from './problem.ts';
import type { Principal } from './principal.ts';
import { defineRoute, type AnyRoute } from './route.ts';

/** a bundle prefixes each entry with its length as a big-endian uint16 */
const MAX_BUNDLED_ENTRY = 0xffff;

const sizeParam = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const base64 = (h: Buffer): string => h.toString('base64');

export interface PublicLogDeps {
  readonly ledger: LedgerService;
  readonly verifierKey: string;
  /** may this caller read entries [from, to)? (an entry bundle is all or nothing) */
  readonly mayReadEntries: (principal: Principal, from: number, to: number) => Promise<boolean>;
  /** the node publishes through witnesses (app/witness-publisher.ts): /checkpoint serves the witnessed checkpoint once there is one */
  readonly witnessing?: Pick<WitnessPublisher, 'served' | 'status' | 'active'>;
}

export function publicLogRoutes(deps: PublicLogDeps): AnyRoute[] {
  const { ledger } = deps;
  /** the size the latest checkpoint covers: tiles and proofs are served up to it */
  const published = async (): Promise<number> => (await ledger.latestCheckpoint())?.size ?? 0;

  const hashTile = async (level: number, index: number, width: number | undefined): Promise<Buffer> => {
    const size = await published();
    const { full, partialWidth } = tileCount(size, level);
    const want = width ?? TILE_WIDTH;
    // a tile exists once a checkpoint covers it; a partial one at any width up to what is covered
    const covered = index < full ? TILE_WIDTH : index === full ? partialWidth : 0;
    if (want > covered || (width === undefined && covered < TILE_WIDTH)) {
      throw new ConcordError(
        'NOT_FOUND',
        `tile ${level}/${index}${width !== undefined ? `.p/${width}` : ''} is not covered by the latest checkpoint (size ${size})`,
      );
    }
    const bytes = await ledger.store.tile({ level, index });
    if (bytes === undefined || bytes.length < want * HASH_SIZE) throw new ConcordError('LEDGER_CORRUPT', `tile ${level}/${index} is missing from the store`);
    return bytes.subarray(0, want * HASH_SIZE);
  };

  const entryBundle = async (principal: Principal | undefined, index: number, width: number | undefined): Promise<Buffer> => {
    const size = await published();
    const from = index * TILE_WIDTH;
    const to = from + (width ?? TILE_WIDTH);
    // a bundle exists once a checkpoint covers it; a partial one at any width up to what is covered
    if (to > size) {
      throw new ConcordError('NOT_FOUND', `entries ${from}-${to - 1} are not all covered by the latest checkpoint (size ${size})`);
    }
    if (principal === undefined) throw new HttpProblem('UNAUTHENTICATED', 401, 'an entry bundle holds the entries themselves: log in or send a token');
    if (!(await deps.mayReadEntries(principal, from, to))) {
      throw new HttpProblem(
        'FORBIDDEN',
        403,
        `entries ${from}-${to - 1} include some this caller may not read; ask for the entries one by one through the API`,
      );
    }
    const parts: Buffer[] = [];
    for await (const e of ledger.store.entries(from, to)) {
      const text = Buffer.from(e.text, 'utf8');
      if (text.length > MAX_BUNDLED_ENTRY)
        throw new ConcordError('NOT_FOUND', `entry ${e.index} is larger than an entry bundle can hold (${MAX_BUNDLED_ENTRY} bytes)`);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(text.length);
      parts.push(len, text);
    }
    return Buffer.concat(parts);
  };

  return [
    defineRoute({
      method: 'GET',
      url: '/checkpoint',
      tag: 'public log',
      summary: 'the latest signed checkpoint (C2SP tlog-checkpoint signed note)',
      access: 'public',
      response: { status: 200, description: 'the signed note', contentType: 'text/plain; charset=utf-8' },
      async handler({ reply }) {
        const cp = await ledger.latestCheckpoint();
        if (cp === undefined) throw new ConcordError('NOT_FOUND', 'no checkpoint has been signed yet');
        reply.header('cache-control', 'no-cache');
        // both states, durable (signed by the node) and witnessed (cosigned by the quorum), in headers (docs/witnesses.md)
        reply.header('concord-durable-size', String(cp.size));
        const w = deps.witnessing;
        if (w === undefined || !w.active) return cp.note;
        const served = w.served();
        const witnessed = w.status().witnessed;
        reply.header('concord-witnessed-size', witnessed === null ? 'none' : String(witnessed.size));
        // before the quorum first cosigns, the latest durable checkpoint, with the log's signature only
        return served?.note ?? cp.note;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/witnessing',
      tag: 'public log',
      summary: "the node's checkpoints as durable (signed) and witnessed (cosigned by the quorum), and each witness's state",
      access: 'public',
      response: { status: 200, description: 'the witnessing status' },
      async handler() {
        const cp = await ledger.latestCheckpoint();
        if (deps.witnessing === undefined || !deps.witnessing.active) {
          return { durable: cp !== undefined ? { size: cp.size } : null, witnessed: null, quorum: 0, witnesses: [] };
        }
        return deps.witnessing.status();
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/log/key',
      tag: 'public log',
      summary: "the log's verifier key (C2SP signed-note verifier key) to check checkpoints with",
      access: 'public',
      response: { status: 200, description: 'the verifier key, one line', contentType: 'text/plain; charset=utf-8' },
      async handler({ reply }) {
        reply.header('cache-control', 'public, max-age=86400');
        return `${deps.verifierKey}\n`;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/tile/*',
      tag: 'public log',
      summary: 'a tile (C2SP tlog-tiles): tile/<L>/<N>[.p/<W>] hashes, public; tile/entries/<N>[.p/<W>] entries, for a caller who may read them all',
      access: 'public',
      params: z.object({ '*': z.string().max(64) }),
      response: { status: 200, description: 'the tile bytes', contentType: 'application/octet-stream' },
      async handler({ params, reply, principal }) {
        const path = parseTilePath(params['*']);
        if (typeof path === 'string') throw new ConcordError('NOT_FOUND', `tile/${params['*']}: ${path}`, { field: 'path' });
        const bytes = path.level === 'entries' ? await entryBundle(principal, path.index, path.width) : await hashTile(path.level, path.index, path.width);
        // a tile never changes: full and partial tiles of a width are each fixed once written
        reply.header('cache-control', path.level === 'entries' ? 'private, max-age=31536000, immutable' : 'public, max-age=31536000, immutable');
        return bytes;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/proofs/inclusion',
      tag: 'public log',
      summary: 'an RFC 9162 inclusion proof of the entry at `index` in the tree of `size` entries (default: the latest checkpoint)',
      access: 'public',
      query: z.strictObject({ index: sizeParam, size: sizeParam.optional() }),
      response: {
        status: 200,
        description: 'the proof',
        schema: z.object({ index: z.number(), size: z.number(), leafHash: z.string(), proof: z.array(z.string()), root: z.string() }),
      },
      async handler({ query }) {
        const size = query.size ?? (await published());
        if (size > (await published()))
          throw new ConcordError('BAD_INPUT', `size ${size} is beyond the latest checkpoint (${await published()})`, { field: 'query.size' });
        const p = await ledger.inclusionProof(query.index, size);
        return { index: p.index, size: p.size, leafHash: base64(p.leafHash), proof: p.proof.map(base64), root: base64(p.root) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/proofs/consistency',
      tag: 'public log',
      summary: 'an RFC 9162 consistency proof from the tree of `from` entries to the tree of `to` (default: the latest checkpoint)',
      access: 'public',
      query: z.strictObject({ from: sizeParam, to: sizeParam.optional() }),
      response: {
        status: 200,
        description: 'the proof',
        schema: z.object({ from: z.number(), to: z.number(), proof: z.array(z.string()), fromRoot: z.string(), toRoot: z.string() }),
      },
      async handler({ query }) {
        const to = query.to ?? (await published());
        if (to > (await published()))
          throw new ConcordError('BAD_INPUT', `to ${to} is beyond the latest checkpoint (${await published()})`, { field: 'query.to' });
        const p = await ledger.consistencyProof(query.from, to);
        return { from: p.from, to: p.to, proof: p.proof.map(base64), fromRoot: base64(p.fromRoot), toRoot: base64(p.toRoot) };
      },
    }),
  ];
}
