// The /everyone reader against a real DynamoDB stand-in: raw items, projection, paging, bad items.
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import t from 'tap';
import { type DirectoryPage, directoryPages } from '../../packages/api/src/store/directory-rows.js';
import { BADGE_KEYS, EMPLOYEE_TABLE, sortNameFor } from '../../packages/shared/dist/index.js';
import { startDynamoDb } from '../support/dynamodb.js';
import { createTableIfMissing, dynamoDbClientConfig } from '../support/local-aws.js';

const ddb = await startDynamoDb();
t.teardown(() => ddb.stop());
const client = new DynamoDBClient(dynamoDbClientConfig(ddb));
t.teardown(() => client.destroy());
const index = EMPLOYEE_TABLE.byNameIndex;

let tables = 0;
async function table() {
  const name = `Directory-${++tables}`;
  await createTableIfMissing(dynamoDbClientConfig(ddb), name);
  return name;
}

const idOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
function item(
  i: number,
  extra: Record<string, AttributeValue> = {},
): Record<string, AttributeValue> {
  const id = idOf(i);
  const fullName = `Person ${String(i).padStart(3, '0')}`;
  return {
    id: { S: id },
    fullName: { S: fullName },
    jobTitle: { S: 'Analyst' },
    location: { S: 'Oslo' },
    badges: { L: i % 2 ? [{ S: 'apple' }] : [] },
    ...(i % 2 ? {} : { photoKey: { S: `employee-pic/${'a'.repeat(31)}${i % 10}.png` } }),
    createdAt: { S: '2026-01-01T00:00:00.000Z' },
    updatedAt: { S: '2026-01-01T00:00:00.000Z' },
    version: { N: '3' },
    [index.partitionKey]: { S: index.listKeyValue },
    [index.sortKey]: { S: sortNameFor(fullName, id) },
    ...extra,
  };
}

async function put(tableName: string, items: Record<string, AttributeValue>[]) {
  for (const Item of items) await client.send(new PutItemCommand({ TableName: tableName, Item }));
}

async function readAll(tableName: string, limit?: number) {
  const pages: DirectoryPage[] = [];
  for await (const page of directoryPages(client, tableName, limit)) pages.push(page);
  return pages;
}

t.test(
  'rows in name order across Limit pages; a malformed item is skipped, not fatal',
  async (t) => {
    const name = await table();
    await put(
      name,
      [0, 1, 2, 3, 4, 5, 6].map((i) => item(i)),
    );
    // Sorts between Person 002 and 003; version is text, which the service never writes.
    const bad = item(7, {
      fullName: { S: 'Person 002b' },
      version: { S: 'one' },
      [index.sortKey]: { S: sortNameFor('Person 002b', idOf(7)) },
    });
    await put(name, [bad]);
    const pages = await readAll(name, 3);
    t.ok(pages.length >= 3, `${pages.length} pages of at most 3`);
    const rows = pages.flatMap((page) => page.rows);
    t.same(
      rows.map((row) => row.fullName),
      [0, 1, 2, 3, 4, 5, 6].map((i) => `Person 00${i}`),
    );
    t.same(
      pages.flatMap((page) => page.skipped),
      [idOf(7)],
    );
    t.same(rows[0], {
      id: idOf(0),
      version: 3,
      fullName: 'Person 000',
      jobTitle: 'Analyst',
      location: 'Oslo',
      badges: [],
      photoKey: `employee-pic/${'a'.repeat(31)}0.png`,
    });
    t.same(rows[1], {
      id: idOf(1),
      version: 3,
      fullName: 'Person 001',
      jobTitle: 'Analyst',
      location: 'Oslo',
      badges: ['apple'],
    });
    t.notOk('createdAt' in (rows[0] as object), 'only the row attributes are read');
  },
);

t.test('items the fast path refuses go to the schema, which decides', async (t) => {
  const name = await table();
  await put(name, [item(1, { version: { N: '12345678901234567' } })]);
  const rows = (await readAll(name)).flatMap((page) => page.rows);
  t.equal(rows.length, 0, 'an unsafe integer version is not a row');
  // Badges out of display order: not how the service writes them, but the schema orders them.
  const [first, second] = BADGE_KEYS;
  await put(name, [item(1, { badges: { L: [{ S: String(second) }, { S: String(first) }] } })]);
  const again = (await readAll(name)).flatMap((page) => page.rows);
  t.same(again[0]?.badges, [first, second]);
});

t.test('without Limit, pages end at DynamoDB’s 1 MB and the reader follows them', async (t) => {
  const name = await table();
  // 300 KB of an attribute the reader does not project still counts toward the 1 MB read.
  const filler = { notes: { S: 'x'.repeat(300_000) } };
  const items = Array.from({ length: 8 }, (_, i) => item(i, filler));
  for (let b = 0; b < items.length; b += 2) {
    const batch = items.slice(b, b + 2).map((Item) => ({ PutRequest: { Item } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: batch } }));
  }
  const pages = await readAll(name);
  t.ok(pages.length >= 2, `${pages.length} pages for 2.4 MB of items, not one`);
  t.equal(pages.flatMap((page) => page.rows).length, 8, 'every item, once');
});
