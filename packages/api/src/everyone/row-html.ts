import { BADGE_KEYS, BADGES, type BadgeKey } from '@empdir/shared';
import { LRUCache } from 'lru-cache';
import type { DirectoryRow } from '../store/directory-rows.js';
import { BADGE_PATHS } from '../views/badge-icon.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside an element or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string) : text;
}

/**
 * The badge icons once per page, as SVG symbols the rows point at: a thousand rows of inline
 * paths would be most of the page's bytes.
 */
export const BADGE_SPRITE = `<svg width="0" height="0" aria-hidden="true" focusable="false">${BADGE_KEYS.map(
  (key) =>
    `<symbol id="badge-${key}" viewBox="0 0 16 16"><path fill="currentColor" d="${BADGE_PATHS[key]}"/></symbol>`,
).join('')}</svg>`;

const BADGE_USE = new Map<BadgeKey, string>(
  BADGE_KEYS.map((key) => [
    key,
    `<i class="fa fa-${key}" title="${BADGES[key]}" role="img" aria-label="${BADGES[key]}">` +
      `<svg width="16" height="16" aria-hidden="true" focusable="false"><use href="#badge-${key}"/></svg></i>`,
  ]),
);

interface CachedRow {
  /** `<tr>` up to the photo's src, with the escaped name as alt. */
  readonly photoOpen: Buffer;
  /** From the end of the photo cell to `</tr>`. */
  readonly rest: Buffer;
}

const PHOTO_CLOSE = Buffer.from('"></td>');
const NO_PHOTO = Buffer.from(
  '<tr><td class="photo"><span class="no-photo" aria-hidden="true"></span></td>',
);

/**
 * The rows of /everyone as UTF-8 bytes. A row depends only on the employee's version (and the
 * photo URL, added per view), so each is escaped, rendered and encoded once per version, and a
 * view is mostly copying bytes.
 */
export class EveryoneRows {
  readonly #rows: LRUCache<string, CachedRow>;
  readonly #urls: LRUCache<string, Buffer>;

  constructor(maxRows = 20_000) {
    this.#rows = new LRUCache({ max: maxRows });
    this.#urls = new LRUCache({ max: maxRows });
  }

  /** The row's pieces, in order, for Buffer.concat. */
  render(employee: DirectoryRow, photoUrl: string | undefined): Buffer[] {
    const key = `${employee.id}:${employee.version}`;
    let row = this.#rows.get(key);
    if (!row) {
      row = renderRow(employee);
      this.#rows.set(key, row);
    }
    if (!photoUrl) return [NO_PHOTO, row.rest];
    let url = this.#urls.get(photoUrl);
    if (!url) {
      url = Buffer.from(escapeHtml(photoUrl));
      this.#urls.set(photoUrl, url);
    }
    return [row.photoOpen, url, PHOTO_CLOSE, row.rest];
  }
}

function renderRow(employee: DirectoryRow): CachedRow {
  const name = escapeHtml(employee.fullName);
  const badges = employee.badges.map((badge) => BADGE_USE.get(badge) ?? '').join('');
  return {
    photoOpen: Buffer.from(
      `<tr><td class="photo"><img width="50" loading="lazy" alt="${name}" src="`,
    ),
    rest: Buffer.from(
      `<td><a href="/employee/${escapeHtml(employee.id)}">${name}</a> ${badges}<br>` +
        `<small>${escapeHtml(employee.jobTitle)} · ${escapeHtml(employee.location)}</small></td></tr>\n`,
    ),
  };
}
