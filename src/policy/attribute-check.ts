/**
 * `has` tests of attributes that exist nowhere. Cedar's validator only
 * warns about `context has nonexistent` ("policy is impossible"), and says
 * nothing once the test sits in a disjunction; either way a misspelt
 * optional attribute quietly turns a rule off, and a forbid that never
 * applies permits what it should refuse. So a `has` whose attribute the
 * schema gives to none of the types the tested value can have is a load
 * error.
 *
 * The tested value's type comes from the schema (any schema, read
 * generically by schema-shapes.ts): `principal` and `resource` are the
 * entity types of the actions the policy's scope can match, `context` their
 * context records, `x.a` the type of attribute `a` of x's types. Several
 * actions give a union: an attribute present in any of them exists. When the
 * type cannot be worked out, nothing is said.
 */
import type { SchemaJson } from './cedar-engine.ts';
import { PolicyText } from './cedar-source.ts';
import { accessText, attributePath, attributeText, isObject } from './policy-json.ts';
import { schemaShapes, type ActionRef, type SchemaShapes, type Shaped } from './schema-shapes.ts';

export interface MissingAttribute {
  /** the test as it can be written in Cedar, e.g. `context has foo` or `context.related_request has frm` */
  readonly test: string;
  readonly attribute: string;
  /** the attributes the tested value can have, sorted */
  readonly known: readonly string[];
  /** UTF-16 index of the `has` in the policy text, when it is found */
  readonly index?: number;
}

/** Every `has` in `policy` (Cedar's JSON form of it, `text` its source) testing an attribute that exists nowhere. */
export function findMissingAttributes(policy: unknown, text: string, schema: SchemaJson<string>): MissingAttribute[] {
  if (!isObject(policy)) return [];
  const shapes = schemaShapes(schema);
  const actions = shapes.actionsOfScope(policy['action']);
  const source = new PolicyText(text);
  const found: MissingAttribute[] = [];
  for (const has of hasTests(policy['conditions'])) {
    // searched for every test, so that each search goes on from the one before
    const index = source.next(['has', attributeText(has.attrs[0] as string)]);
    const missing = checkHas(shapes, actions, has);
    if (missing) found.push({ ...missing, ...(index === undefined ? {} : { index }) });
  }
  return found;
}

interface HasTest {
  readonly left: unknown;
  /** `e has a` is ["a"]; `e has a.b` is ["a", "b"] */
  readonly attrs: readonly string[];
}

function checkHas(shapes: SchemaShapes, actions: readonly ActionRef[] | undefined, has: HasTest): Omit<MissingAttribute, 'index'> | undefined {
  let types = typeOf(shapes, actions, has.left);
  let tested = attributePath(has.left);
  for (const attr of has.attrs) {
    if (!types || tested === undefined) return undefined;
    const known = new Set<string>();
    const next: Shaped[] = [];
    let nextKnown = true;
    for (const t of types) {
      const attributes = shapes.attributesOf(t);
      if (!attributes) return undefined;
      for (const name of attributes.keys()) known.add(name);
      const type = attributes.get(attr);
      if (!type) continue;
      const resolved = shapes.resolve(type);
      if (resolved) next.push(resolved);
      else nextKnown = false;
    }
    if (!known.has(attr)) return { test: `${tested} has ${attributeText(attr)}`, attribute: attr, known: [...known].sort() };
    // `e has a.b` is `e has a && e.a has b`
    types = nextKnown && next.length > 0 ? next : undefined;
    tested = `${tested}${accessText(attr)}`;
  }
  return undefined;
}

/** the types `expr` can have, or undefined when that cannot be worked out */
function typeOf(shapes: SchemaShapes, actions: readonly ActionRef[] | undefined, expr: unknown): Shaped[] | undefined {
  if (!isObject(expr)) return undefined;
  const variable = expr['Var'];
  if (variable === 'context' || variable === 'principal' || variable === 'resource') {
    if (!actions || actions.length === 0) return undefined;
    if (variable !== 'context') return nonEmpty(actions.flatMap((a) => shapes.entityTypesOf(a, variable)));
    const contexts: Shaped[] = [];
    for (const action of actions) {
      const context = shapes.contextOf(action);
      if (!context) return undefined;
      contexts.push(context);
    }
    return contexts;
  }
  const access = expr['.'];
  if (isObject(access) && typeof access['attr'] === 'string') {
    const outer = typeOf(shapes, actions, access['left']);
    if (!outer) return undefined;
    const out: Shaped[] = [];
    for (const t of outer) {
      const type = shapes.attributesOf(t)?.get(access['attr']);
      // a type without the attribute contributes nothing: reading it there is the validator's error to give
      if (!type) continue;
      const resolved = shapes.resolve(type);
      if (!resolved) return undefined;
      out.push(resolved);
    }
    return nonEmpty(out);
  }
  return undefined;
}

/** the `has` tests in the conditions, in the order they are written */
function hasTests(conditions: unknown): HasTest[] {
  const out: HasTest[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isObject(node)) return;
    const has = node['has'];
    if (isObject(has)) {
      const attr = has['attr'];
      const attrs = typeof attr === 'string' ? [attr] : Array.isArray(attr) ? attr.filter((a): a is string => typeof a === 'string') : [];
      if (attrs.length > 0) out.push({ left: has['left'], attrs });
    }
    // left before right, a condition before the next: the order of the text
    for (const value of Object.values(node)) visit(value);
  };
  visit(conditions);
  return out;
}

function nonEmpty<T>(xs: T[]): T[] | undefined {
  return xs.length > 0 ? xs : undefined;
}
