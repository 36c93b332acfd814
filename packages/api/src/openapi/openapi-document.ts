import {
  EMPLOYEE_PAGE_LIMIT,
  employeeCreateSchema,
  employeeUpdateSchema,
  errorEnvelopeSchema,
} from '@empdir/shared';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth/session.js';
import { employeeViewSchema } from '../routes/api-support.js';

const schema = (s: z.ZodType): Record<string, unknown> => {
  // Request and response shapes are the schemas' input side; badges' ordering transform is invisible.
  const { $schema: _ignored, ...json } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  return json;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const error = (description: string) => ({ description, ...json('Error') });

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
};
const ifMatch = (required: boolean) => ({
  name: 'If-Match',
  in: 'header',
  required,
  description:
    'The ETag from GET (the version, quoted); a stale one gets 412 (precondition_failed)',
  schema: { type: 'string', example: '"3"' },
});
const etagHeader = { ETag: { schema: { type: 'string' }, description: 'The version, quoted' } };
const common = {
  '401': error('No session and no valid bearer token (unauthorized; WWW-Authenticate: Bearer)'),
  '403': error('The role does not allow this (forbidden)'),
  '404': error('No such employee'),
  '503': error('DynamoDB or S3 unreachable (upstream_unavailable)'),
};
const photoBody = {
  required: true,
  content: {
    'image/jpeg': { schema: { type: 'string', format: 'binary' } },
    'image/png': { schema: { type: 'string', format: 'binary' } },
    'image/webp': { schema: { type: 'string', format: 'binary' } },
    'image/gif': { schema: { type: 'string', format: 'binary' } },
    'multipart/form-data': {
      schema: {
        type: 'object',
        properties: { photo: { type: 'string', format: 'binary' } },
        required: ['photo'],
      },
    },
  },
};

/** The OpenAPI 3.1 document of the JSON API, generated from the shared zod schemas. */
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

export function buildOpenApiDocument(): OpenApiDocument {
  return {
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
    paths: {
      '/api/employees': {
        get: {
          summary: 'List employees sorted by name, one page at a time',
          parameters: [
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: EMPLOYEE_PAGE_LIMIT.max },
            },
            { name: 'cursor', in: 'query', schema: { type: 'string', maxLength: 2048 } },
          ],
          responses: {
            '200': {
              description: 'One page; nextCursor is absent on the last',
              ...json('EmployeePage'),
            },
            '400': error('Bad limit or cursor'),
            '401': common['401'],
            '403': common['403'],
            '503': common['503'],
          },
        },
        post: {
          summary: 'Create an employee',
          requestBody: { required: true, ...json('EmployeeCreate') },
          responses: {
            '201': { description: 'Created', headers: etagHeader, ...json('Employee') },
            '400': error('Invalid fields (validation_failed, with issues)'),
            '415': error('Not application/json'),
            '401': common['401'],
            '403': common['403'],
            '503': common['503'],
          },
        },
      },
      '/api/employees/{id}': {
        parameters: [idParam],
        get: {
          summary: 'Read one employee',
          responses: {
            '200': { description: 'The employee', headers: etagHeader, ...json('Employee') },
            ...common,
          },
        },
        patch: {
          summary: 'Update some fields; needs If-Match',
          parameters: [ifMatch(true)],
          requestBody: { required: true, ...json('EmployeeUpdate') },
          responses: {
            '200': { description: 'Updated', headers: etagHeader, ...json('Employee') },
            '400': error('Invalid fields'),
            '412': error('The version is stale (precondition_failed)'),
            '428': error('If-Match missing (precondition_required)'),
            ...common,
          },
        },
        delete: {
          summary: 'Delete an employee and their photo',
          parameters: [ifMatch(false)],
          responses: {
            '204': { description: 'Deleted' },
            '412': error('Stale If-Match (precondition_failed)'),
            ...common,
          },
        },
      },
      '/api/employees/{id}/photo': {
        parameters: [idParam],
        get: {
          summary: 'The photo: a redirect to a fresh presigned S3 URL (not cached)',
          responses: {
            '302': { description: 'Location is a presigned GET URL of the 120×160 PNG' },
            '404': error('No such employee, or no photo (not_found)'),
            '401': common['401'],
            '403': common['403'],
            '503': common['503'],
          },
        },
        put: {
          summary: 'Set the photo (JPEG, PNG, WebP or GIF, at most 5 MB); stored as a 120×160 PNG',
          parameters: [ifMatch(false)],
          requestBody: photoBody,
          responses: {
            '200': { description: 'Updated', headers: etagHeader, ...json('Employee') },
            '412': error('Stale If-Match (precondition_failed)'),
            '413': error('Larger than 5 MB (payload_too_large)'),
            '415': error('Not a JPEG, PNG, WebP or GIF (unsupported_media_type)'),
            ...common,
          },
        },
        delete: {
          summary: 'Remove the photo',
          parameters: [ifMatch(false)],
          responses: { '200': { description: 'Updated', ...json('Employee') }, ...common },
        },
      },
    },
    components: {
      schemas: {
        Employee: schema(employeeViewSchema),
        EmployeeCreate: schema(employeeCreateSchema),
        EmployeeUpdate: schema(employeeUpdateSchema),
        EmployeePage: schema(
          z.object({ items: z.array(employeeViewSchema), nextCursor: z.string().optional() }),
        ),
        Error: schema(errorEnvelopeSchema),
      },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Access token from the OpenID provider (client credentials for machines), checked ' +
            'against its JWKS: issuer, audience or client_id, expiry.',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description:
            'Encrypted session cookie set by /auth/login; state-changing calls must come from ' +
            'this origin.',
        },
      },
    },
  };
}
