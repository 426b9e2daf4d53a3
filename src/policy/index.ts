/**
 * Protocols as code: agencies' cooperation rules as Cedar policies with clause
 * citations, versioned by effective date, evaluated into verdicts. Pure: the
 * files are read by app/protocol-files.ts.
 */
export { prepareProtocolBook, bookWarnings, findVersionInEffect, versionInEffect, type ProtocolBook } from './book.ts';
export {
  formatWarning,
  prepareProtocolVersion,
  type PolicyWarning,
  type PreparedPolicy,
  type ProtocolFile,
  type ProtocolVersion,
  type ProtocolVersionSource,
} from './version.ts';
export { bookProtocols, evaluateOrder, evaluateRequest } from './verdict.ts';
export { orderFactsInput, requestFactsFields, requestFactsInput, toRequestFacts, type AgencyRef, type OrderFacts, type RequestFacts } from './facts.ts';
export { manifestSchema, type DefaultVerdict, type Manifest, type ProtocolRole, type SourceDocument } from './manifest.ts';
export {
  parseProtocolTests,
  runProtocolTestCase,
  runProtocolTestFiles,
  type ProtocolTestCase,
  type ProtocolTestReport,
  type ProtocolTestResult,
} from './protocol-tests.ts';
export { checkRequest, checkRequestText, parseRequestText, type RequestText } from './check.ts';
export { CEDAR_SCHEMA, CEDAR_SCHEMA_TEXT, ORDER_ACTION_GROUP, REQUEST_ACTION, orderAction } from './cedar-schema.ts';
