/**
 * `concord protocol check --policies DIR --request FILE [--at TIME]`: evaluate
 * one request, written as a YAML or JSON file, without an incident. For
 * policy authors. The file is the request in snake_case (docs/protocols.md)
 * with an optional `at`.
 */
import type { Verdict } from '../domain/verdict.ts';
import { ConcordError } from '../errors.ts';
import { FILE_LIMITS, readUserFile } from '../files.ts';
import { requestFactsFields, toRequestFacts } from './facts.ts';
import { loadProtocolBook } from './load.ts';
import { rfc3339Schema } from './manifest.ts';
import { parseRfc3339 } from './time.ts';
import { evaluateRequest } from './verdict.ts';
import { parseWith, parseYamlSource } from './yaml-source.ts';

const requestFileSchema = requestFactsFields.extend({ at: rfc3339Schema.optional() });

/**
 * The time used is `at` if given, else the file's `at`, else now.
 * Bad files are BAD_INPUT naming file, line and field.
 */
export async function checkRequestFile(policiesDir: string, requestFile: string, at?: string): Promise<Verdict> {
  if (at !== undefined && parseRfc3339(at) === undefined) {
    throw new ConcordError('BAD_INPUT', `--at: not an RFC 3339 date-time: "${at}"`);
  }
  const text = readUserFile(requestFile, 'request', FILE_LIMITS.request);
  const source = parseYamlSource(requestFile, text, 'BAD_INPUT');
  const { at: fileAt, ...fields } = parseWith(source, requestFileSchema, 'BAD_INPUT');
  const book = await loadProtocolBook(policiesDir);
  return evaluateRequest(book, toRequestFacts(fields), at ?? fileAt ?? new Date().toISOString());
}
