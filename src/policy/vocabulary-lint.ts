/**
 * Vocabulary words are Cedar Strings (see cedar-schema.ts), so the Cedar
 * validator cannot tell `context.category == "perimter"` from a correct rule;
 * that typo would quietly disable a forbid. This check finds every string
 * literal a policy compares with a vocabulary attribute and requires it to be
 * a known word. It covers the forms policies use:
 *   <expr>.category == "perimeter"        (also !=, either side)
 *   ["perimeter", "transport"].contains(<expr>.category)
 */
import {
  AGENCY_KINDS,
  DIRECTIVES,
  OPERATION_KINDS,
  REQUEST_CATEGORIES,
  URGENCIES,
} from '../domain/vocabulary.ts';

/** attribute name -> the words it may hold, named for the error message */
const VOCABULARY: Readonly<Record<string, { readonly what: string; readonly words: readonly string[] }>> = {
  category: { what: 'request category', words: REQUEST_CATEGORIES },
  urgency: { what: 'urgency', words: URGENCIES },
  operation: { what: 'operation kind', words: OPERATION_KINDS },
  directive: { what: 'directive', words: DIRECTIVES },
  kind: { what: 'agency kind', words: AGENCY_KINDS },
};

export interface UnknownWord {
  readonly word: string;
  readonly what: string;
  readonly words: readonly string[];
}

/** The unknown words in a policy's JSON form (policyToJson), in order of appearance. */
export function findUnknownWords(policyJson: unknown): UnknownWord[] {
  const found: UnknownWord[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isObject(node)) return;
    for (const op of ['==', '!=']) {
      const operands = node[op];
      if (isObject(operands)) {
        check(vocabularyOf(operands['left']), [operands['right']]);
        check(vocabularyOf(operands['right']), [operands['left']]);
      }
    }
    const contains = node['contains'];
    if (isObject(contains)) check(vocabularyOf(contains['right']), setElements(contains['left']));
    for (const value of Object.values(node)) visit(value);
  };
  const check = (vocabulary: (typeof VOCABULARY)[string] | undefined, literals: readonly unknown[]): void => {
    if (!vocabulary) return;
    for (const literal of literals) {
      const word = isObject(literal) ? literal['Value'] : undefined;
      if (typeof word === 'string' && !vocabulary.words.includes(word)) {
        found.push({ word, what: vocabulary.what, words: vocabulary.words });
      }
    }
  };
  visit(policyJson);
  return found;
}

/** `<expr>.<attr>` where attr names a vocabulary */
function vocabularyOf(expr: unknown): (typeof VOCABULARY)[string] | undefined {
  if (!isObject(expr)) return undefined;
  const access = expr['.'];
  if (!isObject(access) || typeof access['attr'] !== 'string') return undefined;
  return Object.hasOwn(VOCABULARY, access['attr']) ? VOCABULARY[access['attr']] : undefined;
}

/** the elements of a set literal, as `{ Value: ... }` expressions */
function setElements(expr: unknown): unknown[] {
  if (!isObject(expr)) return [];
  if (Array.isArray(expr['Set'])) return expr['Set'];
  if (Array.isArray(expr['Value'])) return expr['Value'].map((v) => ({ Value: v }));
  return [];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
