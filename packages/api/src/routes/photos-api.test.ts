import sharp from 'sharp';
import t from 'tap';
import { createTestDeps } from '../../test-support/fake-deps.js';
import { sampleImage } from '../../test-support/sample-images.js';
import { accessToken, signedInApp, withBearer } from '../../test-support/sign-in.js';
import { createApp } from '../app.js';
import { ImageJobs } from '../photos/image-jobs.js';
import { PHOTO_LIMITS, toPortraitPng } from '../photos/photo-processor.js';

async function setup() {
  const { deps, app } = await signedInApp({}, 'editor');
  const put = (id: string, body: BodyInit, type: string, headers: Record<string, string> = {}) =>
    app.request(`/api/employees/${id}/photo`, {
      method: 'PUT',
      // FormData bodies set their own multipart type with the boundary.
      headers: type ? { 'content-type': type, ...headers } : headers,
      body,
    });
  return { deps, app, put };
}

t.test('PUT a raw image of each type: stored as PNG, version bumped, URL returned', async (t) => {
  const { deps, put } = await setup();
  const e = deps.seed();
  let version = 1;
  for (const format of ['jpeg', 'png', 'webp', 'gif'] as const) {
    // The declared type is ignored: the bytes decide.
    const res = await put(e.id, await sampleImage(50, 50, format), 'application/octet-stream');
    t.equal(res.status, 200, format);
    version += 1;
    const body = await res.json();
    t.equal(body.version, version);
    t.match(body.photoKey, /^employee-pic\/[0-9a-f]{32}\.png$/);
    t.equal(body.photoUrl, `/api/employees/${e.id}/photo`, 'the stable path, never a signed URL');
    t.equal(res.headers.get('etag'), `"${version}"`);
  }
  t.equal(deps.photos.objects.size, 1, 'each replacement deleted the previous object');
});

t.test('PUT as multipart works too; If-Match is checked when sent', async (t) => {
  const { deps, put } = await setup();
  const e = deps.seed({ version: 3 });
  const form = () => {
    const f = new FormData();
    f.append('photo', new Blob([sampleBytes]), 'me.png');
    return f;
  };
  const sampleBytes = await sampleImage(20, 20, 'png');
  const stale = await put(e.id, form(), '', { 'if-match': '"2"' });
  t.equal(stale.status, 412);
  t.equal(deps.photos.objects.size, 0, 'the uploaded object was removed again');
  const res = await put(e.id, form(), '', { 'if-match': '"3"' });
  t.equal(res.status, 200);
});

t.test('refuses other types (415), big bodies (413), and unknown employees (404)', async (t) => {
  const { deps, put } = await setup();
  const e = deps.seed();
  const svg = '<svg xmlns="http://www.w3.org/2000/svg"/>';
  t.equal((await put(e.id, svg, 'image/svg+xml')).status, 415);
  t.equal((await put(e.id, svg, 'text/plain')).status, 415);
  const big = new Uint8Array(PHOTO_LIMITS.maxBytes + 1);
  big.set([0xff, 0xd8, 0xff]);
  const tooBig = await put(e.id, big, 'image/jpeg');
  t.equal(tooBig.status, 413);
  t.equal((await tooBig.json()).error.code, 'payload_too_large');
  t.equal(
    (await put('00000000-0000-4000-8000-000000000000', await sampleImage(5, 5), 'image/jpeg'))
      .status,
    404,
  );
  t.equal(deps.photos.objects.size, 0, 'nothing left behind');
  t.equal(deps.employees.items.get(e.id)?.version, 1);
});

t.test('a photo of about 2 MB is accepted (the JSON body limit does not apply)', async (t) => {
  const { deps, put } = await setup();
  const e = deps.seed();
  const noise = new Uint8Array(1200 * 1200 * 3).map((_, i) => (i * 2654435761) >>> 24);
  const jpeg = await sharp(noise, { raw: { width: 1200, height: 1200, channels: 3 } })
    .jpeg({ quality: 100 })
    .toBuffer();
  t.ok(jpeg.length > 1024 * 1024, `${jpeg.length} bytes`);
  const res = await put(e.id, new Uint8Array(jpeg), 'image/jpeg');
  t.equal(res.status, 200);
});

t.test('DELETE photo removes the object and the key', async (t) => {
  const { deps, app } = await setup();
  const e = deps.seed({ withPhoto: true });
  const res = await app.request(`/api/employees/${e.id}/photo`, { method: 'DELETE' });
  t.equal(res.status, 200);
  const body = await res.json();
  t.equal(body.photoKey, undefined);
  t.equal(body.version, 2);
  t.equal(deps.photos.objects.size, 0);
  const again = await app.request(`/api/employees/${e.id}/photo`, { method: 'DELETE' });
  t.equal((await again.json()).version, 2, 'idempotent: no photo, no write');
  const stale = await app.request(`/api/employees/${e.id}/photo`, {
    method: 'DELETE',
    headers: { 'if-match': '"1"' },
  });
  t.equal(stale.status, 412);
});

t.test('a failed S3 upload is a 503 and the item is untouched', async (t) => {
  const { deps, put } = await setup();
  const e = deps.seed({ withPhoto: true });
  deps.photos.failing.add('put');
  const res = await put(e.id, await sampleImage(10, 10), 'image/jpeg');
  t.equal(res.status, 503);
  t.equal((await res.json()).error.code, 'upstream_unavailable');
  t.same(deps.employees.items.get(e.id), e);
});

/** The app with its image jobs replaced: `processed` counts decodes, `hold` keeps them running. */
async function countingApp(maxConcurrent: number) {
  const deps = createTestDeps();
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const started: number[] = [];
  const images = new ImageJobs(maxConcurrent, async (bytes) => {
    started.push(bytes.byteLength);
    await held;
    return toPortraitPng(bytes);
  });
  const app = withBearer(
    createApp({ ...deps, images }),
    await accessToken(deps.oidc, deps.now(), { role: 'editor' }),
  );
  const put = (id: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
    app.request(`/api/employees/${id}/photo`, {
      method: 'PUT',
      headers: { 'content-type': 'image/png', ...headers },
      body,
    });
  return { deps, images, started, release, put };
}

t.test('an unknown id is a 404 before any decode or upload', async (t) => {
  const { deps, started, release, put } = await countingApp(2);
  release();
  const res = await put('4f7c2a5e-1b3d-4c6e-8f9a-0b1c2d3e4f5a', await sampleImage(50, 50, 'png'));
  t.equal(res.status, 404);
  t.same(started, [], 'no image job ran');
  t.equal(deps.photos.objects.size, 0, 'nothing uploaded');
});

t.test('a stale If-Match is a 412 before any decode or upload', async (t) => {
  const { deps, started, release, put } = await countingApp(2);
  release();
  const e = deps.seed({ version: 4 });
  const res = await put(e.id, await sampleImage(50, 50, 'png'), { 'if-match': '"3"' });
  t.equal(res.status, 412);
  t.equal(res.headers.get('etag'), '"4"');
  t.same(started, [], 'no image job ran');
  t.equal(deps.photos.objects.size, 0, 'nothing uploaded');
});

t.test('image jobs over the limit are 503 server_busy with Retry-After, not queued', async (t) => {
  const { deps, images, started, release, put } = await countingApp(1);
  const e = deps.seed();
  const png = await sampleImage(50, 50, 'png');
  const first = put(e.id, png);
  while (started.length === 0) await new Promise((resolve) => setImmediate(resolve));
  const second = await put(e.id, png);
  t.equal(second.status, 503);
  t.equal((await second.json()).error.code, 'server_busy');
  t.ok(Number(second.headers.get('retry-after')) > 0, 'Retry-After says when');
  t.equal(started.length, 1, 'the excess job never started');
  release();
  t.equal((await first).status, 200);
  t.equal(images.running, 0, 'the slot is free again');
  t.equal((await put(e.id, png)).status, 200);
});

t.test(
  'GET the photo: a 302 to a fresh presigned URL, never cached; 404 without one',
  async (t) => {
    const { deps, app } = await setup();
    const e = deps.seed({ withPhoto: true });
    const path = `/api/employees/${e.id}/photo`;
    const first = await app.request(path);
    t.equal(first.status, 302);
    t.equal(first.headers.get('location'), `https://photos.example.test/${e.photoKey}?signature=1`);
    t.equal(first.headers.get('cache-control'), 'private, no-store');
    // The JSON body holds only the path, so its ETag and a 304 stay right however old they are.
    const view = await app.request(`/api/employees/${e.id}`);
    t.equal((await view.json()).photoUrl, path);
    const etag = view.headers.get('etag') ?? '';
    deps.advance(deps.config.photoUrlTtlSeconds * 1000);
    t.equal(
      (await app.request(`/api/employees/${e.id}`, { headers: { 'if-none-match': etag } })).status,
      304,
    );
    const later = await app.request(path);
    t.equal(
      later.headers.get('location'),
      `https://photos.example.test/${e.photoKey}?signature=2`,
      're-signed',
    );
    const bare = deps.seed();
    const none = await app.request(`/api/employees/${bare.id}/photo`);
    t.equal(none.status, 404);
    t.equal((await none.json()).error.code, 'not_found');
    t.equal(
      (await app.request('/api/employees/4f7c2a5e-1b3d-4c6e-8f9a-0b1c2d3e4f5a/photo')).status,
      404,
    );
    deps.photos.failing.add('presign');
    deps.advance(deps.config.photoUrlTtlSeconds * 1000);
    const unsigned = await app.request(path);
    t.equal(unsigned.status, 503, 'S3 cannot sign: 503, no redirect to nowhere');
    t.equal((await unsigned.json()).error.code, 'upstream_unavailable');
  },
);
