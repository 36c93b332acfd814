import { z } from 'zod';

/** The 12 badges of the original sample: Font Awesome 4 icon key → label. Order is display order. */
export const BADGES = {
  apple: 'Mac User',
  windows: 'Windows User',
  linux: 'Linux User',
  'video-camera': 'Digital Content Star',
  trophy: 'Employee of the Month',
  camera: 'Photographer',
  plane: 'Frequent Flier',
  paperclip: 'Paperclip Aficionado',
  coffee: 'Coffee Snob',
  gamepad: 'Gamer',
  bug: 'Bugfixer',
  umbrella: 'Seattle Fan',
} as const;

/** A badge key; only the fixed list is accepted. */
export type BadgeKey = keyof typeof BADGES;

export const BADGE_KEYS = Object.keys(BADGES) as [BadgeKey, ...BadgeKey[]];

export const badgeKeySchema = z.enum(BADGE_KEYS, {
  error: (issue) =>
    `unknown badge "${String(issue.input)}"; expected one of: ${BADGE_KEYS.join(', ')}`,
});

/** Badges as stored: unique, in the fixed display order whatever order they were given in. */
export const badgeListSchema = z
  .array(badgeKeySchema)
  .max(BADGE_KEYS.length)
  .transform((keys) => BADGE_KEYS.filter((key) => keys.includes(key)));
