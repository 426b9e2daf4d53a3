/**
 * The command schemas as the server publishes them (GET /openapi.json,
 * built from the domain's own zod schemas): the console takes the values a
 * field accepts from there rather than keeping a copy that could drift.
 */
import { useQuery } from '@tanstack/react-query';
import { getJson } from './api.ts';

interface JsonSchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly anyOf?: readonly JsonSchema[];
  readonly items?: JsonSchema;
  readonly description?: string;
}

interface OpenApi {
  readonly paths: Readonly<
    Record<string, { readonly post?: { readonly requestBody?: { readonly content?: Record<string, { readonly schema?: JsonSchema }> } } }>
  >;
}

export interface BodySchema {
  /** the values a field takes, when it is an enumeration */
  values(field: string): readonly string[];
  /** the field must be sent */
  required(field: string): boolean;
}

function enumOf(s: JsonSchema | undefined): readonly string[] {
  if (s === undefined) return [];
  if (s.enum !== undefined) return s.enum.filter((v): v is string => typeof v === 'string');
  for (const x of s.anyOf ?? []) {
    const e = enumOf(x);
    if (e.length > 0) return e;
  }
  return [];
}

/** the body schema of a command route, by its OpenAPI path ("/v1/requests", "/v1/orders/{orderId}/acknowledge") */
export function bodySchemaOf(doc: OpenApi, path: string): BodySchema {
  const schema = doc.paths[path]?.post?.requestBody?.content?.['application/json']?.schema;
  return {
    values: (field) => enumOf(schema?.properties?.[field]),
    required: (field) => schema?.required?.includes(field) ?? false,
  };
}

/** the API's description, read once per page */
export function useCommandSchema(path: string): BodySchema | undefined {
  const doc = useQuery({ queryKey: ['openapi'], queryFn: () => getJson<OpenApi>('/openapi.json'), staleTime: Infinity, gcTime: Infinity });
  return doc.data === undefined ? undefined : bodySchemaOf(doc.data, path);
}
