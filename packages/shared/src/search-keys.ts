import { BADGE_KEYS, type BadgeKey } from './badges.js';
import { EMPLOYEE_TABLE } from './employee-table.js';

const { search } = EMPLOYEE_TABLE;

// Letters NFKD leaves whole but a reader of names treats as their plain counterparts.
const PLAIN_LETTERS: Readonly<Record<string, string>> = {
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ħ: 'h',
  ı: 'i',
};
const MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const PLAIN = new RegExp(`[${Object.keys(PLAIN_LETTERS).join('')}]`, 'gu');

/**
 * Text as search compares it: compatibility-decomposed (NFKD), combining marks dropped,
 * case-folded (ß → ss), anything but letters and digits turned into single spaces, trimmed.
 * "Zoë O'Brien-Łukasz" → "zoe o brien lukasz".
 */
export function foldForSearch(text: string): string {
  const bare = text.normalize('NFKD').replace(MARKS, '');
  // Upper then lower approximates full case folding (ß → SS → ss); it can add marks (ǰ → J̌).
  return bare
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKD')
    .replace(MARKS, '')
    .replace(PLAIN, (letter) => PLAIN_LETTERS[letter] ?? letter)
    .replace(NOT_WORD, ' ')
    .trim();
}

/** The words of a name that search indexes: folded, at most `search.wordsMax` of them. */
export function searchWords(fullName: string): string[] {
  const folded = foldForSearch(fullName);
  return folded ? folded.split(' ').slice(0, search.wordsMax) : [];
}

/** What a search asks for; every given criterion must hold. */
export interface SearchCriteria {
  /** Matches a name that starts with it, or any of whose words does (after folding). */
  readonly q?: string;
  readonly badge?: BadgeKey;
  /** Matches a location equal to it after folding. */
  readonly location?: string;
}

const codePoints = (text: string) => Array.from(text);

/**
 * The index partitions an employee belongs to: `p#<prefix>` for every prefix (1 to
 * `search.prefixMax` characters) of every indexed word of the name, `b#<badge>` per badge and
 * `l#<location>`. Each partition holds one hint item per employee, however many words share it.
 */
export function searchKeysFor(employee: {
  readonly fullName: string;
  readonly badges: readonly string[];
  readonly location: string;
}): string[] {
  const keys = new Set<string>();
  for (const word of searchWords(employee.fullName)) {
    const chars = codePoints(word);
    for (let n = 1; n <= Math.min(chars.length, search.prefixMax); n++) {
      keys.add(`${search.prefixTag}${chars.slice(0, n).join('')}`);
    }
  }
  for (const badge of employee.badges) keys.add(`${search.badgeTag}${badge}`);
  const location = foldForSearch(employee.location);
  if (location) keys.add(`${search.locationTag}${location}`);
  return [...keys];
}

/** The table key of the hint item that puts one employee (by its sort name) in one partition. */
export function searchHintId(searchKey: string, sortName: string): string {
  // Neither part of a search key can contain '#' after its tag, so the id splits one way only.
  return `${searchKey}#${sortName}`;
}

/**
 * Which partition a search reads, and whether every hint there already matches (`exact`) or each
 * must also be checked against the criteria. A name prefix of two or more characters is usually
 * the most selective, then a location, then a one-character prefix, then a badge.
 */
export function searchPartition(criteria: SearchCriteria): { key: string; exact: boolean } {
  const words = criteria.q ? foldForSearch(criteria.q).split(' ').filter(Boolean) : [];
  const longest = words.reduce(
    (best, word) => (codePoints(word).length > codePoints(best).length ? word : best),
    '',
  );
  const prefix = codePoints(longest).slice(0, search.prefixMax).join('');
  const location = criteria.location === undefined ? '' : foldForSearch(criteria.location);
  const filters = (criteria.badge ? 1 : 0) + (location ? 1 : 0) + (words.length ? 1 : 0);
  const prefixIsWhole = words.length === 1 && codePoints(longest).length <= search.prefixMax;
  const choose = (key: string, wholly: boolean) => ({ key, exact: wholly && filters === 1 });
  if (prefix && (codePoints(prefix).length >= 2 || !location)) {
    return choose(`${search.prefixTag}${prefix}`, prefixIsWhole);
  }
  if (location) return choose(`${search.locationTag}${location}`, true);
  if (criteria.badge) return choose(`${search.badgeTag}${criteria.badge}`, true);
  throw new RangeError('a search needs q, badge or location with a letter or digit');
}

/** Whether an employee meets every criterion; the truth both stores check hints against. */
export function matchesSearch(
  employee: {
    readonly fullName: string;
    readonly badges: readonly string[];
    readonly location: string;
  },
  criteria: SearchCriteria,
): boolean {
  if (criteria.badge && !employee.badges.includes(criteria.badge)) return false;
  if (
    criteria.location !== undefined &&
    foldForSearch(employee.location) !== foldForSearch(criteria.location)
  ) {
    return false;
  }
  if (criteria.q !== undefined) {
    const q = foldForSearch(criteria.q);
    // A leading space on both sides: the query must start at the start of a word.
    if (!q || !` ${searchWords(employee.fullName).join(' ')}`.includes(` ${q}`)) return false;
  }
  return true;
}

/** Whether a badge key is one of the fixed list (for query-string validation). */
export const isBadgeKey = (value: string): value is BadgeKey =>
  (BADGE_KEYS as readonly string[]).includes(value);
