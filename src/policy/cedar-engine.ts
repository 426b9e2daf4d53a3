/**
 * The one module that talks to the Cedar WebAssembly engine. Policy sets are
 * validated against the schema and parsed once, then cached inside the engine
 * (`preparsePolicySet`); every evaluation refers to them by id
 * (`statefulIsAuthorized`), which is more than ten times faster than the
 * stateless `isAuthorized` that re-parses the whole policy set on every call.
 * Evaluation passes no schema: the facts are built by facts.ts in the shape
 * the schema describes (a test holds the two together with
 * checkRequestAgainstSchema), and applying the schema on every call cost a
 * fifth of the rate.
 */
import { setFlagsFromString } from 'node:v8';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type {
  AuthorizationAnswer,
  Context,
  DetailedError,
  EntityJson,
  EntityUidJson,
  PolicyJson,
  SchemaJson,
  ValidationAnswer,
} from '@cedar-policy/cedar-wasm/nodejs';
import { ConcordError } from '../errors.ts';
import { CEDAR_SCHEMA } from './cedar-schema.ts';

export type { Context, DetailedError, EntityJson, EntityUidJson, PolicyJson, SchemaJson };

// Node 20's V8 (11.3) aborts the process ("unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when it lazily deoptimizes a
// function that TurboFan compiled with a JS-to-Wasm call inlined, which
// happened after ~10,000-100,000 evaluations in a long run (bench/domain.ts
// reproduced it every time). Not inlining those calls avoids it; the flag
// must be set before any caller of the engine is optimised, so here, when
// the engine is loaded.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

export function policyToJson(text: string): PolicyJson | DetailedError[] {
  const answer = cedar.policyToJson(text);
  return answer.type === 'success' ? answer.json : answer.errors;
}

/** Validate policies against the Concord schema in strict mode. */
export function validatePolicies(policies: Readonly<Record<string, string>>): ValidationAnswer {
  return cedar.validate({
    schema: CEDAR_SCHEMA,
    policies: { staticPolicies: { ...policies } },
    validationSettings: { mode: 'strict' },
  });
}

/**
 * Cache a policy set in the engine under `setId`. The id must identify the
 * content (we use a digest), because the cache lives as long as the thread
 * and is never emptied: two books loaded from different directories must not
 * collide, and a worker thread has a cache of its own (it loads its own book).
 */
export function preparePolicySet(setId: string, policies: Readonly<Record<string, string>>): void {
  const answer = cedar.preparsePolicySet(setId, { staticPolicies: { ...policies } });
  if (answer.type === 'failure') {
    throw new ConcordError('POLICY_INVALID', `${setId}: ${formatErrors(answer.errors)}`);
  }
}

export interface CedarRequest {
  readonly principal: EntityUidJson;
  readonly action: EntityUidJson;
  readonly resource: EntityUidJson;
  readonly context: Context;
  readonly entities: EntityJson[];
}

export function authorize(setId: string, request: CedarRequest): AuthorizationAnswer {
  return cedar.statefulIsAuthorized({
    principal: request.principal,
    action: request.action,
    resource: request.resource,
    context: request.context,
    entities: request.entities,
    preparsedPolicySetId: setId,
  });
}

/** Errors if `request` does not have the shape the schema gives its action (for tests). */
export function checkRequestAgainstSchema(request: CedarRequest): string[] {
  const context = cedar.checkParseContext({ context: request.context, schema: CEDAR_SCHEMA, action: request.action });
  const entities = cedar.checkParseEntities({ entities: request.entities, schema: CEDAR_SCHEMA });
  return [context, entities].flatMap((a) => (a.type === 'failure' ? [formatErrors(a.errors)] : []));
}

/** The stateless engine call, kept for the benchmark's comparison only. */
export function authorizeUnprepared(policies: Readonly<Record<string, string>>, request: CedarRequest): AuthorizationAnswer {
  return cedar.isAuthorized({
    principal: request.principal,
    action: request.action,
    resource: request.resource,
    context: request.context,
    entities: request.entities,
    policies: { staticPolicies: { ...policies } },
  });
}

export function formatErrors(errors: readonly DetailedError[]): string {
  return errors.map(formatError).join('; ');
}

export function formatError(error: DetailedError): string {
  const labels = (error.sourceLocations ?? []).map((l) => l.label).filter((l): l is string => !!l);
  let text = [error.message.replace(/^failed to parse polic(y|ies) from string: /, ''), ...labels].join(': ');
  if (error.help) text += ` (${error.help})`;
  // Cedar names policies by the ids we gave them inside the engine; the
  // caller names them by clause
  return text.replace(/for policy `[^`]*`,?\s*/g, '');
}
