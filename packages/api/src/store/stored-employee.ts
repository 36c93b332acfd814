import { BADGE_KEYS, type BadgeKey, EMPLOYEE_LIMITS, type Employee } from '@empdir/shared';

// The common shapes the service itself writes (randomUUID, toISOString, newPhotoKey), each
// narrower than employeeSchema's rule for the field.
export const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
export const PHOTO_KEY = /^employee-pic\/[0-9a-f]{32}\.png$/;
const CONTROL = /\p{Cc}/u;
const BADGE_ORDER = new Map<unknown, number>(BADGE_KEYS.map((key, i) => [key, i]));

export function isText(value: unknown, max: number): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= max &&
    value.trim() === value &&
    !CONTROL.test(value)
  );
}

function isInstant(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_MS.test(value)) return false;
  // Days 01–28 exist in every month; only later ones need the calendar (no 31 February).
  if (value.charCodeAt(8) < 0x32 || (value[8] === '2' && value[9] !== '9')) return true;
  return new Date(Date.parse(value)).toISOString() === value;
}

/** Unique known badges already in display order: what badgeListSchema would leave unchanged. */
export function isBadgeList(value: unknown): value is BadgeKey[] {
  if (!Array.isArray(value) || value.length > BADGE_KEYS.length) return false;
  let previous = -1;
  for (const badge of value) {
    const at = BADGE_ORDER.get(badge);
    if (at === undefined || at <= previous) return false;
    previous = at;
  }
  return true;
}

/**
 * A stored item as an Employee without zod, when every field has exactly the shape the service
 * writes; undefined otherwise (the caller then lets employeeSchema decide and explain). Anything
 * accepted here employeeSchema also accepts, unchanged. Unknown attributes are dropped.
 */
export function storedEmployee(item: Record<string, unknown>): Employee | undefined {
  const { id, fullName, location, jobTitle, badges, photoKey, createdAt, updatedAt, version } =
    item;
  if (
    typeof id !== 'string' ||
    !ID.test(id) ||
    !isText(fullName, EMPLOYEE_LIMITS.fullName) ||
    !isText(location, EMPLOYEE_LIMITS.location) ||
    !isText(jobTitle, EMPLOYEE_LIMITS.jobTitle) ||
    !isBadgeList(badges) ||
    !(photoKey === undefined || (typeof photoKey === 'string' && PHOTO_KEY.test(photoKey))) ||
    !isInstant(createdAt) ||
    !isInstant(updatedAt) ||
    typeof version !== 'number' ||
    !Number.isSafeInteger(version) ||
    version < 1
  ) {
    return undefined;
  }
  // Fields in employeeSchema's order, so JSON answers look the same either way.
  return photoKey === undefined
    ? { id, fullName, location, jobTitle, badges: [...badges], createdAt, updatedAt, version }
    : {
        id,
        fullName,
        location,
        jobTitle,
        badges: [...badges],
        photoKey,
        createdAt,
        updatedAt,
        version,
      };
}
