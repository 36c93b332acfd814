import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth/session.js';
import { API_ROUTES, API_SCHEMAS } from './api-routes.js';

/** The OpenAPI 3.1 document of the JSON API. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, unknown>>;
    readonly securitySchemes: Readonly<Record<string, unknown>>;
  };
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
}

/** Generated from API_ROUTES, whose zod schemas are the ones the handlers validate with. */
export function buildOpenApiDocument(): OpenApiDocument {
  const app = new OpenAPIHono();
  const registry = app.openAPIRegistry;
  for (const route of API_ROUTES) registry.registerPath(route);
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'Access token from the OpenID provider (client credentials for machines), checked ' +
      'against its JWKS: issuer, audience or client_id, expiry.',
  });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      'Encrypted session cookie set by /auth/login; state-changing calls must come from this origin.',
  });
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Employee Directory API',
      version: '1.0.0',
      description:
        'Employees in DynamoDB, photos in a private S3 bucket. Errors use one envelope: ' +
        '{ error: { code, message, requestId, issues? } }. Every operation needs a signed-in ' +
        'user: the browser session cookie, or an OAuth 2.0 access token (JWT) from the issuer. ' +
        'Reading needs the viewer role, changing the editor role (groups claim, or scope directory/<role>).',
    },
    security: [{ bearer: [] }, { session: [] }],
  });
  // The operations carry their schemas inline; the named list is for readers of /docs.
  const schemas = Object.fromEntries(
    Object.entries(API_SCHEMAS).map(([name, schema]) => {
      const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { unrepresentable: 'any' });
      return [name, json];
    }),
  );
  return {
    ...doc,
    components: { securitySchemes: {}, ...doc.components, schemas },
  } as unknown as OpenApiDocument;
}
