/**
 * A node's sealing policy: which body fields of which entry types are
 * sealed when a command becomes an entry (docs/ledger-format.md, "Sealed
 * values"). Only a value sealed when it was written can be withheld later
 * from a release (docs/releases.md): the hashed entry then holds its salted
 * commitment, and the value itself stays in the node's disclosures. Pure:
 * the policy is data, read from the node's concord.json at the edge.
 */
import { ConcordError } from '../errors.ts';
import { pointerTokens, type JsonObject } from './entry.ts';

/** one rule: the fields (JSON pointers into the body) sealed in entries of the matching types */
export interface SealingRule {
  /** an entry type (`request.sent`), a family (`request.*`) or every type (`*`) */
  readonly type: string;
  readonly fields: readonly string[];
}

export type SealingPolicy = readonly SealingRule[];

const TYPE_PATTERN_RE = /^(?:\*|[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*(?:\.\*)?)$/;
const RULE_FIELDS = ['type', 'fields'];

function bad(where: string, message: string): never {
  throw new ConcordError('BAD_INPUT', `${where}${message}`);
}

/**
 * Checks untrusted input as a sealing policy: an array of {type, fields},
 * nothing else. `where` prefixes every message (the file and key it came
 * from), so a bad configuration is refused in one line naming the field.
 */
export function parseSealingPolicy(input: unknown, where: string): SealingPolicy {
  if (!Array.isArray(input)) bad(where, ' must be an array of {"type": ..., "fields": [JSON pointers]}');
  const seen = new Set<string>();
  return input.map((rule, i): SealingRule => {
    const at = `${where}[${i}]`;
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) bad(at, ' must be an object {"type": ..., "fields": [...]}');
    for (const k of Object.keys(rule)) if (!RULE_FIELDS.includes(k)) bad(`${at}.${k}`, ' is not a known field (type, fields)');
    const { type, fields } = rule as { type?: unknown; fields?: unknown };
    if (typeof type !== 'string' || type.length > 64 || !TYPE_PATTERN_RE.test(type)) {
      bad(`${at}.type`, ` must be an entry type ("request.sent"), a family ("request.*") or "*" (got ${JSON.stringify(type)?.slice(0, 80)})`);
    }
    if (seen.has(type)) bad(`${at}.type`, ` "${type}" has a rule already; list its fields in one rule`);
    seen.add(type);
    if (!Array.isArray(fields) || fields.length === 0) bad(`${at}.fields`, ' must be a non-empty array of JSON pointers ("/reason")');
    const own = new Set<string>();
    for (const [j, f] of fields.entries()) {
      if (typeof f !== 'string') bad(`${at}.fields[${j}]`, ' is not a JSON pointer string');
      try {
        pointerTokens(f, 'field');
      } catch (e) {
        bad(`${at}.fields[${j}]`, ` ${(e as Error).message.replace(/^field: /, '')}`);
      }
      if (own.has(f)) bad(`${at}.fields[${j}]`, ` lists ${f} twice`);
      own.add(f);
    }
    return { type, fields: [...(fields as string[])] };
  });
}

function matches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** whether `pointer` names a value in `body` (a field that is absent is not sealed: there is nothing to seal) */
function present(body: JsonObject, pointer: string): boolean {
  let node: unknown = body;
  for (const t of pointerTokens(pointer)) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(t) || Number(t) >= node.length) return false;
      node = node[Number(t)];
    } else if (typeof node === 'object' && node !== null && Object.prototype.hasOwnProperty.call(node, t)) {
      node = (node as Record<string, unknown>)[t];
    } else {
      return false;
    }
  }
  return true;
}

/** The pointers the policy seals in an entry of `type` with this body: each once, only those present. */
export function sealedFields(policy: SealingPolicy, type: string, body: JsonObject): string[] {
  const out: string[] = [];
  for (const rule of policy) {
    if (!matches(rule.type, type)) continue;
    for (const f of rule.fields) if (!out.includes(f) && present(body, f)) out.push(f);
  }
  return out;
}
