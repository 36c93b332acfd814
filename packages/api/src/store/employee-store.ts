import type { BadgeKey, Employee, SearchCriteria } from '@empdir/shared';
import type { DirectoryPage } from './directory-rows.js';

/** Fields an update may set; `photoKey: null` removes the photo. */
export interface EmployeeChanges {
  readonly fullName?: string;
  readonly location?: string;
  readonly jobTitle?: string;
  readonly badges?: readonly BadgeKey[];
  readonly photoKey?: string | null;
}

export interface WriteOptions {
  /** Write only if the stored version is this one; otherwise VersionConflictError. */
  readonly expectedVersion?: number;
}

export interface StoredPage {
  readonly items: readonly Employee[];
  readonly nextCursor?: string;
}

/** A search: at least one criterion, and a page like the list's. */
export interface SearchQuery extends SearchCriteria {
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * Where employees live. Implementations throw NotFoundError, VersionConflictError,
 * BadRequestError (bad cursor) or UpstreamError, nothing else.
 */
export interface EmployeeStore {
  /** One page sorted by name (case-folded), then id. `cursor` is one a previous page returned. */
  list(query: { readonly limit: number; readonly cursor?: string }): Promise<StoredPage>;
  /**
   * One page of the employees meeting every criterion, in list order, with the list's cursors.
   * A page may hold fewer than `limit` items and still have a `nextCursor`.
   */
  search(query: SearchQuery): Promise<StoredPage>;
  /** Every employee as /everyone rows, page by page in list order; invalid items are skipped. */
  directory(): AsyncIterable<DirectoryPage>;
  get(id: string): Promise<Employee | undefined>;
  /** Fails with VersionConflictError if the id already exists. */
  create(employee: Employee): Promise<void>;
  /** Applies changes to an existing item, bumping its version; returns it before and after. */
  update(
    id: string,
    changes: EmployeeChanges,
    options: WriteOptions & { readonly updatedAt: string },
  ): Promise<{ before: Employee; after: Employee }>;
  /** Deletes an existing item and returns what was deleted. */
  remove(id: string, options?: WriteOptions): Promise<Employee>;
  /** Resolves when the table is reachable; throws UpstreamError otherwise. */
  checkReady(): Promise<void>;
}

/** The item after `changes`: what DynamoDB's UpdateItem produces, computed for both stores. */
export function applyChanges(
  before: Employee,
  changes: EmployeeChanges,
  updatedAt: string,
): Employee {
  const { photoKey, ...fields } = changes;
  const after: Employee = { ...before, updatedAt, version: before.version + 1 };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) Object.assign(after, { [key]: key === 'badges' ? [...value] : value });
  }
  if (photoKey === null) delete after.photoKey;
  else if (photoKey !== undefined) after.photoKey = photoKey;
  return after;
}
