import { BADGE_KEYS, EMPLOYEE_LIMITS, foldForSearch, type SearchCriteria } from '@empdir/shared';
import { z } from 'zod';

const searchText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: `${label} must be 1–${max} characters`, abort: true })
    .max(max, { error: `${label} must be 1–${max} characters`, abort: true })
    // Only letters and digits are compared, so text without any could match nothing sensibly.
    .refine((value) => foldForSearch(value) !== '', {
      error: `${label} must contain a letter or digit`,
    });

/** The search parameters of GET /api/employees and GET /; all optional, all combinable. */
export const searchQueryFields = {
  q: searchText('q', 100)
    .optional()
    .describe('Names, or any word of them, starting with this (case and accents ignored)'),
  badge: z
    .enum(BADGE_KEYS, { error: `badge must be one of: ${BADGE_KEYS.join(', ')}` })
    .optional()
    .describe('Only employees with this badge'),
  location: searchText('location', EMPLOYEE_LIMITS.location)
    .optional()
    .describe('Only employees at this location (case and accents ignored)'),
};

/** The criteria asked for, or undefined when the request is a plain list. */
export function criteriaOf(query: SearchCriteria): SearchCriteria | undefined {
  const { q, badge, location } = query;
  if (q === undefined && badge === undefined && location === undefined) return undefined;
  return {
    ...(q === undefined ? {} : { q }),
    ...(badge === undefined ? {} : { badge }),
    ...(location === undefined ? {} : { location }),
  };
}
