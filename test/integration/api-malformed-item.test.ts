// One malformed item in the table (written by hand, or by an old version) costs only itself: the
// list skips it and logs it once without its values; a GET of it alone is a 502.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import t from 'tap';
import { createLogger } from '../../packages/api/src/index.js';
import { dynamoDbClientConfig } from '../support/local-aws.js';
import { api, startApi, startApiStandins, TABLE_NAME } from './api-harness.js';

const standins = await startApiStandins();
t.teardown(() => standins.stop());
const logLines: Record<string, unknown>[] = [];
const logger = createLogger('error', {
  write: (line: string) => void logLines.push(JSON.parse(line)),
});
const server = await startApi(standins, {}, { logger });
t.teardown(() => server.close());

t.test('the list skips a malformed item and logs it once; its GET alone fails', async (t) => {
  for (const fullName of ['Ada', 'Zed']) {
    const res = await api(server.url, '/api/employees', {
      method: 'POST',
      body: { fullName, location: 'L', jobTitle: 'J' },
    });
    t.equal(res.status, 201);
  }
  const badId = '0b5c7a9e-4f7e-4a51-9d1a-2b3c4d5e6f70';
  const client = new DynamoDBClient(dynamoDbClientConfig(standins.ddb));
  t.teardown(() => client.destroy());
  // Sorted between Ada and Zed; its version is text and a secret-looking field rides along.
  await client.send(
    new PutItemCommand({
      TableName: TABLE_NAME,
      Item: {
        id: { S: badId },
        listKey: { S: 'employee' },
        sortName: { S: `m#${badId}` },
        fullName: { S: 'Malformed' },
        version: { S: 'one' },
        note: { S: 'do-not-log-this-value' },
      },
    }),
  );
  for (let i = 0; i < 2; i++) {
    const list = await api(server.url, '/api/employees');
    t.equal(list.status, 200, 'not a 502 for the whole page');
    t.same(
      list.body.items.map((e: { fullName: string }) => e.fullName),
      ['Ada', 'Zed'],
    );
  }
  const page = await fetch(`${server.url}/`, {
    headers: { authorization: `Bearer ${standins.token}` },
  });
  t.equal(page.status, 200, 'the directory page too');
  const skipped = logLines.filter((l) => l.msg === 'skipped a malformed employee item in the list');
  t.equal(skipped.length, 1, 'logged once');
  t.match(skipped[0], { id: badId });
  t.notMatch(JSON.stringify(logLines), /do-not-log-this-value|Malformed/, 'no values in the log');
  const one = await api(server.url, `/api/employees/${badId}`);
  t.equal(one.status, 502);
  t.equal(one.body.error.code, 'upstream_error');
});
