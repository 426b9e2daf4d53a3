/**
 * Preparing one version of one agency's protocol set: validate the manifest,
 * cut the Cedar files into policies, check each policy's annotations and
 * `has` tests, validate them against the Concord schema, and cache the
 * parsed set in the engine. Every failure is POLICY_INVALID with
 * `file:line: reason`; what only looks wrong (a rule that can never match)
 * is a warning, kept in the version with its file and line.
 */
import { createHash } from 'node:crypto';
import type { VerdictClause } from '../domain/verdict.ts';
import { ConcordError } from '../errors.ts';
import { findMissingAttributes } from './attribute-check.ts';
import { formatError, policyToJson, preparePolicySet, validatePolicies, type DetailedError, type PolicyJson } from './cedar-engine.ts';
import { CEDAR_SCHEMA } from './cedar-schema.ts';
import { byteToIndex, lineAt, splitPolicies, type PolicyChunk } from './cedar-source.ts';
import { declaredRoles, NAME_PATTERN, parseManifest, type DefaultVerdict, type ProtocolRole, type SourceDocument } from './manifest.ts';
import { findNeverMatching } from './policy-lint.ts';
import { parseRfc3339 } from './time.ts';
import { findUnknownWords } from './vocabulary-lint.ts';
import type { YamlSource } from './yaml-source.ts';

export interface ProtocolFile {
  /** path used in error messages (as read from disk, or any label for in-memory sets) */
  readonly path: string;
  readonly text: string;
}

/** One version's files, as found at `<dir>/<agency>/<version>/`. */
export interface ProtocolVersionSource {
  /** the agency directory's name; must equal the manifest's `agency` */
  readonly agency: string;
  /** the version directory's name; must equal the manifest's `version` */
  readonly version: string;
  readonly manifest: ProtocolFile;
  readonly policies: readonly ProtocolFile[];
}

export interface PreparedPolicy {
  /** the id we gave the policy inside the engine */
  readonly cedarId: string;
  /** position in the version (files by name, then order in the file); orders clauses in verdicts */
  readonly index: number;
  readonly effect: 'permit' | 'forbid';
  readonly clause: VerdictClause & { readonly cite: string };
  /** for a permit: the position whose approval it requires (`@approval`) */
  readonly approval?: string;
  readonly file: string;
  readonly line: number;
}

/** Something that loads but is probably a mistake: a rule that can never match. */
export interface PolicyWarning {
  readonly file: string;
  readonly line: number;
  /** the clause id (`@id`) of the policy */
  readonly clause: string;
  readonly message: string;
}

/** `FILE:LINE: policy CLAUSE: message` (an error about one policy reads the same) */
export function formatWarning(w: PolicyWarning): string {
  return `${w.file}:${w.line}: policy ${w.clause}: ${w.message}`;
}

export interface ProtocolVersion {
  readonly agency: string;
  readonly version: string;
  /** `<agency>/<version>`, the value recorded in verdicts */
  readonly id: string;
  readonly title: string;
  readonly effectiveFrom: string;
  readonly effectiveUntil?: string;
  readonly fromMs: number;
  /** explicit effective_until, if any (the book also ends a version where the next begins) */
  readonly untilMs?: number;
  readonly sources: readonly SourceDocument[];
  /** the positions its policies and defaults may name as approvers */
  readonly roles: readonly ProtocolRole[];
  readonly requestDefault: DefaultVerdict;
  readonly orderDefault: DefaultVerdict;
  readonly policies: readonly PreparedPolicy[];
  readonly policyByCedarId: ReadonlyMap<string, PreparedPolicy>;
  /** SHA-256 over the manifest and the policy files (names and bytes): which exact text was used */
  readonly digest: string;
  /** the engine's cache key for the prepared policy set */
  readonly cedarSetId: string;
  /** the engine's policy texts by cedarId (kept for the benchmark and diagnostics) */
  readonly cedarPolicies: Readonly<Record<string, string>>;
  /** Cedar validator warnings and our own (policy-lint.ts), by file and line */
  readonly warnings: readonly PolicyWarning[];
  /** for locating manifest fields in later checks (overlaps) */
  readonly manifestSource: YamlSource;
}

const ANNOTATIONS = new Set(['id', 'cite', 'summary', 'approval']);

interface Located {
  readonly file: ProtocolFile;
  readonly chunk: PolicyChunk;
}

export function prepareProtocolVersion(src: ProtocolVersionSource): ProtocolVersion {
  const { manifest, source: manifestSource } = parseManifest(src.manifest.path, src.manifest.text);
  const at = (field: string): string => `${src.manifest.path}:${manifestSource.lineOf([field])}`;
  if (manifest.agency !== src.agency) {
    throw invalid(`${at('agency')}: agency "${manifest.agency}" does not match its directory "${src.agency}"`);
  }
  if (manifest.version !== src.version) {
    throw invalid(`${at('version')}: version "${manifest.version}" does not match its directory "${src.version}"`);
  }
  const fromMs = parseRfc3339(manifest.effective_from) as number; // validated by the manifest schema
  const untilMs = manifest.effective_until === undefined ? undefined : parseRfc3339(manifest.effective_until);
  if (untilMs !== undefined && untilMs <= fromMs) {
    throw invalid(`${at('effective_until')}: effective_until must be after effective_from`);
  }

  const files = [...src.policies].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const policies: PreparedPolicy[] = [];
  const located = new Map<string, Located>();
  const texts: Record<string, string> = {};
  const warnings: PolicyWarning[] = [];
  for (const file of files) {
    for (const { chunk, json } of parsePolicyFile(file)) {
      const cedarId = `p${policies.length}`;
      const policy = describePolicy(file, chunk, json, cedarId, policies.length, manifest.roles);
      checkHasTests(file, chunk, json, policy.clause.id);
      for (const finding of findNeverMatching(json, chunk.text, manifest.agency)) {
        warnings.push({ ...lineIn(file, chunk, finding.index), clause: policy.clause.id, message: finding.message });
      }
      policies.push(policy);
      located.set(cedarId, { file, chunk });
      texts[cedarId] = chunk.text;
    }
  }

  const validation = validatePolicies(texts);
  if (validation.type === 'failure') {
    throw invalid(`${src.manifest.path}: Cedar validation failed: ${validation.errors.map(formatError).join('; ')}`);
  }
  const describe = (policyId: string, error: DetailedError): PolicyWarning => {
    const clause = policies.find((p) => p.cedarId === policyId)?.clause.id ?? policyId;
    return { ...where(located.get(policyId), error, src.manifest.path), clause, message: formatError(error) };
  };
  const firstError = validation.validationErrors[0];
  if (firstError) throw invalid(formatWarning(describe(firstError.policyId, firstError.error)));
  warnings.push(...validation.validationWarnings.map((w) => describe(w.policyId, w.error)));
  // by file, then line (a stable sort keeps each policy's own order)
  warnings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));

  const digest = digestOf(src.manifest, files);
  const id = `${manifest.agency}/${manifest.version}`;
  const cedarSetId = `${id}@${digest}`;
  preparePolicySet(cedarSetId, texts);

  return {
    agency: manifest.agency,
    version: manifest.version,
    id,
    title: manifest.title,
    effectiveFrom: manifest.effective_from,
    ...(manifest.effective_until === undefined ? {} : { effectiveUntil: manifest.effective_until }),
    fromMs,
    ...(untilMs === undefined ? {} : { untilMs }),
    sources: manifest.sources,
    roles: manifest.roles,
    requestDefault: manifest.default,
    orderDefault: manifest.order_default ?? manifest.default,
    policies,
    policyByCedarId: new Map(policies.map((p) => [p.cedarId, p])),
    digest,
    cedarSetId,
    cedarPolicies: texts,
    warnings,
    manifestSource,
  };
}

/**
 * Cut a file into policies and parse each. Each piece must parse as exactly
 * one static policy, and the pieces cover the file, so the file parses as
 * their sequence; Cedar's error positions are relative to the piece.
 */
function parsePolicyFile(file: ProtocolFile): { chunk: PolicyChunk; json: PolicyJson }[] {
  return splitPolicies(file.text).map((chunk) => {
    const json = policyToJson(chunk.text);
    if (!Array.isArray(json)) return { chunk, json };
    const error = json[0];
    const start = error?.sourceLocations?.[0]?.start;
    const line = start === undefined ? chunk.line : lineAt(file.text, chunk.offset + byteToIndex(chunk.text, start));
    throw invalid(`${file.path}:${line}: ${error ? formatError(error) : 'does not parse'}`);
  });
}

function describePolicy(
  file: ProtocolFile,
  chunk: PolicyChunk,
  json: PolicyJson,
  cedarId: string,
  index: number,
  roles: readonly ProtocolRole[],
): PreparedPolicy {
  const here = `${file.path}:${chunk.line}`;
  const annotations = json.annotations ?? {};
  for (const name of Object.keys(annotations).sort()) {
    if (!ANNOTATIONS.has(name)) {
      throw invalid(`${here}: unknown annotation @${name} (allowed: @id, @cite, @summary, @approval)`);
    }
  }
  const id = annotations['id']?.trim();
  const cite = annotations['cite']?.trim();
  const summary = annotations['summary']?.trim();
  const approval = annotations['approval']?.trim();
  if (!id) throw invalid(`${here}: policy has no @id("<clause id>") annotation`);
  const unknown = findUnknownWords(json)[0];
  if (unknown) {
    const at = chunk.text.indexOf(JSON.stringify(unknown.word));
    const line = at === -1 ? chunk.line : lineAt(file.text, chunk.offset + at);
    throw invalid(`${file.path}:${line}: policy ${id}: "${unknown.word}" is not a known ${unknown.what} (known: ${unknown.words.join(', ')})`);
  }
  if (!cite) throw invalid(`${here}: policy ${id} has no @cite("<document and clause>") annotation`);
  if (annotations['summary'] !== undefined && !summary) throw invalid(`${here}: policy ${id} has an empty @summary`);
  if (annotations['approval'] !== undefined) {
    if (json.effect !== 'permit') throw invalid(`${here}: policy ${id}: @approval only applies to permit policies`);
    if (!approval || !NAME_PATTERN.test(approval)) {
      throw invalid(`${here}: policy ${id}: @approval must name a position id, e.g. @approval("city-pd.watch-commander")`);
    }
    if (!roles.some((r) => r.id === approval)) {
      throw invalid(`${here}: policy ${id}: @approval("${approval}") names a role the manifest's roles do not declare (${declaredRoles(roles)})`);
    }
  }
  return {
    cedarId,
    index,
    effect: json.effect,
    clause: { id, cite, ...(summary ? { summary } : {}) },
    ...(approval ? { approval } : {}),
    file: file.path,
    line: chunk.line,
  };
}

/** A `has` of an attribute no type of the tested value has is an error (attribute-check.ts says why). */
function checkHasTests(file: ProtocolFile, chunk: PolicyChunk, json: PolicyJson, clause: string): void {
  const missing = findMissingAttributes(json, chunk.text, CEDAR_SCHEMA)[0];
  if (!missing) return;
  const { line } = lineIn(file, chunk, missing.index);
  const known = missing.known.length === 0 ? 'none' : missing.known.join(', ');
  throw invalid(`${file.path}:${line}: policy ${clause}: "${missing.test}": no such attribute (known: ${known})`);
}

/** file and line of the UTF-16 index `index` in a policy's text (the policy's first line without one) */
function lineIn(file: ProtocolFile, chunk: PolicyChunk, index: number | undefined): { file: string; line: number } {
  return { file: file.path, line: index === undefined ? chunk.line : lineAt(file.text, chunk.offset + index) };
}

/** where Cedar located an error: its UTF-8 byte offset in the policy's text */
function where(loc: Located | undefined, error: DetailedError, fallback: string): { file: string; line: number } {
  if (!loc) return { file: fallback, line: 1 };
  const start = error.sourceLocations?.[0]?.start;
  return lineIn(loc.file, loc.chunk, start === undefined ? undefined : byteToIndex(loc.chunk.text, start));
}

function digestOf(manifest: ProtocolFile, files: readonly ProtocolFile[]): string {
  const hash = createHash('sha256');
  // length-prefixed so that no two different sets of files hash alike
  for (const f of [manifest, ...files]) {
    const name = Buffer.from(f.path.split(/[\\/]/).pop() ?? f.path, 'utf8');
    const body = Buffer.from(f.text, 'utf8');
    hash.update(`${name.length}:`).update(name).update(`${body.length}:`).update(body);
  }
  return hash.digest('hex');
}

function invalid(message: string): ConcordError {
  return new ConcordError('POLICY_INVALID', message);
}
