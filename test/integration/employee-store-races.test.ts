// Another writer between the store's read and its write, for real (a second client writes to the
// stand-in just before the store's request goes out): a delete or update without a version reads
// the newer item and applies to it, one with a version is refused, and neither loops for ever.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import t, { type Test } from 'tap';
import { NotFoundError, VersionConflictError } from '../../packages/api/src/errors.js';
import { DynamoDbEmployeeStore } from '../../packages/api/src/store/dynamodb-employee-store.js';
import { type Employee, newEmployeeId } from '../../packages/shared/dist/index.js';
import { startDynamoDb } from '../support/dynamodb.js';
import { startDynamoDbRecorder } from '../support/dynamodb-recorder.js';
import { createTableIfMissing, dynamoDbClientConfig } from '../support/local-aws.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const AT = '2026-01-15T12:00:00.000Z';
const LATER = '2026-01-15T12:05:00.000Z';
const TABLE = 'Employees';

const ddb = await startDynamoDb({ engine: 'dynalite' });
t.teardown(() => ddb.stop());
await createTableIfMissing(dynamoDbClientConfig(ddb), TABLE);
const recorder = await startDynamoDbRecorder(ddb.endpoint);
t.teardown(() => recorder.close());
// The other writer, straight to the stand-in.
const other = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoDbClientConfig(ddb)));
t.teardown(() => other.destroy());

/** A store whose next `times` requests of `operation` are each preceded by another writer's edit. */
function storeRacedBy(t: Test, operation: 'DeleteItem' | 'UpdateItem', times: number) {
  const client = new DynamoDBClient({ ...dynamoDbClientConfig(ddb), endpoint: recorder.endpoint });
  t.teardown(() => client.destroy());
  let left = times;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: { id?: unknown } };
      const target = context.commandName?.replace(/Command$/, '');
      const item = target === operation || `${target}Item` === operation;
      if (item && left > 0 && typeof input.Key?.id === 'string') {
        left -= 1;
        await other.send(
          new UpdateCommand({
            TableName: TABLE,
            Key: { id: input.Key.id },
            UpdateExpression: 'SET #version = #version + :one, #location = :where',
            ExpressionAttributeNames: { '#version': 'version', '#location': 'location' },
            ExpressionAttributeValues: { ':one': 1, ':where': `Moved ${times - left}` },
          }),
        );
      }
      return next(args);
    },
    { step: 'initialize', name: 'otherWriterFirst' },
  );
  recorder.operations.length = 0;
  return new DynamoDbEmployeeStore(client, TABLE);
}

async function stored(): Promise<Employee> {
  const employee: Employee = {
    id: newEmployeeId(),
    fullName: 'Race Case',
    location: 'Here',
    jobTitle: 'Engineer',
    badges: [],
    createdAt: AT,
    updatedAt: AT,
    version: 1,
  };
  const client = new DynamoDBClient(dynamoDbClientConfig(ddb));
  await new DynamoDbEmployeeStore(client, TABLE).create(employee);
  client.destroy();
  return employee;
}

t.test('delete without a version: deletes the newer version it reads again', async (t) => {
  const e = await stored();
  const store = storeRacedBy(t, 'DeleteItem', 1);
  const removed = await store.remove(e.id);
  t.match(removed, { version: 2, location: 'Moved 1' }, 'returns what it deleted');
  // Then the hints' DeleteItems.
  const [first, rest] = [recorder.operations.slice(0, 4), recorder.operations.slice(4)];
  t.same(first, ['GetItem', 'DeleteItem', 'GetItem', 'DeleteItem'], 'one read a try');
  t.ok(rest.length > 0 && rest.every((o) => o === 'DeleteItem'), 'then only hint deletes');
  t.equal(await store.get(e.id), undefined);
});

t.test('delete with a version: another write in between is a conflict', async (t) => {
  const e = await stored();
  const store = storeRacedBy(t, 'DeleteItem', 1);
  const error = await store.remove(e.id, { expectedVersion: 1 }).catch((err: unknown) => err);
  t.type(error, VersionConflictError);
  t.equal((error as VersionConflictError).currentVersion, 2);
  t.match(await store.get(e.id), { version: 2 }, 'not deleted');
});

t.test('delete without a version gives up after 3 attempts', async (t) => {
  const e = await stored();
  const store = storeRacedBy(t, 'DeleteItem', 3);
  const error = await store.remove(e.id).catch((err: unknown) => err);
  t.type(error, VersionConflictError);
  t.equal(recorder.operations.filter((o) => o === 'DeleteItem').length, 3);
  t.match(await store.get(e.id), { version: 4 }, 'not deleted');
});

t.test('delete of an item someone else deleted first: 404', async (t) => {
  const e = await stored();
  const store = storeRacedBy(t, 'DeleteItem', 0);
  await store.remove(e.id);
  const error = await store.remove(e.id).catch((err: unknown) => err);
  t.type(error, NotFoundError);
});

t.test('update without a version: applied on top of the newer version', async (t) => {
  const e = await stored();
  const store = storeRacedBy(t, 'UpdateItem', 1);
  const { before, after } = await store.update(e.id, { jobTitle: 'Lead' }, { updatedAt: LATER });
  t.match(before, { version: 2, location: 'Moved 1' });
  t.match(after, { version: 3, location: 'Moved 1', jobTitle: 'Lead' });
  t.same(recorder.operations, ['GetItem', 'UpdateItem', 'GetItem', 'UpdateItem'], 'one read a try');
  t.match(await store.get(e.id), { version: 3, location: 'Moved 1', jobTitle: 'Lead' });
});
