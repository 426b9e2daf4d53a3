/**
 * Tile paths as C2SP tlog-tiles names them: tile/<L>/<N>[.p/<W>] for hash
 * tiles and tile/entries/<N>[.p/<W>] for entry bundles. <N> is written in
 * zero-padded groups of three digits, every group but the last prefixed
 * with "x" (1234067 is x001/x234/067); <W>, the width of a partial tile, is
 * 1 to 255. Pure: the server parses what clients ask for with it.
 */
import { TILE_WIDTH } from './tiles.ts';

export interface TilePath {
  /** a level of hash tiles, or the entry bundles */
  readonly level: number | 'entries';
  readonly index: number;
  /** the width of a partial tile; absent for a full one */
  readonly width?: number;
}

/** tile levels a log of up to 2^63 entries can have (8 bits each) */
const MAX_LEVEL = 63;

export function formatTileIndex(n: number): string {
  const groups: string[] = [];
  let rest = n;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export function formatTilePath(t: TilePath): string {
  return `tile/${t.level}/${formatTileIndex(t.index)}${t.width !== undefined ? `.p/${t.width}` : ''}`;
}

/**
 * The tile a path names (the part after "tile/"), or a sentence saying
 * what is wrong with it. Only the one canonical spelling of each tile is
 * accepted, so that one tile has one URL (and one cache entry).
 */
export function parseTilePath(path: string): TilePath | string {
  const parts = path.split('/');
  const levelPart = parts.shift();
  let level: number | 'entries';
  if (levelPart === 'entries') level = 'entries';
  else if (levelPart !== undefined && /^(0|[1-9]\d?)$/.test(levelPart) && Number(levelPart) <= MAX_LEVEL) level = Number(levelPart);
  else return `the level must be entries or a number from 0 to ${MAX_LEVEL}`;
  let width: number | undefined;
  const last = parts[parts.length - 1];
  if (parts.length >= 2 && /\.p$/.test(parts[parts.length - 2] ?? '')) {
    if (last === undefined || !/^[1-9]\d{0,2}$/.test(last) || Number(last) >= TILE_WIDTH) return `a partial tile's width must be from 1 to ${TILE_WIDTH - 1}`;
    width = Number(last);
    parts.pop();
    parts[parts.length - 1] = (parts[parts.length - 1] as string).slice(0, -2);
  }
  if (parts.length === 0 || parts.length > 7) return 'the tile index is missing or too long';
  let index = 0;
  for (let i = 0; i < parts.length; i++) {
    const group = parts[i] as string;
    const expected = i < parts.length - 1 ? /^x\d{3}$/ : /^\d{3}$/;
    if (!expected.test(group)) return 'the tile index must be groups of three digits, each but the last prefixed with x (x001/x234/067)';
    index = index * 1000 + Number(group.slice(i < parts.length - 1 ? 1 : 0));
  }
  // one spelling per index: no leading group of zeros
  if (parts.length > 1 && parts[0] === 'x000') return 'the tile index has a leading group of zeros';
  if (!Number.isSafeInteger(index)) return 'the tile index is too large';
  return { level, index, ...(width !== undefined ? { width } : {}) };
}
