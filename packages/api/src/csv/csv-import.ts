import { Readable } from 'node:stream';
import {
  type EmployeeCreate,
  type ErrorIssue,
  employeeCreateSchema,
  employeeIdSchema,
} from '@empdir/shared';
import { CsvError, parse } from 'csv-parse';
import { BadRequestError, PayloadTooLargeError, ValidationError } from '../errors.js';
import { badgesFromCell, IMPORT_COLUMNS, READ_ONLY_COLUMNS, unprotectCell } from './csv-cells.js';

export const IMPORT_LIMITS = {
  /** Data rows per file: validation holds every accepted row until the write phase. */
  rows: 10_000,
  /** Issues listed in a 400; the message says how many rows had errors in all. */
  listedIssues: 50,
  /** Characters in one record; a longer one is a broken file, not an employee. */
  recordChars: 16 * 1024,
} as const;

/** One valid row: its number in the file (the header is row 1), its id if any, its fields. */
export interface ImportRow {
  readonly row: number;
  readonly id: string | undefined;
  readonly fields: EmployeeCreate;
}

const KNOWN = new Set<string>([...IMPORT_COLUMNS, ...READ_ONLY_COLUMNS]);
const REQUIRED = ['fullName', 'jobTitle', 'location'] as const;

function headerIssues(header: readonly string[]): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  header.forEach((name, i) => {
    if (!KNOWN.has(name)) {
      issues.push({ path: 'row 1', message: `unknown column "${name}" (column ${i + 1})` });
    } else if (header.indexOf(name) !== i) {
      issues.push({ path: 'row 1', message: `column "${name}" appears twice` });
    }
  });
  for (const name of REQUIRED) {
    if (!header.includes(name)) issues.push({ path: 'row 1', message: `missing column "${name}"` });
  }
  return issues;
}

/**
 * Reads a CSV body as it streams in and validates every row; returns the rows only when all of
 * them are valid, else throws one 400 listing the first problems with their row numbers.
 */
export async function readImport(body: ReadableStream<Uint8Array> | null): Promise<ImportRow[]> {
  if (!body) throw new BadRequestError('Send the CSV file as the request body.');
  const parser = Readable.fromWeb(body as import('node:stream/web').ReadableStream).pipe(
    parse({ bom: true, skip_empty_lines: true, max_record_size: IMPORT_LIMITS.recordChars }),
  );
  const rows: ImportRow[] = [];
  const issues: ErrorIssue[] = [];
  const seenIds = new Map<string, number>();
  let badRows = 0;
  let header: string[] | undefined;
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row += 1;
      if (!header) {
        header = record.map((name) => name.trim());
        const problems = headerIssues(header);
        if (problems.length > 0) throw new ValidationError(problems, 'The header row is wrong.');
        continue;
      }
      if (row - 1 > IMPORT_LIMITS.rows) {
        throw new PayloadTooLargeError(`A file may hold at most ${IMPORT_LIMITS.rows} rows.`);
      }
      const cells = Object.fromEntries(
        header.map((name, i) => [name, unprotectCell(record[i] ?? '')]),
      );
      const rowIssues: ErrorIssue[] = [];
      const id = cells.id?.trim() || undefined;
      if (id !== undefined) {
        if (!employeeIdSchema.safeParse(id).success) {
          rowIssues.push({ path: `row ${row}.id`, message: 'employee id must be a UUID' });
        } else if (seenIds.has(id)) {
          rowIssues.push({ path: `row ${row}.id`, message: `same id as row ${seenIds.get(id)}` });
        } else seenIds.set(id, row);
      }
      const parsed = employeeCreateSchema.safeParse({
        fullName: cells.fullName,
        jobTitle: cells.jobTitle,
        location: cells.location,
        badges: badgesFromCell(cells.badges ?? ''),
      });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          rowIssues.push({ path: `row ${row}.${issue.path.join('.')}`, message: issue.message });
        }
      }
      if (rowIssues.length > 0 || !parsed.success) {
        badRows += 1;
        issues.push(...rowIssues.slice(0, IMPORT_LIMITS.listedIssues - issues.length));
      } else if (badRows === 0) rows.push({ row, id, fields: parsed.data });
    }
  } catch (error) {
    parser.destroy();
    if (error instanceof CsvError) {
      const at = (error as CsvError & { lines?: number }).lines;
      throw new BadRequestError('The file is not valid CSV.', [
        { path: at ? `line ${at}` : 'file', message: error.message },
      ]);
    }
    throw error;
  }
  if (!header) throw new BadRequestError('The file is empty: the first row must name the columns.');
  if (badRows > 0) {
    throw new ValidationError(
      issues,
      `${badRows} of ${row - 1} rows have errors; nothing was written.` +
        (issues.length >= IMPORT_LIMITS.listedIssues
          ? ` The first ${IMPORT_LIMITS.listedIssues} problems are listed.`
          : ''),
    );
  }
  return rows;
}
