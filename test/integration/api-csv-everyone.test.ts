// CSV export/import and /everyone against DynamoDB Local (or dynalite) and s3rver, over real sockets.
import t, { type Test } from 'tap';
import { createTableIfMissing, dynamoDbClientConfig } from '../support/local-aws.js';
import { api, startApi, startApiStandins } from './api-harness.js';

const standins = await startApiStandins();
t.teardown(() => standins.stop());

let tables = 0;
async function ownApi(t: Test) {
  const tableName = `EmployeesCsv-${++tables}`;
  await createTableIfMissing(dynamoDbClientConfig(standins.ddb), tableName);
  const server = await startApi(standins, { TABLE_NAME: tableName });
  t.teardown(() => server.close());
  return server;
}

const auth = () => ({ authorization: `Bearer ${standins.token}` });

t.test('export → import round trip on the real store changes nothing', async (t) => {
  const server = await ownApi(t);
  const file = [
    'id,fullName,jobTitle,location,badges',
    '11111111-1111-4111-8111-111111111111,"=SUM(A1)",Engineer,São Paulo,bug coffee',
    '22222222-2222-4222-8222-222222222222,"Smith, ""Jo""",-Lead,@home,',
    ...Array.from({ length: 120 }, (_, i) => `,Person ${i},Analyst,Oslo,`),
  ].join('\r\n');
  const post = (body: string) =>
    fetch(`${server.url}/api/employees.csv`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'text/csv' },
      body,
    });
  const first = await post(file);
  t.equal(first.status, 200);
  t.same(await first.json(), { rows: 122, created: 122, updated: 0, unchanged: 0 });
  const exported = await fetch(`${server.url}/api/employees.csv`, { headers: auth() });
  t.equal(exported.status, 200);
  const text = await exported.text();
  t.match(text, ",'=SUM(A1),Engineer,", 'the formula cell is defused');
  t.equal(text.trim().split('\r\n').length, 123, 'header and every row, across pages');
  const again = await post(text);
  t.same(await again.json(), { rows: 122, created: 0, updated: 0, unchanged: 122 });
  const one = await api(server.url, '/api/employees/11111111-1111-4111-8111-111111111111');
  t.equal(one.body.fullName, '=SUM(A1)', 'the prefix is undone on import');
  t.same(one.body.badges, ['coffee', 'bug']);
  t.equal(one.body.version, 1, 'no version bump');
  const page = await fetch(`${server.url}/everyone`, { headers: auth() });
  t.equal(page.status, 200);
  const html = await page.text();
  t.equal(html.match(/<tr>/g)?.length, 122, '/everyone lists them all');
  t.match(
    html,
    '<a href="/employee/22222222-2222-4222-8222-222222222222">Smith, &quot;Jo&quot;</a>',
  );
});
