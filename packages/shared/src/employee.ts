import { z } from 'zod';
import { badgeListSchema } from './badges.js';
import { FOLDED_NAME_MAX_BYTES, foldedName, utf8Bytes } from './employee-table.js';
import { employeeIdSchema, photoKeySchema } from './ids.js';

/** Field length bounds, shared by the forms, the JSON API and the OpenAPI document. */
export const EMPLOYEE_LIMITS = { fullName: 100, location: 100, jobTitle: 100 } as const;

const requiredText = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, { error: `${label} is required` })
    .max(max, { error: `${label} must be at most ${max} characters` })
    // Control characters have no place in a name and break logs and HTML attributes.
    .refine((value) => !/\p{Cc}/u.test(value), {
      error: `${label} must not contain control characters`,
    });

const editableFields = {
  fullName: requiredText('Full name', EMPLOYEE_LIMITS.fullName).refine(
    // The name becomes an index key: it must fit DynamoDB's 1,024 bytes after normalisation.
    (value) => utf8Bytes(foldedName(value)) <= FOLDED_NAME_MAX_BYTES,
    {
      error: `Full name is too long once normalised (NFKC): at most ${FOLDED_NAME_MAX_BYTES} bytes of UTF-8`,
    },
  ),
  location: requiredText('Location', EMPLOYEE_LIMITS.location),
  jobTitle: requiredText('Job title', EMPLOYEE_LIMITS.jobTitle),
  badges: badgeListSchema,
};

/** A stored employee, as the JSON API returns it. */
export const employeeSchema = z.object({
  id: employeeIdSchema,
  ...editableFields,
  photoKey: photoKeySchema.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.int().min(1),
});
export type Employee = z.infer<typeof employeeSchema>;

/** What a client may send to create an employee. Unknown fields are rejected, not ignored. */
export const employeeCreateSchema = z.strictObject({
  ...editableFields,
  badges: editableFields.badges.default([]),
});
export type EmployeeCreate = z.infer<typeof employeeCreateSchema>;

/**
 * A partial update; at least one field. Built without the create schema's defaults, so a patch
 * that omits `badges` leaves them as stored. The version to update comes separately (If-Match).
 */
export const employeeUpdateSchema = z
  .strictObject(editableFields)
  .partial()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    error: 'send at least one of fullName, location, jobTitle, badges',
  });
export type EmployeeUpdate = z.infer<typeof employeeUpdateSchema>;

/** One page of the sorted list; `nextCursor` is absent on the last page. */
export const employeePageSchema = z.object({
  items: z.array(employeeSchema),
  nextCursor: z.string().optional(),
});
export type EmployeePage = z.infer<typeof employeePageSchema>;

export const EMPLOYEE_PAGE_LIMIT = { default: 25, max: 100 } as const;
