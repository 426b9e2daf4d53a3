/**
 * Protocols as code: agencies' cooperation rules as Cedar policies with clause
 * citations, versioned by effective date, evaluated into verdicts.
 */
export { loadProtocolBook, readProtocolSources, MANIFEST_FILE, TESTS_FILE } from './load.ts';
export { prepareProtocolBook, findVersionInEffect, versionInEffect, type ProtocolBook } from './book.ts';
export {
  prepareProtocolVersion,
  type PreparedPolicy,
  type ProtocolFile,
  type ProtocolVersion,
  type ProtocolVersionSource,
} from './version.ts';
export { bookProtocols, evaluateOrder, evaluateRequest } from './verdict.ts';
export {
  orderFactsInput,
  requestFactsFields,
  requestFactsInput,
  toRequestFacts,
  type AgencyRef,
  type OrderFacts,
  type RequestFacts,
} from './facts.ts';
export { manifestSchema, type DefaultVerdict, type Manifest, type SourceDocument } from './manifest.ts';
export {
  parseProtocolTests,
  readProtocolTests,
  runProtocolTestCase,
  runProtocolTests,
  type ProtocolTestCase,
  type ProtocolTestReport,
  type ProtocolTestResult,
} from './protocol-tests.ts';
export { checkRequestFile } from './check.ts';
export { CEDAR_SCHEMA, CEDAR_SCHEMA_TEXT, ORDER_ACTION_GROUP, REQUEST_ACTION, orderAction } from './cedar-schema.ts';
