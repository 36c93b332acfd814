import type { Employee } from '@empdir/shared';
import { LRUCache } from 'lru-cache';
import { BadgeIcon } from '../views/badge-icon.js';

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

interface CachedRow {
  /** The escaped name, for the photo's alt text. */
  readonly alt: string;
  /** Everything after the photo cell, closing the row. */
  readonly rest: string;
}

const NO_PHOTO = '<td class="photo"><span class="no-photo" aria-hidden="true"></span></td>';

/**
 * The rows of /everyone as HTML strings. A row depends only on the employee's version (and the
 * photo URL, added per view), so each is escaped and rendered once per version, not per view.
 */
export class EveryoneRows {
  readonly #rows: LRUCache<string, CachedRow>;

  constructor(maxRows = 20_000) {
    this.#rows = new LRUCache({ max: maxRows });
  }

  render(employee: Employee, photoUrl: string | undefined): string {
    const key = `${employee.id}:${employee.version}`;
    let row = this.#rows.get(key);
    if (!row) {
      row = renderRow(employee);
      this.#rows.set(key, row);
    }
    const photo = photoUrl
      ? `<td class="photo"><img width="50" loading="lazy" src="${escapeHtml(photoUrl)}" alt="${row.alt}"></td>`
      : NO_PHOTO;
    return `<tr>${photo}${row.rest}`;
  }
}

function renderRow(employee: Employee): CachedRow {
  const alt = escapeHtml(employee.fullName);
  const badges = employee.badges.map((badge) => String(BadgeIcon({ badge }))).join('');
  const rest =
    `<td><a href="/employee/${escapeHtml(employee.id)}">${alt}</a> ${badges}<br>` +
    `<small>${escapeHtml(employee.jobTitle)} · ${escapeHtml(employee.location)}</small></td></tr>`;
  return { alt, rest };
}
