/**
 * `concord protocol check`: evaluate one request, written as a YAML or JSON
 * text, without an incident. For policy authors. The text is the request in
 * snake_case (docs/protocols.md) with an optional `at`. Pure: the caller
 * reads the file and passes the time it takes as now
 * (app/protocol-files.ts).
 */
import type { Verdict } from '../domain/verdict.ts';
import { ConcordError } from '../errors.ts';
import type { ProtocolBook } from './book.ts';
import { requestFactsFields, toRequestFacts, type RequestFacts } from './facts.ts';
import { rfc3339Schema } from './manifest.ts';
import { parseRfc3339 } from './time.ts';
import { evaluateRequest } from './verdict.ts';
import { parseWith, parseYamlSource } from './yaml-source.ts';

const requestFileSchema = requestFactsFields.extend({ at: rfc3339Schema.optional() });

export interface RequestText {
  readonly facts: RequestFacts;
  /** the time the text names, if any */
  readonly at?: string;
}

/** Parse a request text; a bad one is BAD_INPUT naming `path`, the line and the field. */
export function parseRequestText(path: string, text: string): RequestText {
  const source = parseYamlSource(path, text, 'BAD_INPUT');
  const { at, ...fields } = parseWith(source, requestFileSchema, 'BAD_INPUT');
  return { facts: toRequestFacts(fields), ...(at === undefined ? {} : { at }) };
}

/** Evaluate at `at` if given, else at the request's own `at`, else at `now`. */
export function checkRequest(book: ProtocolBook, request: RequestText, at: string | undefined, now: string): Verdict {
  if (at !== undefined && parseRfc3339(at) === undefined) {
    throw new ConcordError('BAD_INPUT', `--at: not an RFC 3339 date-time: "${at}"`);
  }
  return evaluateRequest(book, request.facts, at ?? request.at ?? now);
}

/** parseRequestText, then checkRequest */
export function checkRequestText(book: ProtocolBook, path: string, text: string, at: string | undefined, now: string): Verdict {
  return checkRequest(book, parseRequestText(path, text), at, now);
}
