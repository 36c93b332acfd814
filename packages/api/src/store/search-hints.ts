import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  EMPLOYEE_TABLE,
  type Employee,
  searchHintId,
  searchKeysFor,
  sortNameFor,
} from '@empdir/shared';
import type { EmployeeChanges } from './employee-store.js';

const index = EMPLOYEE_TABLE.byNameIndex;
const { employeeIdAttribute } = EMPLOYEE_TABLE.search;

/** A hint item: keys only, so an edit of a job title or photo never touches it. */
export interface SearchHint {
  readonly id: string;
  readonly listKey: string;
  readonly sortName: string;
  readonly employeeId: string;
}

/** The hint items that put an employee in every search partition it belongs to, by item id. */
export function hintsFor(employee: Employee): Map<string, SearchHint> {
  const sortName = sortNameFor(employee.fullName, employee.id);
  return new Map(
    searchKeysFor(employee).map((key) => {
      const id = searchHintId(key, sortName);
      return [id, { id, listKey: key, sortName, employeeId: employee.id }];
    }),
  );
}

/** Whether an update can change an employee's hints (its sort name or search keys). */
export const touchesSearch = (changes: EmployeeChanges) =>
  changes.fullName !== undefined || changes.badges !== undefined || changes.location !== undefined;

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/**
 * Writes hint items around the employee's own write, with no transaction (dynalite has none):
 * new hints before the employee item, stale ones deleted after it. A failure between leaves
 * extra hints, never missing ones, and a search checks every hint against the employee itself.
 * Each hint carries the version that wrote it, so a slow writer never deletes a newer writer's hint.
 */
export class SearchHintWriter {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly call: <T>(send: () => Promise<T>) => Promise<T>,
  ) {}

  /** Puts the hints `after` has and `before` had not (all of them when there is no `before`). */
  async putNew(after: Employee, before?: Employee): Promise<void> {
    const old = before ? hintsFor(before) : new Map<string, SearchHint>();
    const fresh = [...hintsFor(after).values()].filter((hint) => !old.has(hint.id));
    await Promise.all(fresh.map((hint) => this.#put(hint, after.version)));
  }

  /**
   * Deletes the hints `before` had and `after` has not (all of them when there is no `after`),
   * each only if no writer newer than `version` has put it again since.
   */
  async deleteStale(before: Employee, version: number, after?: Employee): Promise<void> {
    const keep = after ? hintsFor(after) : new Map<string, SearchHint>();
    const stale = [...hintsFor(before).keys()].filter((id) => !keep.has(id));
    await Promise.all(stale.map((id) => this.#delete(id, version)));
  }

  async #put(hint: SearchHint, version: number): Promise<void> {
    try {
      await this.call(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              id: hint.id,
              [index.partitionKey]: hint.listKey,
              [index.sortKey]: hint.sortName,
              [employeeIdAttribute]: hint.employeeId,
              version,
            },
            ConditionExpression: 'attribute_not_exists(#id) OR #version <= :version',
            ExpressionAttributeNames: { '#id': 'id', '#version': 'version' },
            ExpressionAttributeValues: { ':version': version },
          }),
        ),
      );
    } catch (error) {
      // A newer writer's hint is already there, which is as good.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async #delete(id: string, version: number): Promise<void> {
    try {
      await this.call(() =>
        this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { id },
            ConditionExpression: '#version < :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': version },
          }),
        ),
      );
    } catch (error) {
      // Gone already (a retry), or put again by a newer writer that needs it.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
