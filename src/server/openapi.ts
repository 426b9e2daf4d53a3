/**
 * The OpenAPI 3.1 document, written from the routes' own zod schemas (so it
 * says what the server checks, and cannot drift from it), and the
 * interactive docs at /docs: Swagger UI served from the swagger-ui-dist
 * package on this server, no CDN, no request leaving the browser but to
 * this node.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ConcordError } from '../errors.ts';
import { PROBLEM_JSON } from './problem.ts';
import { defineRoute, type AnyRoute } from './route.ts';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): Json {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out['$schema'];
  return out;
}

/** /v1/requests/:requestId/accept as OpenAPI writes it: /v1/requests/{requestId}/accept */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{path}');
}

const PROBLEM_SCHEMA: Json = {
  type: 'object',
  description: 'RFC 9457 problem details, with the Concord error code and the field at fault',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'a sentence a user understands' },
    code: { type: 'string', description: 'the Concord error code (docs: the error registry)' },
    field: { type: 'string', description: 'where the fault is: body.units[2], query.at, path.requestId, headers.idempotency-key' },
    instance: { type: 'string' },
  },
  required: ['type', 'title', 'status', 'detail', 'code'],
};

const problemResponse = (description: string): Json => ({ description, content: { [PROBLEM_JSON]: { schema: { $ref: '#/components/schemas/Problem' } } } });

export function openApiDocument(routes: readonly AnyRoute[], title: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const parameters: Json[] = [];
    if (r.params !== undefined) {
      const s = jsonSchema(r.params);
      for (const [name, schema] of Object.entries((s['properties'] as Record<string, Json> | undefined) ?? {})) {
        parameters.push({ name: name === '*' ? 'path' : name, in: 'path', required: true, schema });
      }
    }
    if (r.query !== undefined) {
      const s = jsonSchema(r.query);
      const required = new Set((s['required'] as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries((s['properties'] as Record<string, Json> | undefined) ?? {})) {
        parameters.push({ name, in: 'query', required: required.has(name), schema });
      }
    }
    if (r.method === 'POST' && r.idempotent !== false) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'a retry with the same key gets the first answer and appends nothing',
        schema: { type: 'string', maxLength: 200 },
      });
    }
    const success: Json = { description: r.response.description };
    if (r.response.schema !== undefined) success['content'] = { 'application/json': { schema: jsonSchema(r.response.schema) } };
    else if (r.response.contentType !== undefined) success['content'] = { [r.response.contentType.split(';')[0] as string]: { schema: { type: 'string' } } };
    const responses: Json = { [String(r.response.status)]: success, '400': problemResponse('the request is malformed; `field` says where') };
    if (r.access !== 'public') {
      responses['401'] = problemResponse('not logged in, or the token is not valid');
      responses['403'] = problemResponse('the caller may not do this');
    }
    if (r.body !== undefined) {
      responses['413'] = problemResponse('the body is too large');
      responses['415'] = problemResponse('the body is not JSON');
    }
    if (r.method === 'POST') {
      responses['404'] = problemResponse('something the command names does not exist');
      responses['409'] = problemResponse('not possible in the current state of the record');
      responses['422'] = problemResponse('a reason or rationale is missing, or the Idempotency-Key was used for another request');
    }
    const operation: Json = {
      operationId: `${r.method.toLowerCase()}${openApiPath(r.url)
        .replace(/[{}]/g, '')
        .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      ...(r.description !== undefined ? { description: r.description } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body !== undefined ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses,
      security: r.access === 'public' ? [] : [{ bearer: [] }, { session: [] }],
    };
    const path = openApiPath(r.url);
    paths[path] = { ...(paths[path] ?? {}), [r.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title,
      version: '1',
      description:
        "Interagency incident coordination. Every command is checked for authority and against the agencies' protocols, recorded in a verifiable ledger, and told to the agencies it concerns. Errors are application/problem+json.",
    },
    paths,
    components: {
      schemas: { Problem: PROBLEM_SCHEMA },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an API token (concord token create)' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'concord_session',
          description: 'a console session (POST /v1/session); unsafe methods also need X-CSRF-Token',
        },
      },
    },
  };
}

/** the Swagger UI files this server serves, read once from the package */
const UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Concord API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body></html>
`;

const INIT_JS = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout', validatorUrl: null });\n`;

export function docsRoutes(document: Json): AnyRoute[] {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const files = new Map(Object.entries(UI_FILES).map(([name, type]) => [name, { type, bytes: readFileSync(join(dir, name)) }]));
  files.set('init.js', { type: 'text/javascript; charset=utf-8', bytes: Buffer.from(INIT_JS) });
  const documentText = JSON.stringify(document);
  return [
    defineRoute({
      method: 'GET',
      url: '/openapi.json',
      tag: 'documentation',
      summary: 'this OpenAPI 3.1 document',
      access: 'public',
      response: { status: 200, description: 'the document', contentType: 'application/json; charset=utf-8' },
      async handler() {
        return documentText;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/docs',
      tag: 'documentation',
      summary: 'interactive API documentation (Swagger UI, served by this node)',
      access: 'public',
      response: { status: 200, description: 'the page', contentType: 'text/html; charset=utf-8' },
      async handler({ reply }) {
        reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
        return INDEX_HTML;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/docs/:file',
      tag: 'documentation',
      summary: "the documentation page's scripts and styles",
      access: 'public',
      params: z.strictObject({ file: z.string().max(64) }),
      response: { status: 200, description: 'the file', contentType: 'application/octet-stream' },
      async handler({ params, reply }) {
        const f = files.get(params.file);
        if (f === undefined) throw new ConcordError('NOT_FOUND', `no documentation file ${params.file}`, { field: 'path.file' });
        reply.header('cache-control', 'public, max-age=3600');
        reply.type(f.type);
        return f.bytes;
      },
    }),
  ];
}
