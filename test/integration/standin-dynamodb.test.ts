import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import t from 'tap';
import { EMPLOYEE_TABLE, sortNameFor } from '../../packages/shared/dist/index.js';
import {
  type DynamoDbEngine,
  dynamoDbEngines,
  resolveDynamoDbEngine,
  startDynamoDb,
} from '../support/dynamodb.js';
import { createTableIfMissing, dynamoDbClientConfig } from '../support/local-aws.js';

const TABLE = 'Employees';
const { byNameIndex } = EMPLOYEE_TABLE;
const people = [
  { id: 'e-3', fullName: 'Zoë Zimmer' },
  { id: 'e-1', fullName: 'alice Archer' },
  { id: 'e-2', fullName: 'Bob Baker' },
  { id: 'e-4', fullName: 'Alice Archer' },
];

const engines: DynamoDbEngine[] = ['dynalite', 'dynamodb-local'];
const available = dynamoDbEngines();

for (const engine of engines) {
  const skip = available.includes(engine) ? false : `${engine} needs java on PATH; skipped`;
  t.test(`${engine}: the Employees table contract`, { skip }, async (t) => {
    const started = performance.now();
    const ddb = await startDynamoDb({ engine });
    t.teardown(() => ddb.stop());
    t.comment(`${engine} ready in ${Math.round(performance.now() - started)} ms`);
    t.equal(ddb.engine, engine);
    t.match(ddb.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);

    const config = dynamoDbClientConfig(ddb);
    const client = new DynamoDBClient(config);
    t.teardown(() => client.destroy());
    const docs = DynamoDBDocumentClient.from(client);

    await createTableIfMissing(config, TABLE);
    await createTableIfMissing(config, TABLE);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    t.equal(Table?.TableStatus, 'ACTIVE', 'created once, ACTIVE at once');
    t.equal(Table?.GlobalSecondaryIndexes?.[0]?.IndexName, byNameIndex.name);

    for (const person of people) {
      await docs.send(
        new PutCommand({
          TableName: TABLE,
          Item: {
            ...person,
            [byNameIndex.partitionKey]: byNameIndex.listKeyValue,
            [byNameIndex.sortKey]: sortNameFor(person.fullName, person.id),
          },
        }),
      );
    }
    const got = await docs.send(new GetCommand({ TableName: TABLE, Key: { id: 'e-2' } }));
    t.equal(got.Item?.fullName, 'Bob Baker');
    const scanned = await docs.send(new ScanCommand({ TableName: TABLE }));
    t.equal(scanned.Count, people.length);

    const page = await docs.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: byNameIndex.name,
        KeyConditionExpression: '#pk = :list',
        ExpressionAttributeNames: { '#pk': byNameIndex.partitionKey },
        ExpressionAttributeValues: { ':list': byNameIndex.listKeyValue },
        Limit: 3,
      }),
    );
    t.same(
      page.Items?.map((item) => item.id),
      ['e-1', 'e-4', 'e-2'],
      'sorted by case-folded name, then id',
    );
    t.ok(page.LastEvaluatedKey, 'a next page exists');

    await t.rejects(
      docs.send(
        new PutCommand({
          TableName: TABLE,
          Item: { id: 'e-2', fullName: 'Impostor' },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
      ConditionalCheckFailedException,
    );
    const unchanged = await docs.send(new GetCommand({ TableName: TABLE, Key: { id: 'e-2' } }));
    t.equal(unchanged.Item?.fullName, 'Bob Baker', 'the failed put changed nothing');

    const pid = ddb.pid;
    await ddb.stop();
    t.throws(() => process.kill(-pid, 0), { code: 'ESRCH' }, 'no process of the stand-in is left');
  });
}

t.test('dynalite keeps tables and items in dataDir across restarts', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'empdir-ddb-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const first = await startDynamoDb({ engine: 'dynalite', dataDir });
  const firstDocs = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoDbClientConfig(first)));
  await createTableIfMissing(dynamoDbClientConfig(first), TABLE);
  await firstDocs.send(
    new PutCommand({ TableName: TABLE, Item: { id: 'kept', fullName: 'Kept' } }),
  );
  firstDocs.destroy();
  await first.stop();

  const second = await startDynamoDb({ engine: 'dynalite', dataDir });
  t.teardown(() => second.stop());
  const docs = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoDbClientConfig(second)));
  t.teardown(() => docs.destroy());
  const got = await docs.send(new GetCommand({ TableName: TABLE, Key: { id: 'kept' } }));
  t.equal(got.Item?.fullName, 'Kept');
});

t.test(
  "'auto' picks DynamoDB Local when java is here; STANDIN_DYNAMODB overrides it",
  async (t) => {
    const previous = process.env.STANDIN_DYNAMODB;
    t.teardown(() => {
      if (previous === undefined) delete process.env.STANDIN_DYNAMODB;
      else process.env.STANDIN_DYNAMODB = previous;
    });
    delete process.env.STANDIN_DYNAMODB;
    t.equal(
      resolveDynamoDbEngine('auto'),
      available.includes('dynamodb-local') ? 'dynamodb-local' : 'dynalite',
    );
    t.equal(resolveDynamoDbEngine('dynalite'), 'dynalite', 'an explicit engine wins');
    process.env.STANDIN_DYNAMODB = 'dynalite';
    t.equal(resolveDynamoDbEngine('auto'), 'dynalite');
    process.env.STANDIN_DYNAMODB = 'mongo';
    t.throws(
      () => resolveDynamoDbEngine('auto'),
      /STANDIN_DYNAMODB must be one of dynalite, dynamodb-local, got "mongo"/,
    );
  },
);
