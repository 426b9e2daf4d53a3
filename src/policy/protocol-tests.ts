/**
 * Protocol tests: cases written by the people who write the policies, kept
 * beside them in `<dir>/<agency>/tests.yaml`, each a request or an order with
 * the verdict the protocols must give. Run by the test suite and by
 * `concord protocol test`. Format: docs/protocols.md. Pure: the files are
 * found and read by app/protocol-files.ts.
 */
import { z } from 'zod';
import type { Verdict } from '../domain/verdict.ts';
import { ConcordError, ERROR_CODES, isConcordError, type ErrorCode } from '../errors.ts';
import type { ProtocolBook } from './book.ts';
import { orderFactsInput, requestFactsInput, type AgencyRef, type OrderFacts, type RequestFacts } from './facts.ts';
import { rfc3339Schema } from './manifest.ts';
import { evaluateOrder, evaluateRequest } from './verdict.ts';
import type { ProtocolFile } from './version.ts';
import { parseWith, parseYamlSource } from './yaml-source.ts';
import { AGENCY_KINDS } from '../domain/vocabulary.ts';

const expectVerdict = z.strictObject({
  decision: z.enum(['permitted', 'prohibited', 'needs_approval']),
  /** exactly these clause ids, in any order ([] for a manifest default) */
  clauses: z.array(z.string().min(1)),
  version: z.string().min(1),
  approval_role: z.string().min(1).optional(),
});

const expectError = z.strictObject({
  error: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
});

const caseSchema = z
  .strictObject({
    name: z.string().min(1),
    at: rfc3339Schema,
    request: requestFactsInput.optional(),
    order: orderFactsInput.optional(),
    /** for an order: evaluate against this agency instead of the issuer's */
    deciding: z.strictObject({ id: z.string().min(1), kind: z.enum(AGENCY_KINDS) }).optional(),
    expect: z.union([expectVerdict, expectError]),
  })
  .refine((c) => (c.request === undefined) !== (c.order === undefined), 'give exactly one of "request" or "order"');

const testsFileSchema = z.strictObject({ cases: z.array(caseSchema).min(1) });

export type ProtocolTestExpectation = z.output<typeof expectVerdict> | z.output<typeof expectError>;

export interface ProtocolTestCase {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly at: string;
  readonly request?: RequestFacts;
  readonly order?: OrderFacts;
  readonly deciding?: AgencyRef;
  readonly expect: ProtocolTestExpectation;
}

export interface ProtocolTestResult {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly passed: boolean;
  /** what differed from the expectation; empty when passed */
  readonly failures: readonly string[];
  readonly verdict?: Verdict;
}

export interface ProtocolTestReport {
  readonly passed: number;
  readonly failed: number;
  readonly results: readonly ProtocolTestResult[];
}

/** Run every case of every tests file against `book`. A malformed file is POLICY_INVALID, before any case runs. */
export function runProtocolTestFiles(book: ProtocolBook, files: readonly ProtocolFile[]): ProtocolTestReport {
  const cases = files.flatMap((f) => parseProtocolTests(f.path, f.text));
  const results = cases.map((c) => runProtocolTestCase(book, c));
  const passed = results.filter((r) => r.passed).length;
  return { passed, failed: results.length - passed, results };
}

export function parseProtocolTests(file: string, text: string): ProtocolTestCase[] {
  const source = parseYamlSource(file, text, 'POLICY_INVALID');
  const parsed = parseWith(source, testsFileSchema, 'POLICY_INVALID');
  return parsed.cases.map((c, i) => ({
    file,
    line: source.lineOf(['cases', i]),
    name: c.name,
    at: c.at,
    ...(c.request ? { request: c.request } : {}),
    ...(c.order ? { order: c.order } : {}),
    ...(c.deciding ? { deciding: c.deciding } : {}),
    expect: c.expect,
  }));
}

export function runProtocolTestCase(book: ProtocolBook, testCase: ProtocolTestCase): ProtocolTestResult {
  const head = { file: testCase.file, line: testCase.line, name: testCase.name };
  let verdict: Verdict;
  try {
    if (testCase.request) verdict = evaluateRequest(book, testCase.request, testCase.at);
    else if (testCase.order) verdict = evaluateOrder(book, testCase.order, testCase.at, testCase.deciding);
    else throw new ConcordError('BAD_INPUT', 'neither request nor order');
  } catch (e) {
    if (!isConcordError(e)) throw e;
    const expected = 'error' in testCase.expect ? testCase.expect.error : undefined;
    const passed = expected === e.code;
    return { ...head, passed, failures: passed ? [] : [`expected ${expected ? `error ${expected}` : 'a verdict'}, got error ${e.code}: ${e.message}`] };
  }
  return { ...head, ...compare(testCase.expect, verdict), verdict };
}

function compare(expect: ProtocolTestExpectation, verdict: Verdict): { passed: boolean; failures: string[] } {
  if ('error' in expect) return { passed: false, failures: [`expected error ${expect.error}, got ${verdict.decision}`] };
  const failures: string[] = [];
  if (verdict.decision !== expect.decision) failures.push(`decision: expected ${expect.decision}, got ${verdict.decision}`);
  const got = verdict.clauses.map((c) => c.id).sort();
  const want = [...expect.clauses].sort();
  if (got.join('\n') !== want.join('\n')) failures.push(`clauses: expected [${want.join(', ')}], got [${got.join(', ')}]`);
  if (verdict.policyVersion !== expect.version) failures.push(`version: expected ${expect.version}, got ${verdict.policyVersion}`);
  if (expect.approval_role !== undefined && verdict.approvalRole !== expect.approval_role) {
    failures.push(`approval_role: expected ${expect.approval_role}, got ${verdict.approvalRole ?? 'none'}`);
  }
  return { passed: failures.length === 0, failures };
}
