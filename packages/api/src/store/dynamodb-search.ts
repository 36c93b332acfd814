import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  EMPLOYEE_TABLE,
  type Employee,
  matchesSearch,
  searchHintId,
  searchPartition,
  sortNameFor,
} from '@empdir/shared';
import { UpstreamError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { fromItem } from './employee-item.js';
import type { SearchQuery, StoredPage } from './employee-store.js';

const index = EMPLOYEE_TABLE.byNameIndex;
const { employeeIdAttribute } = EMPLOYEE_TABLE.search;

/** Hints one search request reads at most; a page that needs more ends early with a cursor. */
export const SEARCH_HINT_BUDGET = 400;
const BATCH_GET_MAX_KEYS = 100;
const UNPROCESSED_RETRIES = 4;

type Call = <T>(send: () => Promise<T>) => Promise<T>;

interface Match {
  readonly employee: Employee;
  readonly sortName: string;
}

/**
 * One page of a search: Queries of one hint partition of the byName index, in list order, then
 * the employees themselves (BatchGetItem), keeping those that still match. Never a Scan; at most
 * SEARCH_HINT_BUDGET hints per request whatever the table's size.
 */
export async function searchEmployees(
  doc: DynamoDBDocumentClient,
  tableName: string,
  call: Call,
  query: SearchQuery,
  budget = SEARCH_HINT_BUDGET,
): Promise<StoredPage> {
  const partition = searchPartition(query);
  const start = query.cursor ? decodeCursor(query.cursor) : undefined;
  let startKey: Record<string, unknown> | undefined = start && {
    id: searchHintId(partition.key, start.sortName),
    [index.partitionKey]: partition.key,
    [index.sortKey]: start.sortName,
  };
  const matches: Match[] = [];
  let examined = 0;
  let lastExamined: string | undefined;
  let exhausted = false;
  while (matches.length <= query.limit && examined < budget) {
    const wanted = query.limit + 1 - matches.length;
    // An exact partition's hints all match (unless stale), so read no more than the page needs.
    const limit = Math.min(budget - examined, partition.exact ? wanted : 100);
    const out = await call(() =>
      doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index.name,
          KeyConditionExpression: '#listKey = :listKey',
          ExpressionAttributeNames: { '#listKey': index.partitionKey },
          ExpressionAttributeValues: { ':listKey': partition.key },
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    const hints = out.Items ?? [];
    examined += hints.length;
    const employees = await getEmployees(doc, tableName, call, hints);
    for (const hint of hints) {
      lastExamined = String(hint[index.sortKey]);
      const employee = employees.get(String(hint[employeeIdAttribute]));
      if (
        employee &&
        sortNameFor(employee.fullName, employee.id) === lastExamined &&
        matchesSearch(employee, query)
      ) {
        matches.push({ employee, sortName: lastExamined });
        if (matches.length > query.limit) break;
      }
    }
    if (!out.LastEvaluatedKey) {
      exhausted = matches.length <= query.limit;
      break;
    }
    startKey = out.LastEvaluatedKey;
  }
  const page = matches.slice(0, query.limit);
  const items = page.map((match) => match.employee);
  const cursorAt = (sortName: string, id: string) => encodeCursor({ sortName, id });
  const last = page.at(-1);
  if (matches.length > query.limit && last) {
    return { items, nextCursor: cursorAt(last.sortName, last.employee.id) };
  }
  // Out of budget before the page filled: continue after the last hint read (the page may be short).
  if (!exhausted && lastExamined) {
    const id = lastExamined.slice(lastExamined.lastIndexOf('#') + 1);
    return { items, nextCursor: cursorAt(lastExamined, id) };
  }
  return { items };
}

/** The employees the hints point at, by id; a hint whose employee is gone finds nothing. */
async function getEmployees(
  doc: DynamoDBDocumentClient,
  tableName: string,
  call: Call,
  hints: readonly Record<string, unknown>[],
): Promise<Map<string, Employee>> {
  const ids = [...new Set(hints.map((hint) => String(hint[employeeIdAttribute])))];
  const found = new Map<string, Employee>();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += BATCH_GET_MAX_KEYS) {
    chunks.push(ids.slice(i, i + BATCH_GET_MAX_KEYS));
  }
  await Promise.all(
    chunks.map(async (chunk) => {
      let keys: Record<string, unknown>[] = chunk.map((id) => ({ id }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) {
          const cause = new Error('BatchGetItem left keys unprocessed');
          throw new UpstreamError('dynamodb', 'unavailable', cause);
        }
        // DynamoDB returns unprocessed keys when throttled: back off before asking again.
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        const out = await call(() =>
          doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } })),
        );
        for (const item of out.Responses?.[tableName] ?? []) {
          const employee = fromItem(item);
          found.set(employee.id, employee);
        }
        keys = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
    }),
  );
  return found;
}
