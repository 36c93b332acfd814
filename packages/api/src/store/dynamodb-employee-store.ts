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
import { EMPLOYEE_TABLE, type Employee, sortNameFor } from '@empdir/shared';
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

const index = EMPLOYEE_TABLE.byNameIndex;

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
    if (!touchesSearch(changes)) return this.#update(id, changes, options);
    // The hints to add and drop depend on the item before, so read it and write on its version.
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(id);
      if (!current) throw new NotFoundError();
      const expected = options.expectedVersion ?? current.version;
      if (expected !== current.version) throw new VersionConflictError(current.version);
      const after = applyChanges(current, changes, options.updatedAt);
      await this.#hints.putNew(after, current);
      try {
        const result = await this.#update(
          id,
          changes,
          { ...options, expectedVersion: expected },
          current,
        );
        await this.#dropStaleHints(result.before, result.after.version, result.after);
        return result;
      } catch (error) {
        // Someone else wrote in between; without If-Match, read their version and apply again.
        const again = options.expectedVersion === undefined && attempt < 3;
        if (!(error instanceof VersionConflictError && again)) throw error;
      }
    }
  }

  async #update(
    id: string,
    changes: EmployeeChanges,
    options: WriteOptions & { updatedAt: string },
    knownBefore?: Employee,
  ): Promise<{ before: Employee; after: Employee }> {
    const names: Record<string, string> = {
      '#id': 'id',
      '#version': 'version',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, unknown> = { ':one': 1, ':updatedAt': options.updatedAt };
    const sets = ['#version = #version + :one', '#updatedAt = :updatedAt'];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) removes.push(`#${field}`);
      else {
        sets.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    if (changes.fullName !== undefined) {
      names['#sortName'] = index.sortKey;
      sets.push('#sortName = :sortName');
      values[':sortName'] = sortNameFor(changes.fullName, id);
    }
    let condition = 'attribute_exists(#id)';
    if (options.expectedVersion !== undefined) {
      condition += ' AND #version = :expected';
      values[':expected'] = options.expectedVersion;
    }
    try {
      const out = await this.#call(() =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id },
            UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
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
      const expected = options.expectedVersion;
      if (expected !== undefined && afterRetry(error)) {
        // The retry failed on the version our own lost-response attempt bumped: re-read to tell.
        const current = await this.get(id);
        if (current && holdsOurWrite(current, changes, expected, options.updatedAt)) {
          // The old item was in the lost response: without it, its photo stays (an orphan, never a guess).
          const before = knownBefore ?? { ...current, version: expected, photoKey: undefined };
          return { before, after: current };
        }
        throw current ? new VersionConflictError(current.version) : new NotFoundError();
      }
      throw await this.#whyConditionFailed(id);
    }
  }

  async remove(id: string, options: WriteOptions = {}): Promise<Employee> {
    const values: Record<string, unknown> = {};
    let condition = 'attribute_exists(#id)';
    const names: Record<string, string> = { '#id': 'id' };
    if (options.expectedVersion !== undefined) {
      condition += ' AND #version = :expected';
      names['#version'] = 'version';
      values[':expected'] = options.expectedVersion;
    }
    try {
      const out = await this.#call(() =>
        this.#doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { id },
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      if (!out.Attributes) throw new NotFoundError();
      const removed = fromItem(out.Attributes);
      await this.#dropStaleHints(removed, removed.version + 1);
      return removed;
    } catch (error) {
      if (isConditionFailure(error)) throw await this.#whyConditionFailed(id);
      throw error;
    }
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

  async #whyConditionFailed(id: string): Promise<Error> {
    const current = await this.get(id);
    return current ? new VersionConflictError(current.version) : new NotFoundError();
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
