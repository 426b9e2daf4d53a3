/**
 * Rules that can never match, for reasons Cedar's validator cannot see
 * (it warns itself about what types rule out: `context has nonexistent`,
 * `&& false`, `1 == "a"`). Each finding is a warning: the set still loads.
 *
 * (a) The resource is always the deciding agency, the agency whose
 *     protocols these are (facts.ts), so a scope `resource == Agency::"X"`
 *     or `resource in Agency::"X"` naming another agency never matches.
 * (b) Within one conjunction (the `&&` chains of every `when`, and the
 *     negation of every `unless`, all of which must hold), the conditions
 *     on one attribute path contradict each other: `context.category ==
 *     "perimeter" && context.category == "medical"`, `== "a"` with
 *     `!= "a"`, `["a", "b"].contains(x)` with `x == "c"`, `x` with `!x`.
 *     A comparison of `resource` with another agency is the same mistake
 *     as (a), written in the conditions.
 */
import { PolicyText } from './cedar-source.ts';
import { attributePath, isObject } from './policy-json.ts';
import { entityUid } from './schema-shapes.ts';

export interface NeverMatches {
  readonly message: string;
  /** UTF-16 index in the policy text of what the message is about, when it is found */
  readonly index?: number;
}

/** The reasons `policy` (Cedar's JSON form; `text` its source) can never match, when evaluated for `agency`. */
export function findNeverMatching(policy: unknown, text: string, agency: string): NeverMatches[] {
  if (!isObject(policy)) return [];
  const source = new PolicyText(text);
  const own = { type: 'Agency', id: agency };
  const found: NeverMatches[] = [];
  const scope = otherAgencyInScope(policy['resource'], agency);
  if (scope) {
    const index = source.scopeVariable('resource');
    found.push({ message: `${scope} never matches: ${alwaysOwn(own)}`, ...(index === undefined ? {} : { index }) });
  }
  const paths = new Map<string, PathState>();
  // what the facts always hold, as if it were the first condition
  constrain(paths, { path: 'resource', kind: 'in', values: new Map([[literalKey(own), entityText(own)]]), shown: '', implicit: true });
  for (const atom of conjunction(policy['conditions'])) {
    const index = atom.needle === undefined ? undefined : source.next([atom.needle]);
    const state = constrain(paths, atom);
    if (!state || state.reported) continue;
    state.reported = true;
    const shown = state.atoms.filter((a) => !a.implicit).map((a) => a.shown);
    const message = state.atoms.some((a) => a.implicit)
      ? `${shown.join(' && ')} never holds: ${alwaysOwn(own)}`
      : `${shown.join(' && ')} cannot hold together: the rule never matches`;
    found.push({ message, ...(index === undefined ? {} : { index }) });
  }
  return found;
}

function alwaysOwn(own: { type: string; id: string }): string {
  return `the resource is always the deciding agency, ${entityText(own)}, whose protocols these are`;
}

/** `resource == Agency::"X"` / `resource in Agency::"X"` / `resource is Agency in Agency::"X"` with X another agency */
function otherAgencyInScope(scope: unknown, agency: string): string | undefined {
  if (!isObject(scope)) return undefined;
  const op = scope['op'];
  const named = op === 'is' ? (isObject(scope['in']) ? scope['in']['entity'] : undefined) : scope['entity'];
  const uid = entityUid(named);
  // Agency entities have no parents, so `in` one is `==` it
  if (!uid || uid.type !== 'Agency' || uid.id === agency) return undefined;
  const written = op === 'is' ? `resource is ${String(scope['entity_type'])} in` : `resource ${String(op)}`;
  return `${written} ${entityText(uid)}`;
}

/** one condition on one attribute path: its value is (kind "in") or is not (kind "notIn") one of `values` */
interface Atom {
  readonly path: string;
  readonly kind: 'in' | 'notIn';
  /** literal key -> the literal as written */
  readonly values: ReadonlyMap<string, string>;
  /** the condition as Cedar text */
  readonly shown: string;
  /** the token to point at */
  readonly needle?: string;
  /** a fact of the request model, not written in the policy */
  readonly implicit?: boolean;
}

interface PathState {
  allowed?: Map<string, string>;
  readonly excluded: Set<string>;
  readonly atoms: Atom[];
  reported: boolean;
}

/** add `atom` to its path; returns the path's state when its conditions have just become contradictory */
function constrain(paths: Map<string, PathState>, atom: Atom): PathState | undefined {
  let state = paths.get(atom.path);
  if (!state) {
    state = { excluded: new Set(), atoms: [], reported: false };
    paths.set(atom.path, state);
  }
  state.atoms.push(atom);
  if (atom.kind === 'in') {
    const before = state.allowed;
    state.allowed = new Map([...atom.values].filter(([key]) => !before || before.has(key)));
  } else {
    for (const key of atom.values.keys()) state.excluded.add(key);
  }
  const allowed = state.allowed;
  const impossible = allowed !== undefined && [...allowed.keys()].every((key) => state.excluded.has(key));
  return impossible ? state : undefined;
}

/**
 * The conditions that must all hold for the policy to match, as atoms, in
 * the order they are written. Only what is certain is kept: a disjunction
 * (of a `when`) or a conjunction under a negation says nothing about each
 * of its parts.
 */
function conjunction(conditions: unknown): Atom[] {
  const atoms: Atom[] = [];
  const collect = (e: unknown, positive: boolean): void => {
    if (!isObject(e)) return;
    const and = e['&&'];
    const or = e['||'];
    const not = e['!'];
    if (isObject(and)) {
      if (positive) {
        collect(and['left'], true);
        collect(and['right'], true);
      }
    } else if (isObject(or)) {
      // !(a || b) is !a && !b
      if (!positive) {
        collect(or['left'], false);
        collect(or['right'], false);
      }
    } else if (isObject(not)) {
      collect(not['arg'], !positive);
    } else if (isObject(e['=='])) {
      comparison(e['=='], positive);
    } else if (isObject(e['!='])) {
      comparison(e['!='], !positive);
    } else if (isObject(e['contains'])) {
      const c = e['contains'];
      const path = attributePath(c['right']);
      const set = setLiteral(c['left']);
      if (path && set && set.length > 0) {
        const values = new Map(set.map((l) => [l.key, l.shown]));
        const list = `[${set.map((l) => l.shown).join(', ')}].contains(${path})`;
        atoms.push({ path, kind: positive ? 'in' : 'notIn', values, shown: positive ? list : `!${list}`, needle: set[0]?.needle as string });
      }
    } else {
      // a bare attribute is a Boolean condition: `context.officer_in_danger`
      const path = e['.'] !== undefined ? attributePath(e) : undefined;
      if (path) {
        const value = literal({ Value: positive });
        if (value)
          atoms.push({ path, kind: 'in', values: new Map([[value.key, value.shown]]), shown: positive ? path : `!${path}`, needle: lastAttribute(path) });
      }
    }
  };
  const comparison = (operands: Record<string, unknown>, equal: boolean): void => {
    for (const [side, other] of [
      [operands['left'], operands['right']],
      [operands['right'], operands['left']],
    ] as const) {
      const path = attributePath(side);
      const value = literal(other);
      if (!path || !value) continue;
      atoms.push({
        path,
        kind: equal ? 'in' : 'notIn',
        values: new Map([[value.key, value.shown]]),
        shown: `${path} ${equal ? '==' : '!='} ${value.shown}`,
        needle: value.needle,
      });
      return;
    }
  };
  for (const clause of Array.isArray(conditions) ? conditions : []) {
    if (!isObject(clause)) continue;
    // `unless { c }` holds when c does not
    collect(clause['body'], clause['kind'] !== 'unless');
  }
  return atoms;
}

function lastAttribute(path: string): string | undefined {
  return /([A-Za-z_][A-Za-z0-9_]*)$/.exec(path)?.[1];
}

interface Literal {
  /** equal keys for equal values, different for different ones (and for values of different types) */
  readonly key: string;
  readonly shown: string;
  /** the token it is written as */
  readonly needle: string;
}

function literal(e: unknown): Literal | undefined {
  if (!isObject(e) || !('Value' in e)) return undefined;
  const v = e['Value'];
  if (typeof v === 'string') return { key: `string:${JSON.stringify(v)}`, shown: JSON.stringify(v), needle: JSON.stringify(v) };
  if (typeof v === 'boolean') return { key: `bool:${v}`, shown: String(v), needle: String(v) };
  if (typeof v === 'number' && Number.isInteger(v)) return { key: `long:${v}`, shown: String(v), needle: String(Math.abs(v)) };
  const uid = isObject(v) && isObject(v['__entity']) ? entityUid(v) : undefined;
  if (uid) return { key: literalKey(uid), shown: entityText(uid), needle: JSON.stringify(uid.id) };
  return undefined;
}

/** the elements of a set literal, when all of them are literals */
function setLiteral(e: unknown): Literal[] | undefined {
  if (!isObject(e)) return undefined;
  const elements = Array.isArray(e['Set']) ? e['Set'] : Array.isArray(e['Value']) ? e['Value'].map((v) => ({ Value: v })) : undefined;
  if (!elements) return undefined;
  const out: Literal[] = [];
  for (const element of elements) {
    const l = literal(element);
    if (!l) return undefined;
    out.push(l);
  }
  return out;
}

function literalKey(uid: { type: string; id: string }): string {
  return `entity:${uid.type}::${JSON.stringify(uid.id)}`;
}

function entityText(uid: { type: string; id: string }): string {
  return `${uid.type}::${JSON.stringify(uid.id)}`;
}
