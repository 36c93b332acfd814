import { employeeCreateSchema, employeeUpdateSchema, errorEnvelopeSchema } from '@empdir/shared';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { employeeViewSchema } from '../routes/api-support.js';
import { listQuerySchema } from '../routes/employees-api.js';

// The schemas below are the very objects the handlers validate with and answer in; the
// document is generated from this list, and a test checks it against ROUTE_POLICY.

const errorBody = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorEnvelopeSchema } },
});
const employeeBody = (description: string) => ({
  description,
  headers: z.object({ ETag: z.string().describe('The version, quoted') }),
  content: { 'application/json': { schema: employeeViewSchema } },
});
const common = {
  401: errorBody('No session and no valid bearer token (unauthorized; WWW-Authenticate: Bearer)'),
  403: errorBody('The role does not allow this (forbidden)'),
  503: errorBody('DynamoDB or S3 unreachable (upstream_unavailable)'),
} as const;
const notFound = { 404: errorBody('No such employee') } as const;

const idParams = z.object({ id: z.uuid().describe('The employee id') });
const ifMatch = (required: boolean) =>
  z.object({
    'If-Match': (required ? z.string() : z.string().optional()).describe(
      'The ETag from GET (the version, quoted); a stale one gets 412 (precondition_failed)',
    ),
  });

export const employeePageViewSchema = z.object({
  items: z.array(employeeViewSchema),
  nextCursor: z.string().optional(),
});
export const importSummarySchema = z.object({
  rows: z.int().min(0),
  created: z.int().min(0),
  updated: z.int().min(0),
  unchanged: z.int().min(0),
});

/** The schemas the document names as components. */
export const API_SCHEMAS = {
  Employee: employeeViewSchema,
  EmployeeCreate: employeeCreateSchema,
  EmployeeUpdate: employeeUpdateSchema,
  EmployeePage: employeePageViewSchema,
  ImportSummary: importSummarySchema,
  Error: errorEnvelopeSchema,
} as const;

const binary = z.string().describe('binary');
const photoContent = Object.fromEntries(
  ['image/jpeg', 'image/png', 'image/webp', 'image/gif'].map((type) => [type, { schema: binary }]),
);

/** Every JSON API route, as the document describes it. */
export const API_ROUTES = [
  createRoute({
    method: 'get',
    path: '/api/employees',
    summary: 'List employees sorted by name, one page at a time',
    request: { query: listQuerySchema },
    responses: {
      200: {
        description: 'One page; nextCursor is absent on the last',
        content: { 'application/json': { schema: employeePageViewSchema } },
      },
      400: errorBody('Bad limit or cursor'),
      ...common,
    },
  }),
  createRoute({
    method: 'post',
    path: '/api/employees',
    summary: 'Create an employee',
    request: {
      body: { required: true, content: { 'application/json': { schema: employeeCreateSchema } } },
    },
    responses: {
      201: employeeBody('Created'),
      400: errorBody('Invalid fields (validation_failed, with issues)'),
      413: errorBody('Larger than 64 KB (payload_too_large)'),
      415: errorBody('Not application/json'),
      ...common,
    },
  }),
  createRoute({
    method: 'get',
    path: '/api/employees/{id}',
    summary: 'Read one employee',
    request: { params: idParams },
    responses: {
      200: employeeBody('The employee'),
      304: { description: 'Not modified (If-None-Match)' },
      ...notFound,
      ...common,
    },
  }),
  createRoute({
    method: 'patch',
    path: '/api/employees/{id}',
    summary: 'Update some fields; needs If-Match',
    request: {
      params: idParams,
      headers: ifMatch(true),
      body: { required: true, content: { 'application/json': { schema: employeeUpdateSchema } } },
    },
    responses: {
      200: employeeBody('Updated'),
      400: errorBody('Invalid fields or If-Match'),
      412: errorBody('The version is stale (precondition_failed)'),
      415: errorBody('Not application/json'),
      428: errorBody('If-Match missing (precondition_required)'),
      ...notFound,
      ...common,
    },
  }),
  createRoute({
    method: 'delete',
    path: '/api/employees/{id}',
    summary: 'Delete an employee and their photo',
    request: { params: idParams, headers: ifMatch(false) },
    responses: {
      204: { description: 'Deleted' },
      412: errorBody('Stale If-Match (precondition_failed)'),
      ...notFound,
      ...common,
    },
  }),
  createRoute({
    method: 'get',
    path: '/api/employees/{id}/photo',
    summary: 'The photo: a redirect to a fresh presigned S3 URL (never cached)',
    request: { params: idParams },
    responses: {
      302: { description: 'Location is a presigned GET URL of the 120×160 PNG' },
      404: errorBody('No such employee, or no photo (not_found)'),
      401: common[401],
      403: common[403],
      503: common[503],
    },
  }),
  createRoute({
    method: 'put',
    path: '/api/employees/{id}/photo',
    summary: 'Set the photo (JPEG, PNG, WebP or GIF, at most 5 MB); stored as a 120×160 PNG',
    request: {
      params: idParams,
      headers: ifMatch(false),
      body: { required: true, content: photoContent },
    },
    responses: {
      200: employeeBody('Updated'),
      400: errorBody('Not a readable image'),
      412: errorBody('Stale If-Match (precondition_failed)'),
      413: errorBody('Larger than 5 MB (payload_too_large)'),
      415: errorBody('Not a JPEG, PNG, WebP or GIF (unsupported_media_type)'),
      ...notFound,
      ...common,
    },
  }),
  createRoute({
    method: 'delete',
    path: '/api/employees/{id}/photo',
    summary: 'Remove the photo',
    request: { params: idParams, headers: ifMatch(false) },
    responses: {
      200: employeeBody('Updated'),
      412: errorBody('Stale If-Match (precondition_failed)'),
      ...notFound,
      ...common,
    },
  }),
  createRoute({
    method: 'get',
    path: '/api/employees.csv',
    summary: 'Everyone as CSV (RFC 4180, UTF-8 with BOM), streamed',
    responses: {
      200: {
        description:
          'Columns id, fullName, jobTitle, location, badges, hasPhoto, version, createdAt, ' +
          "updatedAt; a cell starting with = + - @ tab CR or ' gets a leading '",
        content: { 'text/csv': { schema: z.string() } },
      },
      ...common,
    },
  }),
  createRoute({
    method: 'post',
    path: '/api/employees.csv',
    summary:
      'Import CSV: every row is validated first; any error and nothing is written; idempotent by id',
    request: { body: { required: true, content: { 'text/csv': { schema: z.string() } } } },
    responses: {
      200: {
        description: 'What the import did',
        content: { 'application/json': { schema: importSummarySchema } },
      },
      400: errorBody('Rows with errors, by row number (validation_failed) or not CSV'),
      413: errorBody('Larger than 5 MB or more than 10,000 rows'),
      415: errorBody('Not text/csv'),
      ...common,
    },
  }),
] as const;
