/**
 * A protocol book: every agency's protocol versions, prepared and ordered by
 * effective date. A version is in effect from its `effective_from` until its
 * `effective_until` or, if it has none, until the next version begins, so
 * publishing a new version never requires editing an old one (whose text
 * recorded verdicts still cite).
 */
import { ConcordError } from '../errors.ts';
import { prepareProtocolVersion, type PolicyWarning, type ProtocolVersion, type ProtocolVersionSource } from './version.ts';
import { parseRfc3339 } from './time.ts';

export interface ProtocolBook {
  /** versions of each agency, oldest first */
  readonly agencies: ReadonlyMap<string, readonly ProtocolVersion[]>;
}

export function prepareProtocolBook(sources: readonly ProtocolVersionSource[]): ProtocolBook {
  const byAgency = new Map<string, ProtocolVersion[]>();
  for (const source of sources) {
    const version = prepareProtocolVersion(source);
    const list = byAgency.get(version.agency) ?? [];
    list.push(version);
    byAgency.set(version.agency, list);
  }
  const agencies = new Map<string, readonly ProtocolVersion[]>();
  for (const agency of [...byAgency.keys()].sort()) {
    const versions = (byAgency.get(agency) ?? []).sort((a, b) => a.fromMs - b.fromMs || cmp(a.version, b.version));
    checkNoOverlap(versions);
    agencies.set(agency, versions);
  }
  return { agencies };
}

function checkNoOverlap(versions: readonly ProtocolVersion[]): void {
  for (let i = 1; i < versions.length; i++) {
    const before = versions[i - 1];
    const after = versions[i];
    if (!before || !after) continue;
    if (before.fromMs === after.fromMs) {
      throw new ConcordError(
        'POLICY_INVALID',
        `${locate(after, 'effective_from')}: ${after.id} overlaps ${before.id}: both take effect at ${after.effectiveFrom}`,
      );
    }
    if (before.untilMs !== undefined && before.untilMs > after.fromMs) {
      throw new ConcordError(
        'POLICY_INVALID',
        `${locate(before, 'effective_until')}: ${before.id} overlaps ${after.id}: effective until ${before.effectiveUntil}, but ${after.id} takes effect at ${after.effectiveFrom}`,
      );
    }
  }
}

/** Every warning of every version, agency by agency, oldest version first. */
export function bookWarnings(book: ProtocolBook): PolicyWarning[] {
  return [...book.agencies.values()].flatMap((versions) => versions.flatMap((v) => v.warnings));
}

/** The version of `agency`'s protocols in effect at `at`, or undefined. */
export function findVersionInEffect(book: ProtocolBook, agency: string, at: string): ProtocolVersion | undefined {
  const ms = parseRfc3339(at);
  if (ms === undefined) throw new ConcordError('BAD_INPUT', `not an RFC 3339 date-time: "${at}"`);
  const versions = book.agencies.get(agency);
  if (!versions) return undefined;
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i];
    if (!v || v.fromMs > ms) continue;
    const next = versions[i + 1];
    const end = Math.min(v.untilMs ?? Infinity, next?.fromMs ?? Infinity);
    return ms < end ? v : undefined;
  }
  return undefined;
}

/** As findVersionInEffect, but a missing version is POLICY_NOT_EFFECTIVE. */
export function versionInEffect(book: ProtocolBook, agency: string, at: string): ProtocolVersion {
  const version = findVersionInEffect(book, agency, at);
  if (version) return version;
  const versions = book.agencies.get(agency);
  const known = versions ? versions.map((v) => v.id).join(', ') : 'none';
  throw new ConcordError('POLICY_NOT_EFFECTIVE', `no protocol version of ${agency} is in effect at ${at} (versions: ${known})`, {
    agency,
    at,
  });
}

function locate(version: ProtocolVersion, field: string): string {
  return `${version.manifestSource.path}:${version.manifestSource.lineOf([field])}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
