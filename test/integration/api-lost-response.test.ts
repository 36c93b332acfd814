// A DynamoDB write whose response is lost (applied, then the socket reset) is retried by the real
// SDK; the retry fails its version condition. The API must still answer success and keep the photo.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import t from 'tap';
import { startDynamoDbRecorder } from '../support/dynamodb-recorder.js';
import { api, PHOTOS_BUCKET, startApi, startApiStandins } from './api-harness.js';

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
    const res = await fetch(`${server.url}/api/employees/${e.id}/photo`, {
      method: 'PUT',
      headers: {
        'content-type': 'image/jpeg',
        'if-match': `"${e.version}"`,
        authorization: `Bearer ${standins.token}`,
      },
      body: await jpeg(),
    });
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
