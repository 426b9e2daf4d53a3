/**
 * Reading a policy in Cedar's JSON form (what policyToJson gives): the
 * shapes our own checks walk (vocabulary-lint.ts, attribute-check.ts,
 * policy-lint.ts) are read here once.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `<of>.<name>`: an attribute access, its name and what it is read from */
export function attributeOf(expr: unknown): { readonly name: string; readonly of: unknown } | undefined {
  if (!isObject(expr)) return undefined;
  const access = expr['.'];
  if (!isObject(access) || typeof access['attr'] !== 'string') return undefined;
  return { name: access['attr'], of: access['left'] };
}

/** an attribute as it is written after a dot, or in brackets when it is not a name */
export function accessText(attr: string): string {
  return IDENTIFIER.test(attr) ? `.${attr}` : `[${JSON.stringify(attr)}]`;
}

/** an attribute as written after `has`: a name, or a string when it is not one */
export function attributeText(attr: string): string {
  return IDENTIFIER.test(attr) ? attr : JSON.stringify(attr);
}

/** `context`, `principal`, `context.related_request.from.kind` as written; undefined for any other expression */
export function attributePath(expr: unknown): string | undefined {
  if (isObject(expr) && typeof expr['Var'] === 'string') return expr['Var'];
  const attr = attributeOf(expr);
  if (attr === undefined) return undefined;
  const of = attributePath(attr.of);
  return of === undefined ? undefined : `${of}${accessText(attr.name)}`;
}
