import { type Employee, newEmployeeId } from '@empdir/shared';
import type { EmployeeStore } from '../store/employee-store.js';
import type { ImportRow } from './csv-import.js';

export interface ImportSummary {
  readonly rows: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

const WRITERS = 4;

const sameFields = (a: Employee, b: ImportRow['fields']) =>
  a.fullName === b.fullName &&
  a.jobTitle === b.jobTitle &&
  a.location === b.location &&
  a.badges.length === b.badges.length &&
  a.badges.every((badge, i) => badge === b.badges[i]);

/**
 * Writes validated rows, idempotently by id: a row whose employee already has these fields is
 * left alone (no write, no version bump); an unknown id is created with that id; no id is a new
 * employee. Photos are never touched.
 */
export async function applyImport(
  rows: readonly ImportRow[],
  deps: { readonly employees: EmployeeStore; readonly now: () => number },
): Promise<ImportSummary> {
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  const at = () => new Date(deps.now()).toISOString();
  async function write(row: ImportRow): Promise<void> {
    const existing = row.id ? await deps.employees.get(row.id) : undefined;
    if (existing && sameFields(existing, row.fields)) {
      unchanged += 1;
    } else if (existing) {
      await deps.employees.update(existing.id, row.fields, {
        expectedVersion: existing.version,
        updatedAt: at(),
      });
      updated += 1;
    } else {
      const now = at();
      await deps.employees.create({
        id: row.id ?? newEmployeeId(),
        ...row.fields,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      created += 1;
    }
  }
  let next = 0;
  async function writer() {
    while (next < rows.length) await write(rows[next++] as ImportRow);
  }
  await Promise.all(Array.from({ length: Math.min(WRITERS, rows.length) }, writer));
  return { rows: rows.length, created, updated, unchanged };
}
