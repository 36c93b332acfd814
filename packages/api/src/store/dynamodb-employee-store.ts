import { isDeepStrictEqual } from 'node:util';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { EMPLOYEE_TABLE, type Employee } from '@empdir/shared';
import type { Logger } from 'pino';
import { ConflictError, NotFoundError, VersionConflictError } from '../errors.js';
import { toUpstreamError } from './aws-errors.js';
import { decodeCursor } from './cursor.js';
import { type DirectoryPage, directoryPages } from './directory-rows.js';
import { searchEmployees } from './dynamodb-search.js';
import { cursorAfter, fromItem, toItem } from './employee-item.js';
import {
  applyChanges,
  type EmployeeChanges,
  type EmployeeStore,
  type SearchQuery,
  type StoredPage,
  type WriteOptions,
} from './employee-store.js';
import { afterRetry, holdsOurWrite } from './retried-write.js';
import { SearchHintWriter, touchesSearch } from './search-hints.js';
import { updateExpressionFor } from './update-expression.js';

const index = EMPLOYEE_TABLE.byNameIndex;

/** A refused write with the item read to explain it, so a retry loop need not read it again. */
class StaleVersionError extends VersionConflictError {
  constructor(readonly current: Employee) {
    super(current.version);
  }
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** Employees in one DynamoDB table, listed through the byName index (never a Scan). */
export class DynamoDbEmployeeStore implements EmployeeStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #hints: SearchHintWriter;

  readonly #reported = new Set<string>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly logger?: Logger,
  ) {
    this.#doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.#hints = new SearchHintWriter(this.#doc, tableName, (send) => this.#call(send));
  }

  search(query: SearchQuery): Promise<StoredPage> {
    return searchEmployees(this.#doc, this.tableName, (send) => this.#call(send), query);
  }

  async list(query: { limit: number; cursor?: string }): Promise<StoredPage> {
    const start = query.cursor ? decodeCursor(query.cursor) : undefined;
    const out = await this.#call(() =>
      this.#doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#listKey = :listKey',
          ExpressionAttributeNames: { '#listKey': index.partitionKey },
          ExpressionAttributeValues: { ':listKey': index.listKeyValue },
          // One extra item tells us whether a next page exists, so the last page has no Next link.
          Limit: query.limit + 1,
          ExclusiveStartKey: start && {
            [EMPLOYEE_TABLE.partitionKey]: start.id,
            [index.partitionKey]: index.listKeyValue,
            [index.sortKey]: start.sortName,
          },
        }),
      ),
    );
    const raw = out.Items ?? [];
    const page = raw.slice(0, query.limit);
    const more = raw.length > query.limit || out.LastEvaluatedKey !== undefined;
    const last = page.at(-1);
    const items = page.flatMap((item) => this.#readable(item));
    return more && last ? { items, nextCursor: cursorAfter(last) } : { items };
  }

  async *directory(): AsyncGenerator<DirectoryPage> {
    const pages = directoryPages(this.client, this.tableName);
    while (true) {
      const next = await this.#call(() => pages.next());
      if (next.done) return;
      yield next.value;
    }
  }

  async get(id: string): Promise<Employee | undefined> {
    const out = await this.#call(() =>
      this.#doc.send(
        new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }),
      ),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async create(employee: Employee): Promise<void> {
    // Hints first: an employee is never findable by its item yet missing from search.
    await this.#hints.putNew(employee);
    try {
      await this.#call(() =>
        this.#doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: toItem(employee),
            ConditionExpression: 'attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': EMPLOYEE_TABLE.partitionKey },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A retry that finds our own item means the first attempt was applied and its answer lost.
      const current = afterRetry(error) ? await this.get(employee.id) : undefined;
      if (current && isDeepStrictEqual(toItem(current), toItem(employee))) return;
      throw new ConflictError('An employee with this id exists.');
    }
  }

  async update(
    id: string,
    changes: EmployeeChanges,
    options: WriteOptions & { updatedAt: string },
  ): Promise<{ before: Employee; after: Employee }> {
    // With If-Match and no hint to change, the version is known: the write alone, no read.
    if (options.expectedVersion !== undefined && !touchesSearch(changes)) {
      return this.#update(id, changes, options);
    }
    // The hints depend on the item before, and a write pinned to the version read is one an SDK
    // retry can recognise as ours (an unpinned one would apply twice): read, then write on it.
    return this.#onVersionRead(id, options.expectedVersion, async (current, expected) => {
      const after = applyChanges(current, changes, options.updatedAt);
      await this.#hints.putNew(after, current);
      const result = await this.#update(
        id,
        changes,
        { ...options, expectedVersion: expected },
        current,
      );
      await this.#dropStaleHints(result.before, result.after.version, result.after);
      return result;
    });
  }

  /**
   * Reads the item and runs `write` pinned to its version (If-Match's, when given, must match).
   * A `write` refused because someone else wrote in between throws VersionConflictError; without
   * If-Match the newer version is written on instead, up to 3 attempts.
   */
  async #onVersionRead<T>(
    id: string,
    expectedVersion: number | undefined,
    write: (current: Employee, expected: number) => Promise<T>,
  ): Promise<T> {
    let current = await this.get(id);
    for (let attempt = 1; ; attempt++) {
      if (!current) throw new NotFoundError();
      const expected = expectedVersion ?? current.version;
      if (expected !== current.version) throw new VersionConflictError(current.version);
      try {
        return await write(current, expected);
      } catch (error) {
        const again = expectedVersion === undefined && attempt < 3;
        if (!(error instanceof VersionConflictError && again)) throw error;
        current = error instanceof StaleVersionError ? error.current : await this.get(id);
      }
    }
  }

  async #update(
    id: string,
    changes: EmployeeChanges,
    options: WriteOptions & { updatedAt: string },
    knownBefore?: Employee,
  ): Promise<{ before: Employee; after: Employee }> {
    try {
      const out = await this.#call(() =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id },
            ...updateExpressionFor(id, changes, options.updatedAt, options.expectedVersion),
            // The old item tells us which photo object the update orphaned.
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      if (!out.Attributes) throw new NotFoundError();
      const before = fromItem(out.Attributes);
      return { before, after: applyChanges(before, changes, options.updatedAt) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // One read tells a conflict from a missing item, and our own retried write from both.
      const current = await this.get(id);
      if (!current) throw new NotFoundError();
      const expected = options.expectedVersion;
      // The retry failed on the version our own lost-response attempt bumped.
      if (
        expected !== undefined &&
        afterRetry(error) &&
        holdsOurWrite(current, changes, expected, options.updatedAt)
      ) {
        // The old item was in the lost response: without it, its photo stays (an orphan, never a guess).
        const before = knownBefore ?? { ...current, version: expected, photoKey: undefined };
        return { before, after: current };
      }
      throw new StaleVersionError(current);
    }
  }

  async remove(id: string, options: WriteOptions = {}): Promise<Employee> {
    // Read first: the delete is pinned to the version read, so a retry that finds the item gone
    // knows it was ours, and the caller learns the photo and hints to drop.
    return this.#onVersionRead(id, options.expectedVersion, async (current, expected) => {
      let removed: Employee;
      try {
        const out = await this.#call(() =>
          this.#doc.send(
            new DeleteCommand({
              TableName: this.tableName,
              Key: { id },
              ConditionExpression: 'attribute_exists(#id) AND #version = :expected',
              ExpressionAttributeNames: { '#id': 'id', '#version': 'version' },
              ExpressionAttributeValues: { ':expected': expected },
              ReturnValues: 'ALL_OLD',
            }),
          ),
        );
        removed = out.Attributes ? fromItem(out.Attributes) : current;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Someone else wrote in between: a conflict (retried on their version without If-Match).
        const now = await this.get(id);
        if (now) throw new StaleVersionError(now);
        // Gone: after a retry, our own lost-response attempt deleted the version we read.
        if (!afterRetry(error)) throw new NotFoundError();
        removed = current;
      }
      await this.#dropStaleHints(removed, removed.version + 1);
      return removed;
    });
  }

  async checkReady(): Promise<void> {
    await this.#call(() =>
      this.client.send(new DescribeTableCommand({ TableName: this.tableName })),
    );
  }

  /** One malformed item must not fail the page: it is skipped, and logged once per id. */
  #readable(item: Record<string, unknown>): Employee[] {
    try {
      return [fromItem(item)];
    } catch (error) {
      const id = typeof item.id === 'string' ? item.id.slice(0, 64) : '(no id)';
      if (!this.#reported.has(id)) {
        if (this.#reported.size >= 1000) this.#reported.clear();
        this.#reported.add(id);
        // Field paths only: the item's values stay out of the log.
        const fields = (error as { cause?: { issues?: { path: unknown[] }[] } }).cause?.issues?.map(
          (issue) => issue.path.join('.'),
        );
        this.logger?.error({ id, fields }, 'skipped a malformed employee item in the list');
      }
      return [];
    }
  }

  async #dropStaleHints(before: Employee, version: number, after?: Employee): Promise<void> {
    // The write itself succeeded; a hint left behind is dropped by every search that reads it.
    await this.#hints.deleteStale(before, version, after).catch(() => undefined);
  }

  async #call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (isConditionFailure(error)) throw error;
      throw toUpstreamError('dynamodb', error);
    }
  }
}
