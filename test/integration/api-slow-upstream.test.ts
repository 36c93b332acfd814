// DynamoDB or S3 answering later than the SDK's timeouts, or never: the API answers 503
// upstream_unavailable in bounded time, writes nothing half-way, and recovers on its own.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import t, { type Test } from 'tap';
import { startStallingProxy } from '../support/stalling-proxy.js';
import { api, PHOTOS_BUCKET, startApi, startApiStandins } from './api-harness.js';

const MESSAGE = 'The directory is temporarily unavailable. Try again in a moment.';

/** Stand-ins behind stalling proxies, the API with short SDK timeouts, and one employee. */
async function slowStack(t: Test) {
  const standins = await startApiStandins();
  t.teardown(() => standins.stop());
  const ddb = await startStallingProxy(standins.ddb.endpoint);
  const s3 = await startStallingProxy(standins.s3.endpoint);
  t.teardown(() => Promise.all([ddb.close(), s3.close()]));
  const server = await startApi(standins, {
    DYNAMODB_ENDPOINT: ddb.endpoint,
    S3_ENDPOINT: s3.endpoint,
    // Per attempt; three attempts keep every stalled request to a few seconds even on a loaded machine.
    AWS_TIMEOUT_MS: '500',
    READINESS_CACHE_MS: '0',
  });
  t.teardown(() => server.close());
  const created = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Ada', location: 'London', jobTitle: 'Analyst' },
  });
  t.equal(created.status, 201, `the first employee is created: ${JSON.stringify(created.body)}`);
  const ada = created.body;
  const photoExists = (key: string) =>
    standins.s3Client.send(new HeadObjectCommand({ Bucket: PHOTOS_BUCKET, Key: key })).then(
      () => true,
      () => false,
    );
  const page = (path: string) =>
    fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${standins.token}` } });
  return { standins, ddb, s3, server, ada, photoExists, page };
}

async function png() {
  const sharp = (await import('sharp')).default;
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#123' } })
    .png()
    .toBuffer();
}

function uploadPhoto(stack: Awaited<ReturnType<typeof slowStack>>, photo: Buffer) {
  return fetch(`${stack.server.url}/api/employees/${stack.ada.id}/photo`, {
    method: 'PUT',
    headers: { 'content-type': 'image/png', authorization: `Bearer ${stack.standins.token}` },
    body: new Uint8Array(photo),
  });
}

function isUnavailable(t: Test, res: { status: number; body: { error?: unknown } }, what: string) {
  t.equal(res.status, 503, `${what}: 503`);
  t.match(res.body.error, { code: 'upstream_unavailable', message: MESSAGE }, `${what}: code`);
}

for (const mode of ['hang', 'slow'] as const) {
  t.test(`DynamoDB ${mode}: pages and JSON are 503, then the API recovers`, async (t) => {
    const stack = await slowStack(t);
    const { server, ada, ddb } = stack;
    ddb.setMode(mode);
    isUnavailable(t, await api(server.url, '/api/employees'), 'JSON list');
    isUnavailable(t, await api(server.url, `/api/employees/${ada.id}`), 'JSON get');
    const create = await api(server.url, '/api/employees', {
      method: 'POST',
      body: { fullName: 'Bea', location: 'Oslo', jobTitle: 'Engineer' },
    });
    isUnavailable(t, create, 'JSON create');
    const patch = await api(server.url, `/api/employees/${ada.id}`, {
      method: 'PATCH',
      body: { location: 'Paris' },
      headers: { 'if-match': '"1"' },
    });
    isUnavailable(t, patch, 'JSON patch');
    for (const path of ['/', `/employee/${ada.id}`]) {
      const res = await stack.page(path);
      t.equal(res.status, 503, `page ${path}: 503`);
      const html = await res.text();
      t.match(html, 'The directory is temporarily unavailable', `page ${path}: message`);
      t.notMatch(html, /TimeoutError|DynamoDB|at \w+ \(/, `page ${path}: no cause leaked`);
    }
    t.ok(ddb.stalled > 0, 'the requests really went through the stalling proxy');

    ddb.setMode('pass');
    const list = await api(server.url, '/api/employees');
    t.equal(list.status, 200, 'recovered without a restart');
    const after = await api(server.url, `/api/employees/${ada.id}`);
    t.equal(after.status, 200);
    const { version, location } = after.body;
    t.ok(
      (version === 1 && location === 'London') || (version === 2 && location === 'Paris'),
      `the item is at the old or the new version, not between (${version}, ${location})`,
    );
    if (mode === 'hang') t.equal(version, 1, 'a write that never reached DynamoDB did not happen');
  });
}

t.test('DynamoDB slow during a photo upload: photoKey names an existing object', async (t) => {
  const stack = await slowStack(t);
  const photo = await png();
  stack.ddb.setMode('slow');
  const res = await uploadPhoto(stack, photo);
  t.equal(res.status, 503);
  t.match((await res.json()).error, { code: 'upstream_unavailable' });
  stack.ddb.setMode('pass');
  const { body: after } = await api(stack.server.url, `/api/employees/${stack.ada.id}`);
  if (after.photoKey) {
    t.ok(await stack.photoExists(after.photoKey), 'the late write points at a stored photo');
  } else t.equal(after.version, 1, 'or the item is unchanged');
});

for (const mode of ['hang', 'slow'] as const) {
  t.test(`S3 ${mode}: the upload is 503, the item unchanged, then uploads work`, async (t) => {
    const stack = await slowStack(t);
    const photo = await png();
    stack.s3.setMode(mode);
    const res = await uploadPhoto(stack, photo);
    t.equal(res.status, 503);
    t.match((await res.json()).error, { code: 'upstream_unavailable', message: MESSAGE });
    t.ok(stack.s3.stalled > 0, 'the upload really went through the stalling proxy');
    stack.s3.setMode('pass');
    t.match((await api(stack.server.url, `/api/employees/${stack.ada.id}`)).body, {
      version: 1,
      photoKey: undefined,
    });
    const again = await uploadPhoto(stack, photo);
    t.equal(again.status, 200, 'recovered without a restart');
    const { body: after } = await api(stack.server.url, `/api/employees/${stack.ada.id}`);
    t.ok(await stack.photoExists(after.photoKey), 'the new photoKey names a stored object');
  });
}
