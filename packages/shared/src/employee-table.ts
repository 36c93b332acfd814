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
  /**
   * Search hints share the byName index: a hint item's `listKey` is a search key (`p#<prefix>`,
   * `b#<badge>`, `l#<location>`) instead of `employee`, its `sortName` the employee's, so one
   * Query of that partition returns the matching employees in list order. Hints hold keys only;
   * a search reads the employees themselves and keeps those that still match.
   */
  search: {
    /** Name prefixes of 1 to this many characters are indexed; longer queries are checked. */
    prefixMax: 5,
    /** Words of a name beyond this many are not searchable (bounds the hints per employee). */
    wordsMax: 8,
    prefixTag: 'p#',
    badgeTag: 'b#',
    locationTag: 'l#',
    /** The employee a hint points at. */
    employeeIdAttribute: 'employeeId',
  },
} as const;

/** DynamoDB's limit on a sort key, in UTF-8 bytes. */
export const SORT_KEY_MAX_BYTES = 1024;

/** The case-folded name the sort key starts with. NFKC can multiply length (U+FDFA is 18 chars). */
export function foldedName(fullName: string): string {
  return fullName.normalize('NFKC').toLocaleLowerCase('en');
}

/** The index sort key: case-folded name, then the id so equal names still sort stably. */
export function sortNameFor(fullName: string, id: string): string {
  return `${foldedName(fullName)}#${id}`;
}

const utf8 = new TextEncoder();
export const utf8Bytes = (text: string) => utf8.encode(text).byteLength;

/** The folded name's byte budget: the sort key less `#` and a 36-character id. */
export const FOLDED_NAME_MAX_BYTES = SORT_KEY_MAX_BYTES - 37;
