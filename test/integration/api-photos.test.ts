// Photos through the real SDK into s3rver: the stored PNG, presigned URLs, no orphaned objects.
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import { localAwsCredentials } from '../support/local-aws.js';
import { api, PHOTOS_BUCKET, startApi, startApiStandins } from './api-harness.js';

const standins = await startApiStandins();
t.teardown(() => standins.stop());
const server = await startApi(standins);
t.teardown(() => server.close());

async function storedKeys(): Promise<string[]> {
  const out = await standins.s3Client.send(new ListObjectsV2Command({ Bucket: PHOTOS_BUCKET }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function storedObject(key: string) {
  const out = await standins.s3Client.send(
    new GetObjectCommand({ Bucket: PHOTOS_BUCKET, Key: key }),
  );
  return { bytes: await out.Body?.transformToByteArray(), contentType: out.ContentType };
}

// Stored 300x200 with EXIF orientation 6, so it displays 200x300 (portrait).
const photo = async () =>
  new Uint8Array(
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#c33' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer(),
  );

async function putPhoto(
  id: string,
  bytes: Uint8Array<ArrayBuffer>,
  type = 'image/jpeg',
  baseUrl = server.url,
) {
  const res = await fetch(`${baseUrl}/api/employees/${id}/photo`, {
    method: 'PUT',
    headers: { 'content-type': type, authorization: `Bearer ${standins.token}` },
    body: bytes,
  });
  return { status: res.status, body: await res.json() };
}

/** Where GET /api/employees/:id/photo redirects: the presigned URL of the moment. */
async function signedUrl(id: string, baseUrl = server.url): Promise<string> {
  const res = await fetch(`${baseUrl}/api/employees/${id}/photo`, {
    headers: { authorization: `Bearer ${standins.token}` },
    redirect: 'manual',
  });
  if (res.status !== 302) throw new Error(`GET photo answered ${res.status}`);
  return res.headers.get('location') ?? '';
}

t.test('upload → 120x160 transparent PNG in S3 → presigned URL that serves it', async (t) => {
  const { body: e } = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Pic', location: 'L', jobTitle: 'J' },
  });
  const put = await putPhoto(e.id, await photo());
  t.equal(put.status, 200);
  t.match(put.body.photoKey, /^employee-pic\/[0-9a-f]{32}\.png$/);
  const stored = await storedObject(put.body.photoKey);
  t.equal(stored.contentType, 'image/png');
  const meta = await sharp(stored.bytes).metadata();
  t.same([meta.format, meta.width, meta.height, meta.hasAlpha], ['png', 120, 160, true]);
  const { data } = await sharp(stored.bytes).raw().toBuffer({ resolveWithObject: true });
  // Displayed 200x300 fits as 107x160: transparent columns at both sides, opaque centre.
  t.equal(data[(80 * 120 + 2) * 4 + 3], 0, 'left margin transparent');
  t.equal(data[(80 * 120 + 60) * 4 + 3], 255, 'centre opaque');
  t.equal(put.body.photoUrl, `/api/employees/${e.id}/photo`, 'the stable path');
  const location = await signedUrl(e.id);
  t.ok(location.startsWith(`${standins.s3.endpoint}/${PHOTOS_BUCKET}/${put.body.photoKey}?`));
  t.match(location, /X-Amz-Signature=/);
  // What a browser's <img> does: our path, then the presigned URL it redirects to.
  const fetched = await fetch(`${server.url}${put.body.photoUrl}`, {
    headers: { authorization: `Bearer ${standins.token}` },
  });
  t.equal(fetched.status, 200);
  t.same(
    new Uint8Array(await fetched.arrayBuffer()),
    stored.bytes,
    'the URL serves the stored PNG',
  );
});

/** The API on a clock the test moves, so it can see when a photo URL is signed again. */
async function startClockedApi(t: Test, options: Parameters<typeof startApi>[2] = {}) {
  const clock = { nowMs: Date.now() };
  const clocked = await startApi(standins, {}, { now: () => clock.nowMs, ...options });
  t.teardown(() => clocked.close());
  const startedMs = clock.nowMs;
  return { clock, startedMs, url: clocked.url };
}

/** X-Amz-Date of a presigned URL, in ms: when it was signed. */
function signedAtMs(url: string): number {
  const stamp = new URL(url).searchParams.get('X-Amz-Date') ?? '';
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(stamp);
  if (!m) throw new Error(`no X-Amz-Date in ${url}`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s);
}

const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;

t.test('the same URL is reused across views (signed once per photo)', async (t) => {
  const { clock, startedMs, url } = await startClockedApi(t);
  const { body: e } = await api(url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Reuse', location: 'L', jobTitle: 'J' },
  });
  await putPhoto(e.id, await photo(), 'image/jpeg', url);
  const firstUrl = await signedUrl(e.id, url);
  t.equal(signedAtMs(firstUrl), seconds(startedMs), 'signed at the app clock');
  // Each view a later second: a URL signed again would carry another X-Amz-Date.
  for (const laterMs of [1_000, 60_000, 500_000]) {
    clock.nowMs = startedMs + laterMs;
    t.equal(await signedUrl(e.id, url), firstUrl, `reused ${laterMs / 1000} s later`);
  }
  // Two thirds into its 900 s life the URL is signed anew, at that time.
  clock.nowMs = startedMs + 601_000;
  const late = await signedUrl(e.id, url);
  t.not(late, firstUrl, 're-signed near expiry');
  t.equal(signedAtMs(late), seconds(clock.nowMs));
});

t.test('a URL is never reused past the expiry of the credentials that signed it', async (t) => {
  const credentialsEndMs = { value: 0 };
  const { clock, startedMs, url } = await startClockedApi(t, {
    // Credentials that expire 10 minutes in, before the URL's own 15 minutes are up.
    credentials: async () => ({
      ...localAwsCredentials(),
      expiration: new Date(credentialsEndMs.value),
    }),
  });
  credentialsEndMs.value = startedMs + 600_000;
  const { body: e } = await api(url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Expiring', location: 'L', jobTitle: 'J' },
  });
  await putPhoto(e.id, await photo(), 'image/jpeg', url);
  const firstUrl = await signedUrl(e.id, url);
  clock.nowMs = startedMs + 200_000;
  t.equal(await signedUrl(e.id, url), firstUrl);
  // The URL lives until the credentials die (600 s), and is re-signed a third of 900 s before:
  // at 400 s it is due, while a URL trusted for its full 900 s would still be reused.
  clock.nowMs = startedMs + 400_000;
  const due = await signedUrl(e.id, url);
  t.not(due, firstUrl, 'signed again before the credentials expire');
  t.equal(signedAtMs(due), seconds(clock.nowMs));
});

t.test(
  'replacing and deleting photos, and deleting employees, leave no objects behind',
  async (t) => {
    const before = await storedKeys();
    const { body: e } = await api(server.url, '/api/employees', {
      method: 'POST',
      body: { fullName: 'Churn', location: 'L', jobTitle: 'J' },
    });
    const first = await putPhoto(e.id, await photo());
    const second = await putPhoto(e.id, await photo());
    t.not(second.body.photoKey, first.body.photoKey);
    t.same(await storedKeys(), [...before, second.body.photoKey].sort(), 'first object deleted');
    const removed = await api(server.url, `/api/employees/${e.id}/photo`, { method: 'DELETE' });
    t.equal(removed.status, 200);
    t.equal(removed.body.photoKey, undefined);
    t.same(await storedKeys(), before, 'second object deleted');
    const third = await putPhoto(e.id, await photo());
    t.same(await storedKeys(), [...before, third.body.photoKey].sort());
    t.equal((await api(server.url, `/api/employees/${e.id}`, { method: 'DELETE' })).status, 204);
    t.same(await storedKeys(), before, 'deleted with the employee');
  },
);

t.test('non-images are 415 and store nothing', async (t) => {
  const before = await storedKeys();
  const { body: e } = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Bad', location: 'L', jobTitle: 'J' },
  });
  const res = await putPhoto(e.id, new TextEncoder().encode('%PDF-1.7 not an image'), 'image/png');
  t.equal(res.status, 415);
  t.equal(res.body.error.code, 'unsupported_media_type');
  t.same(await storedKeys(), before);
});
