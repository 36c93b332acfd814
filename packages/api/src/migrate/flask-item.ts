import { createHash } from 'node:crypto';
import {
  BADGE_KEYS,
  type BadgeKey,
  EMPLOYEE_LIMITS,
  type Employee,
  employeeIdSchema,
  PHOTO_KEY_PREFIX,
} from '@empdir/shared';

/** Why an old item was not copied; stable words for the summary. */
export type SkipReason = 'id is not a UUID' | 'no full name';

/** Something changed on the way so the item fits the new schema; counted in the summary. */
export type Adjustment =
  | 'unknown badge dropped'
  | 'missing job title set to "Unknown"'
  | 'missing location set to "Unknown"'
  | 'text shortened or cleaned';

export type MappedItem =
  | { readonly kind: 'skip'; readonly id: string; readonly reason: SkipReason }
  | {
      readonly kind: 'employee';
      /** The employee without photoKey, createdAt and updatedAt, which the migration fills in. */
      readonly fields: Pick<Employee, 'id' | 'fullName' | 'jobTitle' | 'location' | 'badges'>;
      /** The old object key (`employee_pic/<hex>.png`), when the item had one. */
      readonly oldPhotoKey: string | undefined;
      readonly adjustments: readonly Adjustment[];
    };

export const UNKNOWN_TEXT = 'Unknown';
const CONTROL = /\p{Cc}+/gu;
const badgeSet = new Set<string>(BADGE_KEYS);

/** Trimmed, control characters turned into spaces, cut to the new limit; undefined when blank. */
function cleanText(value: unknown, max: number): { text?: string; changed: boolean } {
  if (typeof value !== 'string') return { changed: false };
  const text = value.replace(CONTROL, ' ').trim().slice(0, max).trim();
  return text ? { text, changed: text !== value } : { changed: false };
}

/** The old `badges`: a list (or a string set) of Font Awesome keys, absent when empty. */
function badgesOf(value: unknown): { badges: BadgeKey[]; dropped: boolean } {
  const raw = value instanceof Set ? [...value] : Array.isArray(value) ? value : [];
  const keys = raw.filter((key): key is BadgeKey => typeof key === 'string' && badgeSet.has(key));
  return {
    badges: BADGE_KEYS.filter((key) => keys.includes(key)),
    dropped: keys.length !== raw.length,
  };
}

/**
 * One item of the Flask sample's table in the new schema. Ids are kept, so an id that is not a
 * UUID (the original never checked) cannot be served by the new API and is skipped.
 */
export function mapFlaskItem(item: Record<string, unknown>): MappedItem {
  const id = typeof item.id === 'string' ? item.id : String(item.id);
  if (!employeeIdSchema.safeParse(id).success) {
    return { kind: 'skip', id, reason: 'id is not a UUID' };
  }
  const adjustments: Adjustment[] = [];
  const fullName = cleanText(item.full_name, EMPLOYEE_LIMITS.fullName);
  if (!fullName.text) return { kind: 'skip', id, reason: 'no full name' };
  const jobTitle = cleanText(item.job_title, EMPLOYEE_LIMITS.jobTitle);
  const location = cleanText(item.location, EMPLOYEE_LIMITS.location);
  if (!jobTitle.text) adjustments.push('missing job title set to "Unknown"');
  if (!location.text) adjustments.push('missing location set to "Unknown"');
  if (fullName.changed || jobTitle.changed || location.changed) {
    adjustments.push('text shortened or cleaned');
  }
  const { badges, dropped } = badgesOf(item.badges);
  if (dropped) adjustments.push('unknown badge dropped');
  const oldPhotoKey =
    typeof item.object_key === 'string' && item.object_key !== '' ? item.object_key : undefined;
  return {
    kind: 'employee',
    fields: {
      id,
      fullName: fullName.text,
      jobTitle: jobTitle.text ?? UNKNOWN_TEXT,
      location: location.text ?? UNKNOWN_TEXT,
      badges,
    },
    oldPhotoKey,
    adjustments,
  };
}

/**
 * The new key for an old photo, derived from the id and the old key: a run that uploaded the
 * photo but died before writing the item overwrites the same object next time, never a second one.
 */
export function migratedPhotoKey(id: string, oldPhotoKey: string): string {
  const hex = createHash('sha256').update(`flask-migration\n${id}\n${oldPhotoKey}`).digest('hex');
  return `${PHOTO_KEY_PREFIX}${hex.slice(0, 32)}.png`;
}
