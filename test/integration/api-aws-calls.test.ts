// Records the exact (IAM action, resource) pairs the API sends to AWS while it exercises every
// route that touches AWS, and checks them against test/fixtures/recorded-aws-calls.json, which
// deploy's least-privilege test reads. Regenerate after a deliberate change with:
//   UPDATE_RECORDED_AWS_CALLS=1 npx tap --disable-coverage test/integration/api-aws-calls.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import { FakeBrowser } from '../../packages/api/test-support/fake-browser.js';
import { API_IAM_ACTIONS, photoKeySchema } from '../../packages/shared/dist/index.js';
import {
  api,
  PHOTOS_BUCKET,
  signedInTransport,
  startApi,
  startApiStandins,
  TABLE_NAME,
} from './api-harness.js';

interface AwsCall {
  action: string;
  resource: string;
}

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recorded-aws-calls.json');
const REGENERATE =
  'UPDATE_RECORDED_AWS_CALLS=1 npx tap --disable-coverage test/integration/api-aws-calls.test.ts';

// Operations whose IAM action is not named after them.
const ACTION_FOR: Record<string, string> = {
  's3:HeadBucket': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
};

function toCall(clientName: string, commandName: string, input: Record<string, unknown>): AwsCall {
  const service =
    clientName === 'S3Client' ? 's3' : clientName === 'DynamoDBClient' ? 'dynamodb' : clientName;
  const operation = `${service}:${commandName.replace(/Command$/, '')}`;
  const action = ACTION_FOR[operation] ?? operation;
  if (service === 'dynamodb') {
    // BatchGetItem names its table in RequestItems, not TableName.
    const tableName = input.TableName ?? Object.keys(input.RequestItems ?? {}).join(',');
    const table = tableName === TABLE_NAME ? `\${Table}` : String(tableName);
    const index = input.IndexName ? `/index/${String(input.IndexName)}` : '';
    return { action, resource: `arn:aws:dynamodb:\${Region}:\${Account}:table/${table}${index}` };
  }
  const bucket = input.Bucket === PHOTOS_BUCKET ? `\${Bucket}` : String(input.Bucket);
  if (input.Key === undefined) return { action, resource: `arn:aws:s3:::${bucket}` };
  // Photo keys are random; any key outside employee-pic/ stays literal and fails the comparison.
  const key = photoKeySchema.safeParse(input.Key).success ? 'employee-pic/*' : String(input.Key);
  return { action, resource: `arn:aws:s3:::${bucket}/${key}` };
}

const standins = await startApiStandins();
t.teardown(() => standins.stop());

/** An API of the test's own whose SDK clients record every call they make (or presign). */
async function recordingApi(t: Test) {
  const server = await startApi(standins, { READINESS_CACHE_MS: '0' });
  t.teardown(() => server.close());
  const seen = new Map<string, AwsCall>();
  function record(context: { clientName?: string; commandName?: string }, input: object): void {
    const call = toCall(
      String(context.clientName),
      String(context.commandName),
      input as Record<string, unknown>,
    );
    seen.set(`${call.action} ${call.resource}`, call);
  }
  // Initialize runs for sent commands and for presigning (getSignedUrl clones the client's stack).
  const recorderOptions = { step: 'initialize', name: 'recordAwsCalls' } as const;
  server.deps.aws.dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      record(context, args.input);
      return next(args);
    },
    recorderOptions,
  );
  server.deps.aws.s3.middlewareStack.add(
    (next, context) => async (args) => {
      record(context, args.input);
      return next(args);
    },
    recorderOptions,
  );
  return { server, seen };
}

/** Every route that reaches AWS, each checked to succeed. */
async function exerciseEveryRoute(t: Test, server: { url: string }) {
  t.equal((await api(server.url, '/readyz')).status, 200);
  const { body: e } = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Recorder', location: 'Here', jobTitle: 'Auditor' },
  });
  const jpeg = await sharp({ create: { width: 30, height: 40, channels: 3, background: '#555' } })
    .jpeg()
    .toBuffer();
  const put = await fetch(`${server.url}/api/employees/${e.id}/photo`, {
    method: 'PUT',
    headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${standins.token}` },
    body: new Uint8Array(jpeg),
  });
  t.equal(put.status, 200);
  t.equal((await api(server.url, '/api/employees')).status, 200);
  t.equal((await api(server.url, '/api/employees?q=rec&badge=apple')).status, 200);
  t.equal((await api(server.url, `/api/employees/${e.id}`)).status, 200);
  // The photo route presigns a GetObject: the one place the API needs s3:GetObject.
  const photo = await fetch(`${server.url}/api/employees/${e.id}/photo`, {
    headers: { authorization: `Bearer ${standins.token}` },
    redirect: 'manual',
  });
  t.equal(photo.status, 302);
  const patched = await api(server.url, `/api/employees/${e.id}`, {
    method: 'PATCH',
    body: { location: 'There' },
    headers: { 'if-match': '"2"' },
  });
  t.equal(patched.status, 200);
  const browser = new FakeBrowser(await signedInTransport(standins, server.url), server.url);
  const pages = ['/', `/employee/${e.id}`, `/edit/${e.id}`, `/delete/${e.id}`, '/add', '/info'];
  for (const path of pages) {
    t.equal((await browser.get(path)).status, 200, path);
  }
  const saved = await browser.post(
    '/save',
    {
      employee_id: e.id,
      version: '3',
      full_name: 'Recorder',
      location: 'Anywhere',
      job_title: 'Auditor',
      photo: new Blob([new Uint8Array(jpeg)]),
    },
    { multipart: true },
  );
  t.equal(saved.status, 303);
  const removedPhoto = await api(server.url, `/api/employees/${e.id}/photo`, { method: 'DELETE' });
  t.equal(removedPhoto.status, 200);
  await browser.get(`/delete/${e.id}`);
  t.equal((await browser.post(`/delete/${e.id}`, { version: '5' })).status, 303);
}

t.test('every route that reaches AWS makes only the calls of the committed fixture', async (t) => {
  const { server, seen } = await recordingApi(t);
  await exerciseEveryRoute(t, server);
  const recorded = [...seen.values()].sort(
    (a, b) => a.action.localeCompare(b.action) || a.resource.localeCompare(b.resource),
  );
  for (const call of recorded) {
    t.ok(
      API_IAM_ACTIONS.some((grant) => grant.action === call.action),
      `${call.action} is declared in API_IAM_ACTIONS`,
    );
  }
  const kinds: Record<string, RegExp> = {
    table: /^arn:aws:dynamodb:\$\{Region\}:\$\{Account\}:table\/\$\{Table\}$/,
    'table-indexes':
      /^arn:aws:dynamodb:\$\{Region\}:\$\{Account\}:table\/\$\{Table\}\/index\/byName$/,
    bucket: /^arn:aws:s3:::\$\{Bucket\}$/,
    'photo-objects': /^arn:aws:s3:::\$\{Bucket\}\/employee-pic\/\*$/,
  };
  for (const call of recorded) {
    const grant = API_IAM_ACTIONS.find((g) => g.action === call.action);
    if (grant)
      t.match(call.resource, kinds[grant.resource] ?? /^$/, `${call.action} on its resource kind`);
  }
  const text = `${JSON.stringify(recorded, null, 2)}\n`;
  if (process.env.UPDATE_RECORDED_AWS_CALLS === '1') {
    writeFileSync(FIXTURE, text);
    t.comment(`wrote ${FIXTURE}`);
  }
  const committed = existsSync(FIXTURE) ? readFileSync(FIXTURE, 'utf8') : '(missing)';
  t.equal(
    text,
    committed,
    `the API's AWS calls changed; review, then regenerate with: ${REGENERATE}`,
  );
});
