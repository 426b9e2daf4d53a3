/**
 * The ledger entry format (docs/ledger-format.md). An entry is a JSON object
 * serialised as RFC 8785 canonical JSON; those exact bytes are the Merkle
 * leaf. Sensitive body values are replaced by salted SHA-256 commitments
 * inside the hashed entry and kept beside it as disclosures, so an entry can
 * be published with a value removed and still verify.
 */
import { hash as oneShotHash } from 'node:crypto';
import { ConcordError } from '../errors.ts';
import { canonicalize, isPlainCanonicalText, plainCanonicalValueEnd } from './canonical.ts';
import { fixedDateTimeExists, rfc3339Problem } from './time.ts';

export const ENTRY_FORMAT = 1;
/** the largest canonical entry we accept (bytes); keeps every leaf cheap to hash, store and ship */
export const MAX_ENTRY_BYTES = 1 << 20;

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };
export type JsonObject = { readonly [k: string]: JsonValue };

export interface EntryActor {
  readonly agency: string;
  readonly person?: string;
  readonly device?: string;
}

/** what a client asks to append; the store adds index, origin and receive time */
export interface EntryDraft {
  readonly type: string;
  readonly actor: EntryActor;
  readonly incident?: string;
  /** the time claimed by the source (device clock, radio call start), RFC 3339 */
  readonly claimed?: string;
  readonly body: JsonObject;
  /** RFC 6901 JSON pointers into body whose values are sealed (kept off the hashed entry) */
  readonly sealed?: readonly string[];
}

export interface Entry {
  readonly v: typeof ENTRY_FORMAT;
  readonly index: number;
  readonly origin: string;
  /** server receive time, RFC 3339 UTC with milliseconds; non-decreasing along the log */
  readonly received: string;
  readonly claimed?: string;
  readonly actor: EntryActor;
  readonly type: string;
  readonly incident?: string;
  readonly body: JsonObject;
}

/** the value behind one sealed commitment */
export interface Disclosure {
  /** JSON pointer into the entry body */
  readonly path: string;
  /** base64url of 16 random bytes */
  readonly salt: string;
  readonly value: JsonValue;
}

/** a built entry: the exact canonical text that is hashed, and the values kept beside it */
export interface BuiltEntry {
  readonly entry: Entry;
  readonly text: string;
  readonly disclosures: readonly Disclosure[];
}

export const SEALED_KEY = '$sealed';

const TYPE_RE = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;
/** ids of agencies, people, devices, incidents: what every layer above accepts too */
export const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const MAX_ID_LENGTH = 128;
// RFC 3339 with a mandatory zone, upper-case "T" and "Z", at most nanoseconds; we accept any
// offset for claimed times but normalise nothing. The calendar is checked by rfc3339Problem.
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const RECEIVED_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SALT_RE = /^[A-Za-z0-9_-]{22}$/;
const DIGEST_RE = /^[A-Za-z0-9_-]{43}$/;

const DRAFT_FIELDS = new Set(['type', 'actor', 'incident', 'claimed', 'body', 'sealed']);

function bad(message: string): never {
  throw new ConcordError('BAD_INPUT', message);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Why `s` is not a time the ledger keeps as `claimed`, or undefined: RFC
 * 3339 with a real calendar date and clock time, in the profile above. A
 * leap second is accepted where one can fall: a claimed time is kept as the
 * source sent it, and a device clock may say 23:59:60.
 */
export function claimedTimeProblem(s: unknown): string | undefined {
  if (typeof s !== 'string') return 'is not a string';
  const problem = rfc3339Problem(s, { leapSecond: true });
  if (problem !== undefined) return problem;
  if (!RFC3339_RE.test(s)) return 'is not in the ledger\'s form of RFC 3339 (upper-case "T" and "Z", at most 9 digits of a second)';
  return undefined;
}

export function isRfc3339(s: unknown): s is string {
  return claimedTimeProblem(s) === undefined;
}

/** a node's receive time: toISOString's form, on a date that exists */
function isReceivedTime(s: unknown): s is string {
  return typeof s === 'string' && RECEIVED_RE.test(s) && fixedDateTimeExists(s);
}

function checkId(value: unknown, field: string, max = MAX_ID_LENGTH): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !ID_RE.test(value)) {
    bad(`${field} must be an id of 1-${max} letters, digits, '.', '_', ':' or '-' (got ${JSON.stringify(value)?.slice(0, 80)})`);
  }
}

function checkActor(actor: unknown, field: string): asserts actor is EntryActor {
  if (!isPlainObject(actor)) bad(`${field} must be an object {agency, person?, device?}`);
  for (const k of Object.keys(actor)) {
    if (k !== 'agency' && k !== 'person' && k !== 'device') bad(`${field}.${k} is not a known field (agency, person, device)`);
  }
  checkId(actor.agency, `${field}.agency`);
  if (actor.person !== undefined) checkId(actor.person, `${field}.person`);
  if (actor.device !== undefined) checkId(actor.device, `${field}.device`);
}

/**
 * Validates untrusted input as an EntryDraft and returns it typed. Throws
 * BAD_INPUT naming the field.
 */
export function parseDraft(input: unknown): EntryDraft {
  if (!isPlainObject(input)) bad('an entry must be a JSON object {type, actor, body, ...}');
  for (const k of Object.keys(input)) if (!DRAFT_FIELDS.has(k)) bad(`"${k}" is not a known field (type, actor, incident, claimed, body, sealed)`);
  const { type, actor, incident, claimed, body, sealed } = input;
  if (typeof type !== 'string' || type.length > 64 || !TYPE_RE.test(type)) {
    bad(`type must be dotted lower-case words like "request.sent" (got ${JSON.stringify(type)?.slice(0, 80)})`);
  }
  checkActor(actor, 'actor');
  if (incident !== undefined) checkId(incident, 'incident');
  if (claimed !== undefined) {
    const problem = claimedTimeProblem(claimed);
    if (problem !== undefined) bad(`claimed must be an RFC 3339 time: ${JSON.stringify(claimed)?.slice(0, 80)} ${problem}`);
  }
  if (!isPlainObject(body)) bad('body must be a JSON object');
  if (sealed !== undefined) {
    if (!Array.isArray(sealed) || sealed.some((p) => typeof p !== 'string')) bad('sealed must be an array of JSON pointers');
    const seen = new Set<string>();
    for (const p of sealed as string[]) {
      if (seen.has(p)) bad(`sealed lists ${p} twice`);
      seen.add(p);
      resolvePointer(body, p, 'sealed');
    }
  }
  const reserved = reservedKeyPath(body);
  if (reserved !== undefined)
    bad(
      `body${reserved.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')} uses the reserved key "${SEALED_KEY}"; list the field in "sealed" instead`,
    );
  return input as unknown as EntryDraft;
}

/** where the reserved key first appears in `v` (the keys and indexes leading to the object that has it), or undefined; no path is built unless it is found */
function reservedKeyPath(v: unknown): Array<string | number> | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = reservedKeyPath(v[i]);
      if (found !== undefined) return [i, ...found];
    }
  } else if (isPlainObject(v)) {
    for (const k in v) {
      if (k === SEALED_KEY) return [];
      const found = reservedKeyPath(v[k]);
      if (found !== undefined) return [k, ...found];
    }
  }
  return undefined;
}

/** RFC 6901 pointer tokens */
export function pointerTokens(pointer: string, field = 'pointer'): string[] {
  if (pointer === '' || pointer[0] !== '/') bad(`${field}: "${pointer}" is not a JSON pointer to a field (it must start with "/")`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t)) bad(`${field}: "${pointer}" has a bad escape`);
      return t.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function resolvePointer(root: unknown, pointer: string, field: string): { parent: Record<string, unknown> | unknown[]; key: string | number } {
  const tokens = pointerTokens(pointer, field);
  let node: unknown = root;
  let parent: Record<string, unknown> | unknown[] | undefined;
  let key: string | number = '';
  for (const t of tokens) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(t) || Number(t) >= node.length) bad(`${field}: ${pointer} does not exist in body`);
      parent = node;
      key = Number(t);
      node = node[key];
    } else if (isPlainObject(node)) {
      if (!Object.prototype.hasOwnProperty.call(node, t)) bad(`${field}: ${pointer} does not exist in body`);
      parent = node;
      key = t;
      node = node[t];
    } else {
      bad(`${field}: ${pointer} does not exist in body`);
    }
  }
  if (parent === undefined) bad(`${field}: ${pointer} does not name a field`);
  return { parent, key };
}

/** base64url(SHA-256(canonical JSON of [salt, path, value])): binds the value to its place */
export function commitment(d: Disclosure): string {
  return commitmentOf(d, canonicalize(d.value));
}

/**
 * commitment(d), given the canonical JSON of d.value already (a reader that
 * puts the value in place needs that text too): RFC 8785 writes an array as
 * its elements' canonical texts between brackets, comma-separated.
 */
export function commitmentOf(d: Disclosure, canonicalValue: string): string {
  // one-shot: about half of createHash().update().digest() for these short texts (Node 20)
  return oneShotHash('sha256', `[${canonicalize(d.salt)},${canonicalize(d.path)},${canonicalValue}]`, 'base64url');
}

function cloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * Replaces each sealed field by {"$sealed": commitment}. `salt` gives 16
 * random bytes per field (injected so tests are deterministic).
 */
export function sealBody(body: JsonObject, pointers: readonly string[], salt: () => Uint8Array): { body: JsonObject; disclosures: Disclosure[] } {
  if (pointers.length === 0) return { body, disclosures: [] };
  const copy = cloneJson(body) as Record<string, unknown>;
  const disclosures: Disclosure[] = [];
  // seal deepest pointers first so a sealed parent commits to already-sealed children consistently
  const ordered = [...pointers].sort((a, b) => b.length - a.length);
  for (const path of ordered) {
    const { parent, key } = resolvePointer(copy, path, 'sealed');
    const value = (parent as Record<string | number, unknown>)[key] as JsonValue;
    const s = Buffer.from(salt()).toString('base64url');
    if (!SALT_RE.test(s)) throw new ConcordError('BAD_INPUT', 'salt source must give 16 bytes');
    const d: Disclosure = { path, salt: s, value };
    (parent as Record<string | number, unknown>)[key] = { [SEALED_KEY]: commitment(d) };
    disclosures.push(d);
  }
  return { body: copy as JsonObject, disclosures };
}

/** Builds the canonical entry at a given position of a log. */
const NONE: readonly Disclosure[] = Object.freeze([]);

export function buildEntry(draft: EntryDraft, index: number, origin: string, received: string, salt: () => Uint8Array): BuiltEntry {
  const { body, disclosures } =
    draft.sealed === undefined || draft.sealed.length === 0 ? { body: draft.body, disclosures: NONE } : sealBody(draft.body, draft.sealed, salt);
  // one object shape whatever is optional (no spreads: this runs for every append)
  const entry: { -readonly [K in keyof Entry]: Entry[K] } = { v: ENTRY_FORMAT, index, origin, received, actor: draft.actor, type: draft.type, body };
  if (draft.claimed !== undefined) entry.claimed = draft.claimed;
  if (draft.incident !== undefined) entry.incident = draft.incident;
  const text = entryText(entry);
  // a UTF-16 code unit takes at most 3 UTF-8 bytes: count only when it could matter
  if (text.length * 3 > MAX_ENTRY_BYTES && Buffer.byteLength(text, 'utf8') > MAX_ENTRY_BYTES) bad(`entry is larger than ${MAX_ENTRY_BYTES} bytes`);
  return { entry, text, disclosures };
}

/**
 * canonicalize(entry), written out for the envelope: its keys in RFC 8785
 * order (actor, body, claimed, incident, index, origin, received, type, v)
 * and, where a value is a checked id, type or time (characters that never
 * need an escape), quoted as it is. Body and origin go through the general
 * canonicaliser. This is on every append; a property test holds it equal to
 * canonicalize(entry).
 */
function entryText(e: Entry): string {
  const a = e.actor;
  if (Object.keys(a).length !== 1 + (a.device !== undefined ? 1 : 0) + (a.person !== undefined ? 1 : 0)) return canonicalize(e);
  const actor =
    `{"agency":${plain(a.agency, ID_RE)}` +
    (a.device !== undefined ? `,"device":${plain(a.device, ID_RE)}` : '') +
    (a.person !== undefined ? `,"person":${plain(a.person, ID_RE)}` : '') +
    '}';
  const claimed = e.claimed !== undefined ? `,"claimed":${plain(e.claimed, RFC3339_RE)}` : '';
  const incident = e.incident !== undefined ? `,"incident":${plain(e.incident, ID_RE)}` : '';
  return `{"actor":${actor},"body":${canonicalize(e.body)}${claimed}${incident},"index":${canonicalize(e.index)},"origin":${canonicalize(e.origin)},"received":${plain(e.received, RECEIVED_RE)},"type":${plain(e.type, TYPE_RE)},"v":${e.v}}`;
}

/** a string quoted as it is when it matches `re` (a pattern of characters that need no escape), else canonically */
function plain(s: string, re: RegExp): string {
  return re.test(s) ? `"${s}"` : canonicalize(s);
}

const ENTRY_FIELDS: ReadonlySet<string> = new Set(['v', 'index', 'origin', 'received', 'claimed', 'actor', 'type', 'incident', 'body']);

/**
 * Parses and checks one entry's canonical text. Returns the entry or a
 * reason it is malformed (a verifier reports the reason; it never throws on
 * untrusted input).
 */
export function checkEntryText(text: string): { entry: Entry } | { problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { problem: 'entry is not valid JSON' };
  }
  if (!isPlainObject(v)) return { problem: 'entry is not a JSON object' };
  if (!isCanonicalText(v, text)) return { problem: 'entry text is not RFC 8785 canonical JSON' };
  for (const k of Object.keys(v)) {
    if (!ENTRY_FIELDS.has(k)) return { problem: `entry has unknown field "${k}"` };
  }
  if (v.v !== ENTRY_FORMAT) return { problem: `entry format version ${JSON.stringify(v.v)} is not ${ENTRY_FORMAT}` };
  if (!Number.isSafeInteger(v.index) || (v.index as number) < 0) return { problem: 'entry index is not a non-negative integer' };
  if (typeof v.origin !== 'string' || v.origin.length === 0) return { problem: 'entry origin is missing' };
  if (!isReceivedTime(v.received)) {
    return { problem: 'entry received time is not RFC 3339 UTC with milliseconds' };
  }
  try {
    const claimedProblem = v.claimed === undefined ? undefined : claimedTimeProblem(v.claimed);
    if (claimedProblem !== undefined) return { problem: `entry claimed time ${claimedProblem}` };
    if (typeof v.type !== 'string' || !TYPE_RE.test(v.type)) return { problem: 'entry type is malformed' };
    checkActor(v.actor, 'actor');
    if (v.incident !== undefined) checkId(v.incident, 'incident');
  } catch (e) {
    return { problem: `entry ${(e as Error).message}` };
  }
  if (!isPlainObject(v.body)) return { problem: 'entry body is not an object' };
  if (text.includes(SEALED_KEY)) {
    const sealedProblem = checkSealedMarkers(v.body, '');
    if (sealedProblem) return { problem: sealedProblem };
  }
  return { entry: v as unknown as Entry };
}

/**
 * Whether `text` is the RFC 8785 serialisation of `v` (parsed from it). This
 * runs for every entry a verifier reads, so it answers in tiers: a scan of
 * the text (nearly every entry: no escapes); then JSON.stringify, which
 * already writes numbers (ES6 Number-to-String) and escapes strings as
 * RFC 8785 §3.2.2 does, except that it keeps object key order and writes
 * lone surrogates as \u escapes (so: same text, keys sorted everywhere, no
 * \u); and the full canonicaliser for the rest.
 */
function isCanonicalText(v: unknown, text: string): boolean {
  if (isPlainCanonicalText(text)) return true;
  if (JSON.stringify(v) === text && keysSorted(v) && !text.includes('\\u')) return true;
  // the slow, exact answer (also for integer-like keys, which JS objects reorder)
  try {
    return canonicalize(v) === text;
  } catch {
    return false;
  }
}

function keysSorted(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!keysSorted(v[i])) return false;
    return true;
  }
  let prev: string | undefined;
  for (const k in v) {
    // RFC 8785 §3.2.3: keys ordered by UTF-16 code units, which is how JS compares strings
    if (prev !== undefined && !(prev < k)) return false;
    prev = k;
    if (!keysSorted((v as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function checkSealedMarkers(v: unknown, path: string): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = checkSealedMarkers(v[i], `${path}/${i}`);
      if (p) return p;
    }
  } else if (isPlainObject(v)) {
    if (SEALED_KEY in v) {
      if (Object.keys(v).length !== 1 || typeof v[SEALED_KEY] !== 'string' || !DIGEST_RE.test(v[SEALED_KEY])) {
        return `sealed value at ${path || '/'} is malformed`;
      }
      return undefined;
    }
    for (const k of Object.keys(v)) {
      const p = checkSealedMarkers(v[k], `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (p) return p;
    }
  }
  return undefined;
}

/**
 * Checks a disclosure against the sealed commitment in the entry body. A
 * field sealed inside a sealed parent is committed to inside the parent's
 * value, not in the body: check a whole set with checkDisclosures.
 */
export function checkDisclosure(entry: Entry, d: unknown): string | undefined {
  return checkDisclosureIn(entry.body, d);
}

/**
 * Checks every disclosure of one entry; one problem (or undefined) per
 * disclosure, in the order given. Shallowest paths first, each verified value
 * put back in place, so a nested sealed field is checked against the
 * commitment inside its disclosed parent (sealBody seals deepest first).
 */
export function checkDisclosures(entry: Entry, ds: readonly unknown[]): Array<string | undefined> {
  const problems: Array<string | undefined> = new Array(ds.length).fill(undefined);
  const depth = (d: unknown): number => (isPlainObject(d) && typeof d.path === 'string' ? d.path.split('/').length : 0);
  const order = ds.map((_, i) => i).sort((a, b) => depth(ds[a]) - depth(ds[b]));
  let body = entry.body;
  for (const i of order) {
    const d = ds[i];
    const problem = checkDisclosureIn(body, d);
    problems[i] = problem;
    if (problem !== undefined) continue;
    if (body === entry.body) body = cloneJson(entry.body);
    const { parent, key } = resolvePointer(body, (d as Disclosure).path, 'disclosure');
    (parent as Record<string | number, unknown>)[key] = cloneJson((d as Disclosure).value);
  }
  return problems;
}

function checkDisclosureIn(body: JsonObject, d: unknown): string | undefined {
  if (!isPlainObject(d)) return 'disclosure is not an object';
  if (typeof d.path !== 'string' || typeof d.salt !== 'string' || !SALT_RE.test(d.salt) || !('value' in d)) {
    return 'disclosure needs path, a 16-byte base64url salt and value';
  }
  let target: unknown;
  try {
    const { parent, key } = resolvePointer(body, d.path, 'disclosure');
    target = (parent as Record<string | number, unknown>)[key];
  } catch {
    return `disclosure path ${d.path} does not exist in the entry body`;
  }
  if (!isPlainObject(target) || typeof target[SEALED_KEY] !== 'string') return `entry has no sealed value at ${d.path}`;
  let digest: string;
  try {
    digest = commitment(d as unknown as Disclosure);
  } catch {
    return `disclosure value at ${d.path} is not JSON`;
  }
  if (digest !== target[SEALED_KEY]) return `disclosure at ${d.path} does not match its commitment`;
  return undefined;
}

/**
 * The sealed values of an entry that none of `ds` discloses: every
 * {"$sealed": ...} marker in the body, and inside each disclosed value (a
 * field sealed within a sealed parent), needs its disclosure in the node's
 * own store. The paths, in the order found.
 */
export function undisclosed(entry: Entry, ds: readonly Disclosure[]): string[] {
  const byPath = new Map(ds.map((d) => [d.path, d]));
  const missing: string[] = [];
  const escape = (t: string): string => t.replace(/~/g, '~0').replace(/\//g, '~1');
  const walk = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${at}/${i}`));
      return;
    }
    if (!isPlainObject(value)) return;
    if (typeof value[SEALED_KEY] === 'string' && Object.keys(value).length === 1) {
      const d = byPath.get(at);
      if (d === undefined) missing.push(at);
      else walk(d.value, at);
      return;
    }
    for (const [k, v] of Object.entries(value)) walk(v, `${at}/${escape(k)}`);
  };
  walk(entry.body, '');
  return missing;
}

/** The body with disclosed values put back in place (for people reading it). */
export function revealBody(entry: Entry, disclosures: readonly Disclosure[]): JsonObject {
  if (disclosures.length === 0) return entry.body;
  const copy = cloneJson(entry.body) as Record<string, unknown>;
  // reveal shallowest first: a sealed parent's value contains sealed children
  for (const d of [...disclosures].sort((a, b) => a.path.length - b.path.length)) {
    const { parent, key } = resolvePointer(copy, d.path, 'disclosure');
    (parent as Record<string | number, unknown>)[key] = cloneJson(d.value);
  }
  return copy as JsonObject;
}

// The envelope of a plain entry text, in RFC 8785 key order: the actor
// (agency, then device and person if present, each an id), the body (checked
// by plainCanonicalValueEnd), then claimed, incident, index, origin,
// received, type and v.
/** a whole-string pattern without its anchors, to build the envelope patterns from (none has a capturing group) */
const unanchored = (re: RegExp): string => re.source.slice(1, -1);
const ID = unanchored(ID_RE);
const PLAIN_STRING = '[^"\\\\\\u0000-\\u001f\\ud800-\\udfff]';
const ENVELOPE_HEAD = new RegExp(`^\\{"actor":\\{"agency":"(${ID})"(?:,"device":"(${ID})")?(?:,"person":"(${ID})")?\\},"body":(?=\\{)`);
const ENVELOPE_TAIL = new RegExp(
  `(?:,"claimed":"(${PLAIN_STRING}*)")?(?:,"incident":"(${ID})")?,"index":(0|[1-9][0-9]{0,15}),"origin":"(${PLAIN_STRING}+)","received":"(${unanchored(RECEIVED_RE)})","type":"(${unanchored(TYPE_RE)})","v":${ENTRY_FORMAT}\\}$`,
  'y',
);

const idFits = (id: string | undefined): boolean => id === undefined || id.length <= MAX_ID_LENGTH;

/**
 * The fields a run check needs from an entry text, read without parsing it,
 * when the text is certainly a well-formed entry that checkEntryText would
 * accept (canonical, no string escapes or surrogates, nothing sealed); else
 * undefined, and the caller asks checkEntryText, which parses and says what
 * is wrong. A verifier reads every entry of a long log through this.
 */
export function scanEntryText(text: string): { index: number; origin: string; received: string; type: string; incident?: string } | undefined {
  if (text.includes(SEALED_KEY)) return undefined;
  const head = ENVELOPE_HEAD.exec(text);
  if (head === null || !idFits(head[1]) || !idFits(head[2]) || !idFits(head[3])) return undefined;
  const bodyEnd = plainCanonicalValueEnd(text, head[0].length);
  if (bodyEnd < 0) return undefined;
  ENVELOPE_TAIL.lastIndex = bodyEnd;
  const tail = ENVELOPE_TAIL.exec(text);
  if (tail === null) return undefined;
  const [, claimed, incident, indexText, origin, received, type] = tail as unknown as [
    string,
    string | undefined,
    string | undefined,
    string,
    string,
    string,
    string,
  ];
  const index = Number(indexText);
  if (!Number.isSafeInteger(index) || !idFits(incident) || !isReceivedTime(received)) return undefined;
  if (claimed !== undefined && !isRfc3339(claimed)) return undefined;
  return incident === undefined ? { index, origin, received, type } : { index, origin, received, type, incident };
}

/** what checking a run of consecutive entries found (see checkEntryRun) */
export interface EntryRunResult {
  /** 32-byte leaf hashes, concatenated in index order */
  readonly leaves: Uint8Array;
  readonly problems: Array<{ index: number; reason: string }>;
  /** indexes of entries that hold sealed values (their disclosures need checking) */
  readonly sealed: number[];
  /** receive times of the run's first and last well-formed entries ('' if none) */
  readonly firstReceived: string;
  readonly lastReceived: string;
}

/**
 * Checks consecutive entries [first, first + texts.length): format, index,
 * origin, non-decreasing receive time; returns their leaf hashes. Pure, so a
 * verifier can run it on worker threads.
 */
/**
 * The columns a store keeps beside each entry's text (what `state --at` and
 * the incident index read without parsing the text); they must say what the
 * hashed text says.
 */
export interface EntryColumns {
  readonly received: unknown;
  readonly type: unknown;
  readonly incident: unknown;
}

export function checkEntryRun(
  texts: readonly string[],
  first: number,
  origin: string,
  prevReceived: string,
  leafHashText: (t: string) => Uint8Array,
  columns?: readonly EntryColumns[],
): EntryRunResult {
  const leaves = new Uint8Array(texts.length * 32);
  const problems: Array<{ index: number; reason: string }> = [];
  const sealed: number[] = [];
  let prev = prevReceived;
  let firstReceived = '';
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i] as string;
    const index = first + i;
    leaves.set(leafHashText(text), i * 32);
    let e = scanEntryText(text);
    if (e === undefined) {
      const checked = checkEntryText(text);
      if ('problem' in checked) {
        problems.push({ index, reason: checked.problem });
        continue;
      }
      e = checked.entry;
    }
    if (e.index !== index) problems.push({ index, reason: `says it is entry ${e.index} (entries were reordered)` });
    if (e.origin !== origin) problems.push({ index, reason: `belongs to log "${e.origin}"` });
    if (e.received < prev) problems.push({ index, reason: `received ${e.received} is earlier than entry ${index - 1} (${prev})` });
    const c = columns?.[i];
    if (c !== undefined) {
      const incident = e.incident ?? null;
      if (c.received !== e.received)
        problems.push({ index, reason: `its received column says ${String(c.received)}, its hashed text ${e.received} (the column was changed)` });
      if (c.type !== e.type) problems.push({ index, reason: `its type column says ${String(c.type)}, its hashed text ${e.type} (the column was changed)` });
      if (c.incident !== incident)
        problems.push({ index, reason: `its incident column says ${String(c.incident)}, its hashed text ${String(incident)} (the column was changed)` });
    }
    prev = e.received;
    if (firstReceived === '') firstReceived = e.received;
    if (text.includes(SEALED_KEY)) sealed.push(index);
  }
  return { leaves, problems, sealed, firstReceived, lastReceived: prev };
}
