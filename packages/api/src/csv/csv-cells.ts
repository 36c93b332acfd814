import type { Employee } from '@empdir/shared';

/** The export's columns, in order. The import reads the first four and `badges`, and ignores the rest. */
export const CSV_COLUMNS = [
  'id',
  'fullName',
  'jobTitle',
  'location',
  'badges',
  'hasPhoto',
  'version',
  'createdAt',
  'updatedAt',
] as const;

/** Columns the import takes from a file; `id` may be empty (a new employee). */
export const IMPORT_COLUMNS = ['id', 'fullName', 'jobTitle', 'location', 'badges'] as const;

/** Columns an export carries that the import accepts and ignores (the store owns them). */
export const READ_ONLY_COLUMNS = ['hasPhoto', 'version', 'createdAt', 'updatedAt'] as const;

// A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell as exported: formula starters get a leading `'` so spreadsheets show text. A cell that
 * already starts with `'` gets one more, so the import can undo exactly what the export did.
 */
export function protectCell(text: string): string {
  return FORMULA_START.test(text) || text.startsWith("'") ? `'${text}` : text;
}

/** The inverse of protectCell: one leading `'` before a formula starter or another `'` goes. */
export function unprotectCell(text: string): string {
  return text.startsWith("'") && (FORMULA_START.test(text.slice(1)) || text[1] === "'")
    ? text.slice(1)
    : text;
}

/** Badges as one cell: their keys, space-separated, in display order. */
export const badgesCell = (badges: readonly string[]) => badges.join(' ');

export function badgesFromCell(cell: string): string[] {
  return cell.split(/[\s,;]+/).filter(Boolean);
}

/** One employee as a CSV record, every cell protected. */
export function employeeRecord(employee: Employee): string[] {
  return [
    employee.id,
    employee.fullName,
    employee.jobTitle,
    employee.location,
    badgesCell(employee.badges),
    employee.photoKey ? 'yes' : 'no',
    String(employee.version),
    employee.createdAt,
    employee.updatedAt,
  ].map(protectCell);
}
