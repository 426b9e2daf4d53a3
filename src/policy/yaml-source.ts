/**
 * YAML (and JSON, a subset of YAML 1.2) files read with their line numbers, so
 * that a validation failure names the file, the line and the field:
 * `protocol.yaml:4: effective_from: Invalid ISO datetime`.
 */
import { isMap, isNode, isScalar, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { ConcordError, type ErrorCode } from '../errors.ts';
import { parseYamlDocument } from '../yaml-document.ts';

export interface YamlSource {
  readonly path: string;
  readonly value: unknown;
  /** 1-based line of the node at `path`, or of its nearest existing ancestor */
  lineOf(path: readonly PropertyKey[]): number;
}

export function parseYamlSource(path: string, text: string, code: ErrorCode): YamlSource {
  // merge keys (`<<: *base`) let protocol tests share a base request
  const { doc, lineCounter, value } = parseYamlDocument(path, text, code, { merge: true });
  const lineOfNode = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);

  return {
    path,
    value,
    lineOf(keys) {
      let node: unknown = doc.contents;
      let line = lineOfNode(doc.contents);
      for (const key of keys) {
        let next: unknown;
        // an alias or a merged key is not followed: the line stays at the mapping that uses it
        if (isMap(node)) {
          const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
          next = pair ? (pair.value ?? pair.key) : undefined;
        } else if (isSeq(node) && typeof key === 'number') {
          next = node.items[key];
        }
        if (!isNode(next)) break;
        node = next;
        line = lineOfNode(next);
      }
      return line;
    },
  };
}

/** Validate `source.value` with `schema`; the first failure becomes `code` with file:line: field: reason. */
export function parseWith<S extends z.ZodType>(source: YamlSource, schema: S, code: ErrorCode): z.output<S> {
  const result = schema.safeParse(source.value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ConcordError(code, `${source.path}:1: invalid`);
  const keys = issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path;
  const field = formatPath(keys);
  const reason = issue.message.replace(/^Invalid input: expected (\w+), received undefined$/, 'required ($1)');
  throw new ConcordError(code, `${source.path}:${source.lineOf(keys)}: ${field ? `${field}: ` : ''}${reason}`, {
    file: source.path,
    line: source.lineOf(keys),
    field,
  });
}

export function formatPath(keys: readonly PropertyKey[]): string {
  let out = '';
  for (const key of keys) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
