/**
 * The OpenAPI 3.1 document, assembled from the route table and its zod schemas (`z.toJSONSchema`).
 */
import { z } from 'zod';
import { ROUTES, type RouteSpec } from '../http/routes';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out['$schema'];
  return out;
}

const ERROR_ENVELOPE: JsonSchema = {
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message', 'requestId', 'details'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', examples: ['GEN_VALIDATION_FAILED', 'ADM_TEAM_NOT_FOUND'] },
    error: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: ['string', 'null'] },
    details: { type: ['object', 'null'] },
  },
};

function operation(spec: RouteSpec): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const [, name] of spec.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  if (spec.query) {
    const q = jsonSchema(spec.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      parameters.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema });
    }
  }
  const responses: Record<string, JsonSchema> = {
    [String(spec.status)]: {
      description: spec.summary,
      content: {
        [spec.produces ?? 'application/json']: spec.response ? { schema: jsonSchema(spec.response, 'output') } : { schema: spec.produces ? { type: 'string' } : {} },
      },
    },
  };
  if (spec.roles !== 'public') {
    for (const status of ['400', '401', '403', '404']) {
      responses[status] = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } };
    }
  }
  return {
    operationId: spec.id,
    summary: spec.summary,
    tags: [spec.tag],
    description: spec.roles === 'public' ? 'Public.' : `Roles: ${spec.roles.join(', ')}.${spec.teamParam ? ' A team-admin may only address their own team.' : ''}`,
    ...(spec.roles === 'public' ? { security: [] } : { 'x-leeway-roles': spec.roles }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of ROUTES.values()) {
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Leeway admin API',
      version: '1.0.0',
      description:
        'Teams, virtual keys, provider credentials, policies, budgets, pricing, reports and audit. Authenticate with `Authorization: Bearer <token>` (the bootstrap LEEWAY_ADMIN_TOKEN or an issued `lwa_…` token).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { ErrorEnvelope: ERROR_ENVELOPE },
    },
    paths,
  };
}
