import { type EmployeeCreate, employeeCreateSchema, employeeIdSchema } from '@empdir/shared';
import { AppError, NotFoundError, ValidationError } from '../errors.js';
import { detectImageType } from '../photos/image-type.js';
import { PHOTO_LIMITS, PHOTO_TOO_LARGE, PHOTO_WRONG_TYPE } from '../photos/photo-processor.js';
import type { EmployeeFormValues } from '../views/employee-form.js';

type FormBody = Record<string, string | File | (string | File)[]>;

/** The posted employee form: what to show again, what is wrong, and what to save if nothing is. */
export interface EmployeeFormInput {
  readonly values: EmployeeFormValues;
  readonly errors: Record<string, string>;
  readonly input: EmployeeCreate | undefined;
  readonly photo: Uint8Array | undefined;
  /** The edit form's "Remove photo" box was ticked (and no new photo chosen). */
  readonly removePhoto: boolean;
}

const FIELD_NAMES: Record<string, string> = {
  fullName: 'full_name',
  location: 'location',
  jobTitle: 'job_title',
  badges: 'badges',
};

const text = (value: FormBody[string] | undefined): string =>
  typeof value === 'string' ? value : '';

const texts = (value: FormBody[string] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (item): item is string => typeof item === 'string',
  );

/** Reads the add/edit form. Unknown employee ids are a 404; everything else is a field error. */
export async function readEmployeeForm(body: FormBody): Promise<EmployeeFormInput> {
  const errors: Record<string, string> = {};
  const rawId = text(body.employee_id);
  const employeeId = rawId === '' ? undefined : rawId;
  if (employeeId !== undefined && !employeeIdSchema.safeParse(employeeId).success) {
    throw new NotFoundError();
  }
  let version: number | undefined;
  if (employeeId !== undefined) {
    const rawVersion = text(body.version);
    version = /^[1-9]\d{0,9}$/.test(rawVersion) ? Number(rawVersion) : undefined;
    if (version === undefined) errors.form = 'This form is out of date; reload the edit page.';
  }
  const values: EmployeeFormValues = {
    employeeId,
    // A photo is optional, as in the JSON API; removing one only makes sense on edit.
    removePhoto: employeeId !== undefined && text(body.remove_photo) === 'yes',
    version,
    fullName: text(body.full_name),
    location: text(body.location),
    jobTitle: text(body.job_title),
    // Each checkbox is its own field, so a badge is exactly one value: no joining, no substrings.
    badges: texts(body.badges),
  };
  const parsed = employeeCreateSchema.safeParse({
    fullName: values.fullName,
    location: values.location,
    jobTitle: values.jobTitle,
    badges: values.badges,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = FIELD_NAMES[String(issue.path[0])] ?? 'form';
      errors[field] ??= field === 'badges' ? 'Choose badges from the list only.' : issue.message;
    }
  }
  const photo = await readPhoto(body.photo, errors);
  const removePhoto = values.removePhoto === true;
  if (removePhoto && photo) errors.photo ??= 'Choose a new photo or Remove photo, not both.';
  return { values, errors, input: parsed.success ? parsed.data : undefined, photo, removePhoto };
}

async function readPhoto(
  value: FormBody[string] | undefined,
  errors: Record<string, string>,
): Promise<Uint8Array | undefined> {
  if (Array.isArray(value)) {
    errors.photo = 'Choose one photo only.';
    return undefined;
  }
  if (!(value instanceof File) || value.size === 0) return undefined;
  if (value.size > PHOTO_LIMITS.maxBytes) {
    errors.photo = PHOTO_TOO_LARGE;
    return undefined;
  }
  const bytes = new Uint8Array(await value.arrayBuffer());
  if (!detectImageType(bytes)) {
    errors.photo = PHOTO_WRONG_TYPE;
    return undefined;
  }
  return bytes;
}

/** A failure that belongs next to the photo field rather than on an error page. */
export function photoFieldError(error: unknown): string | undefined {
  if (error instanceof ValidationError && error.issues?.some((issue) => issue.path === 'photo')) {
    return error.issues.find((issue) => issue.path === 'photo')?.message;
  }
  if (error instanceof AppError && (error.status === 413 || error.status === 415)) {
    return error.message;
  }
  return undefined;
}
