/**
 * The Employees table's key schema, in one place for the API, the local stack and the templates.
 * Items are keyed by `id`; the `byName` index lists every employee sorted by name, so a page of
 * the directory is one Query rather than a Scan.
 */
export const EMPLOYEE_TABLE = {
  partitionKey: 'id',
  byNameIndex: {
    name: 'byName',
    partitionKey: 'listKey',
    sortKey: 'sortName',
    /** Every item carries this constant in `listKey`, so all of them share the index's one partition. */
    listKeyValue: 'employee',
  },
} as const;

/** The index sort key: case-folded name, then the id so equal names still sort stably. */
export function sortNameFor(fullName: string, id: string): string {
  return `${fullName.normalize('NFKC').toLocaleLowerCase('en')}#${id}`;
}
