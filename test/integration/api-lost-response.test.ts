// A DynamoDB write whose response is lost (applied, then the socket reset) is retried by the real
// SDK; the retry fails its condition. The API must still answer success, apply the write once, and
// keep (or, for a delete, remove) the photo and search hints that go with it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import { DynamoDbEmployeeStore } from '../../packages/api/src/store/dynamodb-employee-store.js';
import { FakeBrowser } from '../../packages/api/test-support/fake-browser.js';
import { EMPLOYEE_TABLE } from '../../packages/shared/dist/index.js';
import { startDynamoDbRecorder } from '../support/dynamodb-recorder.js';
import { dynamoDbClientConfig } from '../support/local-aws.js';
import {
  api,
  PHOTOS_BUCKET,
  signedInTransport,
  startApi,
  startApiStandins,
  TABLE_NAME,
} from './api-harness.js';

const standins = await startApiStandins();
t.teardown(() => standins.stop());
const recorder = await startDynamoDbRecorder(standins.ddb.endpoint);
t.teardown(() => recorder.close());
const server = await startApi(standins, { DYNAMODB_ENDPOINT: recorder.endpoint });
t.teardown(() => server.close());

const jpeg = async () =>
  new Uint8Array(
    await sharp({ create: { width: 40, height: 40, channels: 3, background: '#3c3' } })
      .jpeg()
      .toBuffer(),
  );

/** PUT a photo with If-Match on the employee's version. */
async function uploadPhoto(e: { id: string; version: number }): Promise<Response> {
  return fetch(`${server.url}/api/employees/${e.id}/photo`, {
    method: 'PUT',
    headers: {
      'content-type': 'image/jpeg',
      'if-match': `"${e.version}"`,
      authorization: `Bearer ${standins.token}`,
    },
    body: await jpeg(),
  });
}

async function photoExists(key: string): Promise<boolean> {
  try {
    await standins.s3Client.send(new HeadObjectCommand({ Bucket: PHOTOS_BUCKET, Key: key }));
    return true;
  } catch {
    return false;
  }
}

t.test(
  'PUT photo with If-Match: lost UpdateItem response → 200, one version, photo kept',
  async (t) => {
    const { body: e } = await api(server.url, '/api/employees', {
      method: 'POST',
      body: { fullName: 'Lost Reply', location: 'L', jobTitle: 'J' },
    });
    recorder.operations.length = 0;
    recorder.loseNextResponse(['UpdateItem']);
    const res = await uploadPhoto(e);
    const body = await res.json();
    t.equal(
      recorder.operations.filter((o) => o === 'UpdateItem').length,
      2,
      'the SDK retried the write',
    );
    t.equal(res.status, 200, JSON.stringify(body));
    const { body: now } = await api(server.url, `/api/employees/${e.id}`);
    t.equal(now.version, e.version + 1, 'applied exactly once');
    t.match(now.photoKey, /^employee-pic\//);
    t.ok(await photoExists(now.photoKey), 'the photo the item points to exists');
  },
);

t.test('PATCH with If-Match: lost UpdateItem response → 200 at the next version', async (t) => {
  const { body: e } = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Lost Patch', location: 'L', jobTitle: 'J' },
  });
  recorder.loseNextResponse(['UpdateItem']);
  const out = await api(server.url, `/api/employees/${e.id}`, {
    method: 'PATCH',
    body: { jobTitle: 'Retried' },
    headers: { 'if-match': `"${e.version}"` },
  });
  t.equal(out.status, 200, JSON.stringify(out.body));
  const { body: now } = await api(server.url, `/api/employees/${e.id}`);
  t.same([now.version, now.jobTitle], [e.version + 1, 'Retried']);
});

// Straight to the stand-in, past the recorder: what the table really holds.
const direct = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoDbClientConfig(standins.ddb)));
t.teardown(() => direct.destroy());

/** Ids of the search-hint items that point at an employee (a test may Scan; the API never does). */
async function hintsOf(employeeId: string): Promise<string[]> {
  const out = await direct.send(new ScanCommand({ TableName: TABLE_NAME }));
  const attribute = EMPLOYEE_TABLE.search.employeeIdAttribute;
  return (out.Items ?? []).filter((item) => item[attribute] === employeeId).map((i) => i.id);
}

/** An employee with a photo and search hints, at version 2. */
async function employeeWithPhoto(t: Test, fullName: string) {
  const { body: e } = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName, location: 'Lisbon', jobTitle: 'J', badges: ['coffee'] },
  });
  const res = await uploadPhoto(e);
  const withPhoto = await res.json();
  t.equal(res.status, 200, JSON.stringify(withPhoto));
  t.ok(await photoExists(withPhoto.photoKey), 'the photo is stored');
  t.ok((await hintsOf(e.id)).length > 0, 'the employee has search hints');
  return withPhoto as { id: string; version: number; photoKey: string };
}

/** The item, its photo and its hints are all gone, and the lost response really was lost. */
async function allGone(t: Test, e: { id: string; photoKey: string }) {
  t.equal(recorder.pendingLosses(), 0, 'the DeleteItem response was lost');
  const deletes = recorder.operations.filter((o) => o === 'DeleteItem').length;
  t.ok(deletes >= 2, `the SDK retried the delete (${deletes} DeleteItem requests)`);
  t.equal((await api(server.url, `/api/employees/${e.id}`)).status, 404, 'the item is gone');
  t.notOk(await photoExists(e.photoKey), 'its photo is deleted');
  t.same(await hintsOf(e.id), [], 'its search hints are gone');
}

/** Loses the response to the delete of this employee's own item, not to one of its hints. */
const loseItemDelete = (id: string) =>
  recorder.loseResponse({ operation: 'DeleteItem', when: (body) => body?.Key?.id?.S === id });

for (const ifMatch of [true, false]) {
  t.test(
    `DELETE ${ifMatch ? 'with' : 'without'} If-Match: lost DeleteItem response → 204, all gone`,
    async (t) => {
      const e = await employeeWithPhoto(t, `Lost Delete ${ifMatch ? 'Matched' : 'Plain'}`);
      recorder.operations.length = 0;
      loseItemDelete(e.id);
      const out = await api(server.url, `/api/employees/${e.id}`, {
        method: 'DELETE',
        headers: ifMatch ? { 'if-match': `"${e.version}"` } : {},
      });
      t.equal(out.status, 204, JSON.stringify(out.body));
      await allGone(t, e);
    },
  );
}

t.test('delete page: lost DeleteItem response → 303 "Deleted!", all gone', async (t) => {
  const e = await employeeWithPhoto(t, 'Lost Page Delete');
  const browser = new FakeBrowser(await signedInTransport(standins, server.url), server.url);
  t.equal((await browser.get(`/delete/${e.id}`)).status, 200);
  recorder.operations.length = 0;
  loseItemDelete(e.id);
  const res = await browser.post(`/delete/${e.id}`, { version: String(e.version) });
  t.equal(res.status, 303, await res.text());
  t.equal(res.headers.get('location'), '/');
  await allGone(t, e);
});

t.test('POST: lost response to the item PutItem → 201, one employee, searchable', async (t) => {
  // The hints go first; lose the answer to the employee's own item (it has a fullName).
  recorder.loseResponse({
    operation: 'PutItem',
    when: (body) => body?.Item?.fullName !== undefined,
  });
  const out = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Retried Create', location: 'Porto', jobTitle: 'J' },
  });
  t.equal(recorder.pendingLosses(), 0, 'the item PutItem response was lost');
  t.equal(out.status, 201, JSON.stringify(out.body));
  const { body: list } = await api(server.url, '/api/employees?limit=100');
  const named = list.items.filter((i: { fullName: string }) => i.fullName === 'Retried Create');
  t.same(
    named.map((i: { id: string; version: number }) => [i.id, i.version]),
    [[out.body.id, 1]],
    'exactly one employee, at version 1',
  );
  const { body: found } = await api(server.url, '/api/employees?q=retried');
  t.same(
    found.items.map((i: { id: string }) => i.id),
    [out.body.id],
    'findable by search',
  );
});

t.test('store update() without a version: lost UpdateItem response → version +1', async (t) => {
  const client = new DynamoDBClient({
    ...dynamoDbClientConfig(standins.ddb),
    endpoint: recorder.endpoint,
  });
  t.teardown(() => client.destroy());
  const store = new DynamoDbEmployeeStore(client, TABLE_NAME);
  const { body: e } = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Unpinned Update', location: 'L', jobTitle: 'J' },
  });
  recorder.operations.length = 0;
  recorder.loseNextResponse(['UpdateItem']);
  const updatedAt = new Date(Date.parse(e.updatedAt) + 1000).toISOString();
  const { before, after } = await store.update(e.id, { jobTitle: 'Once' }, { updatedAt });
  t.equal(recorder.pendingLosses(), 0, 'the UpdateItem response was lost');
  t.equal(recorder.operations.filter((o) => o === 'UpdateItem').length, 2, 'the SDK retried');
  t.same([before.version, after.version, after.jobTitle], [1, 2, 'Once']);
  const stored = await store.get(e.id);
  t.same([stored?.version, stored?.jobTitle], [2, 'Once'], 'applied exactly once');
});
