// Search against the DynamoDB stand-ins (dynalite and DynamoDB Local), through a recording proxy
// that proves every request was a Query, BatchGetItem or single-item write — never a Scan.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import t, { type Test } from 'tap';
import { DynamoDbEmployeeStore } from '../../packages/api/src/store/dynamodb-employee-store.js';
import { searchEmployees } from '../../packages/api/src/store/dynamodb-search.js';
import type { SearchQuery } from '../../packages/api/src/store/employee-store.js';
import {
  EMPLOYEE_TABLE,
  type Employee,
  newEmployeeId,
  searchHintId,
  sortNameFor,
} from '../../packages/shared/dist/index.js';
import { dynamoDbEngines, startDynamoDb } from '../support/dynamodb.js';
import { startDynamoDbRecorder } from '../support/dynamodb-recorder.js';
import { createTableIfMissing, dynamoDbClientConfig } from '../support/local-aws.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const index = EMPLOYEE_TABLE.byNameIndex;
const AT = '2026-01-15T12:00:00.000Z';

function employee(fullName: string, location: string, badges: Employee['badges'] = []): Employee {
  const id = newEmployeeId();
  return {
    id,
    fullName,
    location,
    jobTitle: 'Engineer',
    badges,
    createdAt: AT,
    updatedAt: AT,
    version: 1,
  };
}

async function setup(t: Test, engine: 'dynalite' | 'dynamodb-local') {
  const ddb = await startDynamoDb({ engine });
  t.teardown(() => ddb.stop());
  const table = `Employees${Math.random().toString(36).slice(2, 8)}`;
  await createTableIfMissing(dynamoDbClientConfig(ddb), table);
  const recorder = await startDynamoDbRecorder(ddb.endpoint);
  t.teardown(() => recorder.close());
  const client = new DynamoDBClient({ ...dynamoDbClientConfig(ddb), endpoint: recorder.endpoint });
  t.teardown(() => client.destroy());
  const store = new DynamoDbEmployeeStore(client, table);
  const doc = DynamoDBDocumentClient.from(client);
  /** Every page of a search, following the cursors. */
  const searchAll = async (query: Omit<SearchQuery, 'limit'>, limit = 2, budget?: number) => {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await searchEmployees(
        doc,
        table,
        (send) => send(),
        { ...query, limit, cursor },
        budget,
      );
      names.push(...page.items.map((e) => e.fullName));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    return { names, pages };
  };
  const partition = async (key: string) => {
    const out = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: index.name,
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': index.partitionKey },
        ExpressionAttributeValues: { ':k': key },
      }),
    );
    return (out.Items ?? []).map((item) => String(item[EMPLOYEE_TABLE.search.employeeIdAttribute]));
  };
  return { store, doc, table, recorder, searchAll, partition };
}

const available = dynamoDbEngines();
for (const engine of ['dynalite', 'dynamodb-local'] as const) {
  const skip = available.includes(engine) ? false : `${engine} needs java on PATH; skipped`;
  t.test(`${engine}: search through the hint partitions`, { skip }, async (t) => {
    const { store, searchAll, partition, recorder, doc, table } = await setup(t, engine);
    const zoe = employee('Zoë Ångström', 'Malmö', ['apple']);
    const ana = employee('Ana de la Cruz', 'São Paulo', ['apple', 'coffee']);
    const anabela = employee('anabela Souza', 'Sao Paulo', ['coffee']);
    const bruno = employee('Bruno Anand', 'Lisbon');
    const carla = employee('Carla Mendes', 'SÃO PAULO');
    const anders = employee('Anders Andersson', 'Malmö', ['bug']);
    for (const e of [zoe, ana, anabela, bruno, carla, anders]) await store.create(e);
    recorder.operations.length = 0;

    t.same((await searchAll({ q: 'ana' })).names, [
      'Ana de la Cruz',
      'anabela Souza',
      'Bruno Anand',
    ]);
    t.same((await searchAll({ q: 'ZOE' })).names, ['Zoë Ångström'], 'case and accents');
    t.same((await searchAll({ q: 'angström' })).names, ['Zoë Ångström'], 'longer than 5: checked');
    t.same((await searchAll({ q: 'andersso' })).names, ['Anders Andersson']);
    t.same((await searchAll({ q: 'de la cr' })).names, ['Ana de la Cruz'], 'several words');
    t.same((await searchAll({ q: 'nab' })).names, [], 'not inside a word');
    const paged = await searchAll({ q: 'a' }, 1);
    t.same(paged.names, [
      'Ana de la Cruz',
      'anabela Souza',
      'Anders Andersson',
      'Bruno Anand',
      'Zoë Ångström',
    ]);
    t.equal(paged.pages, 5, 'one per page with cursors, no empty last page');
    t.same((await searchAll({ badge: 'coffee' })).names, ['Ana de la Cruz', 'anabela Souza']);
    t.same((await searchAll({ location: 'sao paulo' })).names, [
      'Ana de la Cruz',
      'anabela Souza',
      'Carla Mendes',
    ]);
    t.same((await searchAll({ q: 'an', location: 'malmo', badge: 'bug' })).names, [
      'Anders Andersson',
    ]);
    t.same((await searchAll({ q: 'a', badge: 'apple' })).names, ['Ana de la Cruz', 'Zoë Ångström']);
    t.same(
      [...new Set(recorder.operations)].sort(),
      ['BatchGetItem', 'Query'],
      'searches are Queries of hint partitions and reads of their employees: no Scan',
    );

    // Rename, change badges and location: the old hints go, the new ones come.
    await store.update(
      ana.id,
      { fullName: 'Beatriz Lima', badges: ['bug'], location: 'Porto' },
      { updatedAt: AT },
    );
    t.same(await partition('p#cruz'), [], 'old name prefixes removed');
    t.same(await partition('b#coffee'), [anabela.id]);
    t.same(await partition('l#porto'), [ana.id]);
    t.same((await searchAll({ q: 'lim' })).names, ['Beatriz Lima']);
    t.same((await searchAll({ q: 'ana' })).names, ['anabela Souza', 'Bruno Anand']);
    // An edit that leaves name, badges and location alone writes no hints.
    recorder.operations.length = 0;
    await store.update(bruno.id, { jobTitle: 'Designer' }, { updatedAt: AT, expectedVersion: 1 });
    t.same(recorder.operations, ['UpdateItem'], 'with a version: the write alone');
    // Without one, a consistent read first pins the write to a version, so a retry can tell.
    recorder.operations.length = 0;
    await store.update(bruno.id, { jobTitle: 'Architect' }, { updatedAt: AT });
    t.same(recorder.operations, ['GetItem', 'UpdateItem'], 'without a version: one read first');

    await store.remove(anabela.id);
    t.same(await partition('p#anabe'), [], 'a delete removes its hints');
    t.same((await searchAll({ badge: 'coffee' })).names, []);

    // A hint left behind by a failed write (here: put by hand) is checked and dropped.
    const sortName = sortNameFor('Ana Ghost', bruno.id);
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          id: searchHintId('p#ana', sortName),
          [index.partitionKey]: 'p#ana',
          [index.sortKey]: sortName,
          [EMPLOYEE_TABLE.search.employeeIdAttribute]: bruno.id,
          version: 1,
        },
      }),
    );
    t.same((await searchAll({ q: 'ana' })).names, ['Bruno Anand'], 'stale hint ignored');
    t.same((await store.list({ limit: 10 })).items.length, 5, 'hints never show in the list');
  });
}

t.test('a search reads a bounded number of hints per request', async (t) => {
  const { store, searchAll, recorder } = await setup(t, 'dynalite');
  // Twelve "Al…" employees, one of them "Alvarez": "alvare" reads the "alvar" partition only,
  // but "al z" must read all twelve "al" hints to find the one with a word starting "z".
  const names = Array.from({ length: 11 }, (_, i) => `Al ${String.fromCharCode(97 + i)}x`);
  for (const name of [...names, 'Al Zed']) await store.create(employee(name, 'Oslo'));
  recorder.operations.length = 0;
  const bounded = await searchAll({ q: 'al z' }, 2, 4);
  t.same(bounded.names, ['Al Zed'], 'found across short pages');
  // Twelve hints at four a request, and a fourth, empty one: a Query that stops at its Limit
  // cannot tell whether more follow.
  t.equal(bounded.pages, 4);
  const queries = recorder.operations.filter((op) => op === 'Query').length;
  t.equal(queries, 4, 'one bounded Query per request');
  t.same((await searchAll({ q: 'al z' }, 2)).names, ['Al Zed'], 'the default budget: one page');
});
