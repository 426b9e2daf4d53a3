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
  AUTHORITY_KINDS,
  DIRECTIVES,
  INFORMATION_KINDS,
  OPERATION_KINDS,
  REQUEST_CATEGORIES,
  REQUEST_KINDS,
  URGENCIES,
  WARRANT_KINDS,
} from '../domain/vocabulary.ts';
import { attributeOf, isObject } from './policy-json.ts';

type Vocabulary = { readonly what: string; readonly words: readonly string[] };

/** attribute name -> the words it may hold, named for the error message */
const VOCABULARY: Readonly<Record<string, Vocabulary>> = {
  category: { what: 'request category', words: REQUEST_CATEGORIES },
  task: { what: 'task (a request category)', words: REQUEST_CATEGORIES },
  urgency: { what: 'urgency', words: URGENCIES },
  operation: { what: 'operation kind', words: OPERATION_KINDS },
  directive: { what: 'directive', words: DIRECTIVES },
  request_kind: { what: 'request kind', words: REQUEST_KINDS },
  information_kind: { what: 'information kind', words: INFORMATION_KINDS },
  kind: { what: 'agency kind', words: AGENCY_KINDS },
};

/** `kind` of something other than an agency: `<x>.authority.kind`, `<x>.warrant.kind` */
const KIND_OF: Readonly<Record<string, Vocabulary>> = {
  authority: {
    what: 'authority kind',
    words: AUTHORITY_KINDS.filter((k) => k !== 'agency_administration' && k !== 'response_deadline'),
  },
  warrant: { what: 'warrant kind', words: WARRANT_KINDS },
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
  const check = (vocabulary: Vocabulary | undefined, literals: readonly unknown[]): void => {
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

/** `<expr>.<attr>` where attr names a vocabulary (for `kind`, the attribute it is the kind of decides which) */
function vocabularyOf(expr: unknown): Vocabulary | undefined {
  const attr = attributeOf(expr);
  if (attr === undefined) return undefined;
  if (attr.name === 'kind') {
    const of = attributeOf(attr.of)?.name;
    if (of !== undefined && Object.hasOwn(KIND_OF, of)) return KIND_OF[of];
  }
  return Object.hasOwn(VOCABULARY, attr.name) ? VOCABULARY[attr.name] : undefined;
}

/** the elements of a set literal, as `{ Value: ... }` expressions */
function setElements(expr: unknown): unknown[] {
  if (!isObject(expr)) return [];
  if (Array.isArray(expr['Set'])) return expr['Set'];
  if (Array.isArray(expr['Value'])) return expr['Value'].map((v) => ({ Value: v }));
  return [];
}
