/**
 * What attributes a value can have, read from a Cedar schema in its JSON
 * form (CEDAR_SCHEMA, or any other): the shapes of entity types, the context
 * records of actions, records nested in them and common types. Read
 * generically, so that attributes, records, optional attributes, common
 * types, actions and namespaces added to the schema need no change here.
 *
 * Only what checks need: a type is a record (its attributes), an entity
 * type (its shape), or something else (a String, a Set, ...). Anything this
 * module cannot make sense of is "unknown", and the checks then say nothing.
 */
import type { SchemaJson } from './cedar-engine.ts';
import { isObject } from './policy-json.ts';

/** a type whose attributes can be known */
export type Shaped = { readonly kind: 'record'; readonly attributes: ReadonlyMap<string, TypeAt> } | { readonly kind: 'entity'; readonly name: string };

/** a type as written in the schema, with the namespace its names are relative to */
export interface TypeAt {
  readonly type: unknown;
  readonly namespace: string;
}

/** an action by its entity uid */
export interface ActionRef {
  readonly type: string;
  readonly id: string;
}

interface ActionInfo {
  readonly ref: ActionRef;
  /** the actions this one is a member of, as keys */
  readonly memberOf: readonly string[];
  readonly appliesTo?: {
    readonly principalTypes: readonly string[];
    readonly resourceTypes: readonly string[];
    readonly context?: TypeAt;
  };
}

const PRIMITIVES = new Set(['String', 'Long', 'Boolean', 'Bool', 'Set', 'Extension']);
/** common types may refer to each other; a cycle is a broken schema, not our loop */
const MAX_REFERENCES = 32;

export class SchemaShapes {
  private readonly commonTypes = new Map<string, TypeAt>();
  private readonly entityTypes = new Map<string, TypeAt | undefined>();
  private readonly actions = new Map<string, ActionInfo>();
  /** action key -> the actions that are (directly) members of it */
  private readonly members = new Map<string, string[]>();

  constructor(schema: SchemaJson<string>) {
    for (const [namespace, def] of Object.entries(schema)) {
      if (!isObject(def)) continue;
      for (const [name, type] of Object.entries(objectOr(def['commonTypes']))) {
        this.commonTypes.set(qualify(namespace, name), { type, namespace });
      }
      for (const [name, entity] of Object.entries(objectOr(def['entityTypes']))) {
        const shape = isObject(entity) && entity['shape'] !== undefined ? { type: entity['shape'], namespace } : undefined;
        this.entityTypes.set(qualify(namespace, name), shape);
      }
      for (const [id, action] of Object.entries(objectOr(def['actions']))) {
        const a = objectOr(action);
        const ref = { type: qualify(namespace, 'Action'), id };
        const key = actionKey(ref.type, id);
        const memberOf = (Array.isArray(a['memberOf']) ? a['memberOf'] : []).flatMap((m: unknown) => {
          const ref = objectOr(m);
          if (typeof ref['id'] !== 'string') return [];
          const type = typeof ref['type'] === 'string' ? this.qualifyIn(namespace, ref['type']) : qualify(namespace, 'Action');
          return [actionKey(type, ref['id'])];
        });
        const applies = objectOr(a['appliesTo']);
        const names = (x: unknown): string[] =>
          (Array.isArray(x) ? x : []).filter((n): n is string => typeof n === 'string').map((n) => this.entityName(namespace, n));
        this.actions.set(key, {
          ref,
          memberOf,
          ...(isObject(a['appliesTo'])
            ? {
                appliesTo: {
                  principalTypes: names(applies['principalTypes']),
                  resourceTypes: names(applies['resourceTypes']),
                  ...(applies['context'] !== undefined ? { context: { type: applies['context'], namespace } } : {}),
                },
              }
            : {}),
        });
      }
    }
    for (const [key, info] of this.actions) {
      for (const group of info.memberOf) this.members.set(group, [...(this.members.get(group) ?? []), key]);
    }
  }

  /**
   * The actions a policy's action scope (its JSON form) can match that apply
   * to some request: `action` alone is every action, `== A` is A, `in A` is
   * A and every action in it, however deep, `in [A, B]` the same for each.
   */
  actionsOfScope(scope: unknown): ActionRef[] | undefined {
    const s = objectOr(scope);
    let roots: string[] | undefined;
    if (s['op'] === 'All') {
      roots = [...this.actions.keys()];
    } else if (s['op'] === '==' || s['op'] === 'in') {
      const refs = Array.isArray(s['entities']) ? s['entities'] : [s['entity']];
      roots = [];
      for (const ref of refs) {
        const uid = entityUid(ref);
        if (!uid) return undefined;
        roots.push(actionKey(uid.type, uid.id));
      }
      if (s['op'] === 'in') roots = this.withMembers(roots);
    }
    if (!roots) return undefined;
    const out: ActionRef[] = [];
    for (const key of roots) {
      const action = this.actions.get(key);
      const applies = action?.appliesTo;
      // a group without appliesTo, or one with no principal or resource types, is never a request's action
      if (!action || !applies || applies.principalTypes.length === 0 || applies.resourceTypes.length === 0) continue;
      out.push(action.ref);
    }
    return out;
  }

  /** the context record of an action (an action without one has an empty context) */
  contextOf(action: ActionRef): Shaped | undefined {
    const applies = this.actions.get(actionKey(action.type, action.id))?.appliesTo;
    if (!applies) return undefined;
    if (!applies.context) return { kind: 'record', attributes: new Map() };
    return this.resolve(applies.context);
  }

  /** the entity types a principal (or resource) of `action` may have */
  entityTypesOf(action: ActionRef, role: 'principal' | 'resource'): Shaped[] {
    const applies = this.actions.get(actionKey(action.type, action.id))?.appliesTo;
    const names = role === 'principal' ? applies?.principalTypes : applies?.resourceTypes;
    return (names ?? []).map((name) => ({ kind: 'entity', name }));
  }

  /** the attributes of a record, or of an entity type's shape; undefined if unknown */
  attributesOf(shaped: Shaped): ReadonlyMap<string, TypeAt> | undefined {
    if (shaped.kind === 'record') return shaped.attributes;
    if (!this.entityTypes.has(shaped.name)) return undefined;
    const shape = this.entityTypes.get(shaped.name);
    // an entity type without a shape (or an enumerated one) has no attributes
    if (!shape) return new Map();
    const resolved = this.resolve(shape);
    return resolved?.kind === 'record' ? resolved.attributes : undefined;
  }

  /** a schema type as a record or an entity type; undefined for anything else */
  resolve(at: TypeAt, depth = 0): Shaped | undefined {
    if (depth > MAX_REFERENCES || !isObject(at.type)) return undefined;
    const t = at.type;
    const kind = t['type'];
    if (kind === 'Record') {
      const attributes = new Map<string, TypeAt>();
      for (const [name, type] of Object.entries(objectOr(t['attributes']))) attributes.set(name, { type, namespace: at.namespace });
      return { kind: 'record', attributes };
    }
    if (kind === 'Entity') {
      return typeof t['name'] === 'string' ? { kind: 'entity', name: this.entityName(at.namespace, t['name']) } : undefined;
    }
    if (kind === 'EntityOrCommon') {
      if (typeof t['name'] !== 'string') return undefined;
      const common = this.commonType(at.namespace, t['name']);
      if (common) return this.resolve(common, depth + 1);
      const entity = this.entityName(at.namespace, t['name']);
      return this.entityTypes.has(entity) ? { kind: 'entity', name: entity } : undefined;
    }
    if (typeof kind !== 'string' || PRIMITIVES.has(kind)) return undefined;
    // any other name is a common type
    const common = this.commonType(at.namespace, kind);
    return common ? this.resolve(common, depth + 1) : undefined;
  }

  private withMembers(roots: readonly string[]): string[] {
    const seen = new Set<string>();
    const stack = [...roots];
    while (stack.length > 0) {
      const key = stack.pop() as string;
      if (seen.has(key)) continue;
      seen.add(key);
      stack.push(...(this.members.get(key) ?? []));
    }
    return [...seen];
  }

  /** a name as written in `namespace`: that namespace's own first, then the empty namespace's */
  private commonType(namespace: string, name: string): TypeAt | undefined {
    return this.commonTypes.get(qualify(namespace, name)) ?? this.commonTypes.get(name);
  }

  private entityName(namespace: string, name: string): string {
    const own = qualify(namespace, name);
    return this.entityTypes.has(own) ? own : name;
  }

  private qualifyIn(namespace: string, name: string): string {
    return name.includes('::') ? name : qualify(namespace, name);
  }
}

/** the indexed form of a schema, made once per schema object */
const cache = new WeakMap<object, SchemaShapes>();

export function schemaShapes(schema: SchemaJson<string>): SchemaShapes {
  let shapes = cache.get(schema);
  if (!shapes) {
    shapes = new SchemaShapes(schema);
    cache.set(schema, shapes);
  }
  return shapes;
}

/** `{ type, id }` or `{ __entity: { type, id } }`, as Cedar writes entity uids in JSON */
export function entityUid(x: unknown): ActionRef | undefined {
  const o = objectOr(x);
  const uid = isObject(o['__entity']) ? o['__entity'] : o;
  return typeof uid['type'] === 'string' && typeof uid['id'] === 'string' ? { type: uid['type'], id: uid['id'] } : undefined;
}

function qualify(namespace: string, name: string): string {
  if (name.includes('::')) return name;
  return namespace === '' ? name : `${namespace}::${name}`;
}

function actionKey(type: string, id: string): string {
  return `${type}::${JSON.stringify(id)}`;
}

function objectOr(x: unknown): Record<string, unknown> {
  return isObject(x) ? x : {};
}
