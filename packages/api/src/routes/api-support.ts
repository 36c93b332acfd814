import { type Employee, employeeSchema, issuesFromZod } from '@empdir/shared';
import type { Context } from 'hono';
import { z } from 'zod';
import type { EmployeeService } from '../employee-service.js';
import {
  BadRequestError,
  PreconditionRequiredError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';

/** An employee as the JSON API returns it: the stored fields plus a presigned photo URL. */
export const employeeViewSchema = employeeSchema.extend({
  photoUrl: z
    .string()
    .optional()
    .describe('Path of the 120×160 PNG: GET it for a redirect to a fresh presigned URL'),
});
export type EmployeeView = z.infer<typeof employeeViewSchema>;

export async function toEmployeeView(
  service: EmployeeService,
  employee: Employee,
): Promise<EmployeeView> {
  const photoUrl = await service.photoUrl(employee);
  return photoUrl ? { ...employee, photoUrl } : { ...employee };
}

/** The view of one employee of a page whose photo URLs were looked up together. */
export function withPhotoUrl(employee: Employee, urls: ReadonlyMap<string, string>): EmployeeView {
  const photoUrl = employee.photoKey ? urls.get(employee.photoKey) : undefined;
  return photoUrl ? { ...employee, photoUrl } : { ...employee };
}

/** Strong ETag of an employee: its version, which every write bumps. */
export const etagFor = (version: number) => `"${version}"`;

/**
 * The version an If-Match header asks for: a number, undefined for `*` (any version), or a 428
 * when the header is required and missing.
 */
export function readIfMatch(c: Context, required: boolean): number | undefined {
  const header = c.req.header('if-match')?.trim();
  if (!header) {
    if (required) throw new PreconditionRequiredError();
    return undefined;
  }
  if (header === '*') return undefined;
  const match = /^"([1-9]\d{0,9})"$/.exec(header);
  if (!match) {
    throw new BadRequestError('If-Match must be one ETag from GET, like "3".', [
      { path: 'If-Match', message: 'expected a quoted version number' },
    ]);
  }
  return Number(match[1]);
}

/** The JSON body, validated; wrong type is a 415, bad JSON a 400, bad fields a 400 with issues. */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(merge-patch\+)?json\s*(;|$)/i.test(type)) {
    throw new UnsupportedMediaTypeError('Send the body as application/json.');
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new BadRequestError('The body is not valid JSON.');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(issuesFromZod(parsed.error));
  return parsed.data;
}
