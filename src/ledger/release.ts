/**
 * Redacted public releases (docs/releases.md): a bundle of an incident's
 * entries from which the values chosen by withholding rules are left out.
 * The entries are the exact hashed texts, so every inclusion proof still
 * verifies against the log's signed checkpoint; a withheld value is only
 * ever its salted commitment (docs/ledger-format.md, "Sealed values"). The
 * release lists each value it withholds, with the rule that withheld it.
 *
 * Pure: the caller reads the entries, disclosures and ranks from the node.
 */
import { ConcordError } from '../errors.ts';
import type { BundleEntry } from './bundle.ts';
import { ID_RE, pointerTokens, SEALED_KEY, type Disclosure, type Entry, type JsonObject } from './entry.ts';

export const RELEASE_FORMAT = 'concord-release/1';

/** one withholding rule, as given by whoever prepares the release and printed in it */
export interface WithholdRule {
  /** a short id the release cites ("officer-names", "court-order-2026-114") */
  readonly id: string;
  /** why: the law, order or policy, in words a reader of the release understands */
  readonly reason: string;
  /** an entry type, a family ("request.*") or "*" */
  readonly type: string;
  /** the body fields (JSON pointers) withheld */
  readonly fields: readonly string[];
  /** only entries recorded by this agency */
  readonly agency?: string;
  /** only these entries (a court's order names them) */
  readonly indexes?: readonly number[];
  /**
   * only entries about a person (body.person, else the actor's person)
   * whose most senior position (rank 1 is the top) is below this rank, or
   * who holds no ranked position
   */
  readonly below_rank?: number;
}

/** one value the release leaves out */
export interface Withheld {
  readonly index: number;
  readonly path: string;
  readonly rule: string;
}

const TYPE_PATTERN_RE = /^(?:\*|[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*(?:\.\*)?)$/;
const RULE_FIELDS = ['id', 'reason', 'type', 'fields', 'agency', 'indexes', 'below_rank'];
export const WITHHELD_FIELDS = ['index', 'path', 'rule'];

function bad(message: string): never {
  throw new ConcordError('BAD_INPUT', message);
}

/** Checks untrusted input as withholding rules; BAD_INPUT naming the field (`where[i].field`). */
export function parseWithholdRules(input: unknown, where: string): WithholdRule[] {
  if (!Array.isArray(input) || input.length === 0) bad(`${where} must be a non-empty array of rules {"id", "reason", "type", "fields", ...}`);
  const ids = new Set<string>();
  return input.map((r, i): WithholdRule => {
    const at = `${where}[${i}]`;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) bad(`${at} must be an object {"id", "reason", "type", "fields", ...}`);
    for (const k of Object.keys(r)) if (!RULE_FIELDS.includes(k)) bad(`${at}.${k} is not a known field (${RULE_FIELDS.join(', ')})`);
    const o = r as Record<string, unknown>;
    if (typeof o.id !== 'string' || o.id.length > 64 || !ID_RE.test(o.id)) bad(`${at}.id must be an id of 1-64 letters, digits, '.', '_', ':' or '-'`);
    if (ids.has(o.id)) bad(`${at}.id "${o.id}" is used by another rule`);
    ids.add(o.id);
    if (typeof o.reason !== 'string' || o.reason.trim() === '' || o.reason.length > 1000) bad(`${at}.reason must say why, in 1-1000 characters`);
    if (typeof o.type !== 'string' || !TYPE_PATTERN_RE.test(o.type))
      bad(`${at}.type must be an entry type ("person.registered"), a family ("request.*") or "*"`);
    if (!Array.isArray(o.fields) || o.fields.length === 0) bad(`${at}.fields must be a non-empty array of JSON pointers ("/name")`);
    o.fields.forEach((f, j) => {
      if (typeof f !== 'string') bad(`${at}.fields[${j}] is not a JSON pointer string`);
      try {
        pointerTokens(f, 'field');
      } catch (e) {
        bad(`${at}.fields[${j}] ${(e as Error).message.replace(/^field: /, '')}`);
      }
      if (o.fields !== undefined && (o.fields as unknown[]).indexOf(f) !== j) bad(`${at}.fields[${j}] lists ${f} twice`);
    });
    if (o.agency !== undefined && (typeof o.agency !== 'string' || !ID_RE.test(o.agency))) bad(`${at}.agency must be an agency id`);
    if (o.indexes !== undefined) {
      if (!Array.isArray(o.indexes) || o.indexes.length === 0 || o.indexes.some((n) => !Number.isSafeInteger(n) || (n as number) < 0)) {
        bad(`${at}.indexes must be a non-empty array of entry indexes`);
      }
    }
    if (o.below_rank !== undefined && (!Number.isSafeInteger(o.below_rank) || (o.below_rank as number) < 1))
      bad(`${at}.below_rank must be a rank, an integer from 1 (the top)`);
    return o as unknown as WithholdRule;
  });
}

function typeMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** the person an entry is about, for below_rank: body.person when it names one, else who recorded it */
function personOf(entry: Entry): string | undefined {
  const p = entry.body['person'];
  return typeof p === 'string' ? p : entry.actor.person;
}

/** what a rule needs to know of the world beyond the entry: the most senior rank a person held (undefined: none) */
export interface ReleaseContext {
  readonly rankOf: (person: string) => number | undefined;
}

/** the value at `pointer` in `body`, or undefined when there is none */
function valueAt(body: JsonObject, pointer: string): unknown {
  let node: unknown = body;
  for (const t of pointerTokens(pointer)) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(t) || Number(t) >= node.length) return undefined;
      node = node[Number(t)];
    } else if (typeof node === 'object' && node !== null && Object.prototype.hasOwnProperty.call(node, t)) {
      node = (node as Record<string, unknown>)[t];
    } else {
      return undefined;
    }
  }
  return node;
}

function isSealedMarker(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>)[SEALED_KEY] === 'string';
}

/** an entry as the node holds it: the hashed text, its parsed form, every disclosure, its inclusion proof */
export interface HeldEntry {
  readonly index: number;
  readonly text: string;
  readonly entry: Entry;
  readonly disclosures: readonly Disclosure[];
  readonly inclusion_proof: readonly string[];
}

/**
 * Applies the rules to the entries: each value a rule selects is left out
 * (its disclosure, and those of fields sealed inside it, are dropped) and
 * listed as withheld under the first rule that selects it. A selected
 * field that is in the clear in the hashed entry cannot be withheld (its
 * bytes are what the proofs hash): BAD_INPUT naming the entry and field.
 */
export function redactEntries(
  held: readonly HeldEntry[],
  rules: readonly WithholdRule[],
  ctx: ReleaseContext,
): { entries: BundleEntry[]; withheld: Withheld[] } {
  const entries: BundleEntry[] = [];
  const withheld: Withheld[] = [];
  for (const h of held) {
    const out: string[] = [];
    for (const rule of rules) {
      if (!typeMatches(rule.type, h.entry.type)) continue;
      if (rule.agency !== undefined && h.entry.actor.agency !== rule.agency) continue;
      if (rule.indexes !== undefined && !rule.indexes.includes(h.index)) continue;
      if (rule.below_rank !== undefined) {
        const person = personOf(h.entry);
        const rank = person === undefined ? undefined : ctx.rankOf(person);
        if (person === undefined || (rank !== undefined && rank <= rule.below_rank)) continue;
      }
      for (const path of rule.fields) {
        if (out.some((p) => path === p || path.startsWith(`${p}/`))) continue; // withheld already, or inside what is
        const inEntry = valueAt(h.entry.body, path);
        const disclosed = h.disclosures.find((d) => d.path === path);
        if (disclosed === undefined) {
          const parent = h.disclosures.find((d) => path.startsWith(`${d.path}/`));
          if (
            inEntry === undefined &&
            parent !== undefined &&
            valueAt({ v: parent.value } as JsonObject, `/v${path.slice(parent.path.length)}`) !== undefined
          ) {
            // the value is in the clear inside a sealed parent's disclosed value: only the parent can be withheld
            bad(
              `entry ${h.index} (${h.entry.type}): ${path} was not sealed on its own when it was written; withhold ${parent.path}, which holds it (rule "${rule.id}")`,
            );
          }
          if (inEntry === undefined) continue; // the entry has no such field: nothing to withhold
          if (!isSealedMarker(inEntry)) {
            bad(
              `entry ${h.index} (${h.entry.type}): ${path} was not sealed when it was written, so it cannot be withheld (rule "${rule.id}"); its value is part of the hashed entry`,
            );
          }
        }
        // a field sealed inside a sealed parent is withheld with its parent, so only the outermost is listed
        for (let k = out.length - 1; k >= 0; k--) if ((out[k] as string).startsWith(`${path}/`)) out.splice(k, 1);
        out.push(path);
        for (let k = withheld.length - 1; k >= 0; k--) {
          const w = withheld[k] as Withheld;
          if (w.index === h.index && w.path.startsWith(`${path}/`)) withheld.splice(k, 1);
        }
        withheld.push({ index: h.index, path, rule: rule.id });
      }
    }
    const kept = h.disclosures.filter((d) => !out.some((p) => d.path === p || d.path.startsWith(`${p}/`)));
    entries.push({
      index: h.index,
      entry: h.text,
      inclusion_proof: h.inclusion_proof,
      ...(kept.length > 0 ? { disclosures: kept } : {}),
    });
  }
  withheld.sort((a, b) => a.index - b.index || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, withheld };
}
