import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { EMPLOYEE_LIMITS, EMPLOYEE_TABLE, type Employee, employeeSchema } from '@empdir/shared';
import { ID, isBadgeList, isText, PHOTO_KEY } from './stored-employee.js';

/** What one row of /everyone shows, plus id and version (the row cache's key). */
export type DirectoryRow = Pick<
  Employee,
  'id' | 'version' | 'fullName' | 'jobTitle' | 'location' | 'badges' | 'photoKey'
>;

/** One page of the byName index; `skipped` names items that are not a valid row (logged, not shown). */
export interface DirectoryPage {
  readonly rows: readonly DirectoryRow[];
  readonly skipped: readonly string[];
}

const FIELDS = ['id', 'version', 'fullName', 'jobTitle', 'location', 'badges', 'photoKey'] as const;
const rowSchema = employeeSchema.pick({
  id: true,
  version: true,
  fullName: true,
  jobTitle: true,
  location: true,
  badges: true,
  photoKey: true,
});
const NOT_A_ROW_VALUE = Symbol('not a row value');
const VERSION = /^[1-9]\d{0,14}$/;
const index = EMPLOYEE_TABLE.byNameIndex;

/** Badges from a stored list of strings, or undefined when it is anything else. */
function badgesOf(value: AttributeValue | undefined): string[] | undefined {
  if (!value?.L) return undefined;
  const out: string[] = [];
  for (const badge of value.L) {
    if (badge.S === undefined) return undefined;
    out.push(badge.S);
  }
  return out;
}

/** The few attribute types a row can hold; anything else becomes a value rowSchema rejects. */
function plainOf(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.L !== undefined) return badgesOf(value) ?? NOT_A_ROW_VALUE;
  return NOT_A_ROW_VALUE;
}

/**
 * A raw item as a row without unmarshalling or zod when it has exactly the shape the service
 * writes; otherwise rowSchema decides (it accepts all the fast path accepts, and more).
 */
export function rowFromAttributes(item: Record<string, AttributeValue>): DirectoryRow | undefined {
  const id = item.id?.S;
  const version = item.version?.N;
  const fullName = item.fullName?.S;
  const jobTitle = item.jobTitle?.S;
  const location = item.location?.S;
  const badges = badgesOf(item.badges);
  const photo = item.photoKey;
  const photoKey = photo?.S;
  if (
    id !== undefined &&
    ID.test(id) &&
    version !== undefined &&
    VERSION.test(version) &&
    isText(fullName, EMPLOYEE_LIMITS.fullName) &&
    isText(jobTitle, EMPLOYEE_LIMITS.jobTitle) &&
    isText(location, EMPLOYEE_LIMITS.location) &&
    isBadgeList(badges) &&
    (photo === undefined || (photoKey !== undefined && PHOTO_KEY.test(photoKey)))
  ) {
    const row = { id, version: Number(version), fullName, jobTitle, location, badges };
    return photoKey === undefined ? row : { ...row, photoKey };
  }
  const plain: Record<string, unknown> = {};
  for (const field of FIELDS) if (item[field]) plain[field] = plainOf(item[field]);
  const parsed = rowSchema.safeParse(plain);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Reads the byName index for /everyone with the low-level client and only the row's attributes:
 * the DocumentClient's unmarshalling and full-item validation were most of the view's CPU.
 * Without `limit` each page is what DynamoDB returns in one 1 MB response.
 */
export async function* directoryPages(
  client: DynamoDBClient,
  tableName: string,
  limit?: number,
): AsyncGenerator<DirectoryPage> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index.name,
        KeyConditionExpression: '#listKey = :listKey',
        ProjectionExpression: FIELDS.map((field) => `#${field}`).join(', '),
        ExpressionAttributeNames: {
          '#listKey': index.partitionKey,
          ...Object.fromEntries(FIELDS.map((field) => [`#${field}`, field])),
        },
        ExpressionAttributeValues: { ':listKey': { S: index.listKeyValue } },
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    const rows: DirectoryRow[] = [];
    const skipped: string[] = [];
    for (const item of out.Items ?? []) {
      const row = rowFromAttributes(item);
      if (row) rows.push(row);
      else skipped.push(item.id?.S ?? '(no id)');
    }
    start = out.LastEvaluatedKey;
    yield { rows, skipped };
  } while (start);
}
