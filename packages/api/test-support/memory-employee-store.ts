import { type Employee, matchesSearch, searchPartition, sortNameFor } from '@empdir/shared';
import {
  ConflictError,
  NotFoundError,
  UpstreamError,
  VersionConflictError,
} from '../src/errors.js';
import { decodeCursor, encodeCursor } from '../src/store/cursor.js';
import type { DirectoryPage } from '../src/store/directory-rows.js';
import {
  applyChanges,
  type EmployeeChanges,
  type EmployeeStore,
  type SearchQuery,
  type StoredPage,
  type WriteOptions,
} from '../src/store/employee-store.js';

// DynamoDB orders string sort keys by their UTF-8 bytes; so does this fake.
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Rows per directory() page here; DynamoDB's pages are whatever fits in 1 MB. */
export const DIRECTORY_PAGE_SIZE = 250;

/** An in-memory EmployeeStore with the DynamoDB store's semantics, for unit tests. */
export class MemoryEmployeeStore implements EmployeeStore {
  readonly items = new Map<string, Employee>();
  /** Operation names, in order, so tests can say "no Scan", "one Query per page". */
  readonly calls: string[] = [];
  /** When set, every call fails as if DynamoDB were unreachable. */
  unavailable = false;

  async list(query: { limit: number; cursor?: string }): Promise<StoredPage> {
    this.#enter('list');
    return this.#page(query, () => true);
  }

  async search(query: SearchQuery): Promise<StoredPage> {
    this.#enter('search');
    // Throws as the DynamoDB store does when no criterion has a letter or digit.
    searchPartition(query);
    return this.#page(query, (employee) => matchesSearch(employee, query));
  }

  #page(
    query: { limit: number; cursor?: string },
    wanted: (employee: Employee) => boolean,
  ): StoredPage {
    const start = query.cursor ? decodeCursor(query.cursor) : undefined;
    const sorted = [...this.items.values()]
      .filter(wanted)
      .map((employee) => ({ employee, key: sortNameFor(employee.fullName, employee.id) }))
      .sort((a, b) => byBytes(a.key, b.key))
      .filter((entry) => !start || byBytes(entry.key, start.sortName) > 0);
    const page = sorted.slice(0, query.limit);
    const last = page.at(-1);
    const items = page.map((entry) => structuredClone(entry.employee));
    return sorted.length > query.limit && last
      ? { items, nextCursor: encodeCursor({ sortName: last.key, id: last.employee.id }) }
      : { items };
  }

  /** Pages of `pageSize` in list order; nothing here is ever malformed, so none is skipped. */
  async *directory(pageSize = DIRECTORY_PAGE_SIZE): AsyncGenerator<DirectoryPage> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ limit: pageSize, cursor });
      yield { rows: page.items, skipped: [] };
      cursor = page.nextCursor;
    } while (cursor);
  }

  async get(id: string): Promise<Employee | undefined> {
    this.#enter('get');
    const found = this.items.get(id);
    return found && structuredClone(found);
  }

  async create(employee: Employee): Promise<void> {
    this.#enter('create');
    if (this.items.has(employee.id)) throw new ConflictError('An employee with this id exists.');
    this.items.set(employee.id, structuredClone(employee));
  }

  async update(
    id: string,
    changes: EmployeeChanges,
    options: WriteOptions & { updatedAt: string },
  ): Promise<{ before: Employee; after: Employee }> {
    this.#enter('update');
    const before = this.#current(id, options.expectedVersion);
    const after = applyChanges(before, changes, options.updatedAt);
    this.items.set(id, after);
    return { before: structuredClone(before), after: structuredClone(after) };
  }

  async remove(id: string, options: WriteOptions = {}): Promise<Employee> {
    this.#enter('remove');
    const before = this.#current(id, options.expectedVersion);
    this.items.delete(id);
    return before;
  }

  async checkReady(): Promise<void> {
    this.#enter('checkReady');
  }

  #current(id: string, expectedVersion: number | undefined): Employee {
    const current = this.items.get(id);
    if (!current) throw new NotFoundError();
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw new VersionConflictError(current.version);
    }
    return current;
  }

  #enter(operation: string): void {
    this.calls.push(operation);
    if (this.unavailable) {
      const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
        code: 'ECONNREFUSED',
      });
      throw new UpstreamError('dynamodb', 'unavailable', cause);
    }
  }
}
