import t from 'tap';
import { MemoryPhotoStore } from '../../test-support/memory-photo-store.js';
import { createLogger } from '../log.js';
import { PhotoUrlCache } from './photo-url-cache.js';

function setup() {
  let nowMs = 1_000_000;
  const now = () => nowMs;
  const photos = new MemoryPhotoStore(now, 900);
  const cache = new PhotoUrlCache(photos, {
    now,
    refreshBeforeMs: 300_000,
    logger: createLogger('silent'),
  });
  return { photos, cache, advance: (ms: number) => (nowMs += ms) };
}

t.test('signs once per key and reuses the URL until it nears expiry', async (t) => {
  const { photos, cache, advance } = setup();
  const first = await cache.urlFor('employee-pic/a.png');
  t.equal(await cache.urlFor('employee-pic/a.png'), first);
  t.equal(photos.signCount, 1);
  advance(599_000);
  t.equal(await cache.urlFor('employee-pic/a.png'), first, 'still 301 s of life left');
  advance(2_000);
  const second = await cache.urlFor('employee-pic/a.png');
  t.not(second, first, 're-signed with under 300 s left');
  t.equal(photos.signCount, 2);
});

t.test('concurrent requests for one key share one signing', async (t) => {
  const { photos, cache } = setup();
  const urls = await Promise.all(
    Array.from({ length: 20 }, () => cache.urlFor('employee-pic/b.png')),
  );
  t.equal(new Set(urls).size, 1);
  t.equal(photos.signCount, 1);
});

t.test('urlsFor dedupes keys; a signing failure leaves the photo out', async (t) => {
  const { photos, cache } = setup();
  const urls = await cache.urlsFor([
    'employee-pic/a.png',
    undefined,
    'employee-pic/a.png',
    'employee-pic/c.png',
  ]);
  t.same([...urls.keys()], ['employee-pic/a.png', 'employee-pic/c.png']);
  t.equal(photos.signCount, 2);
  photos.failing.add('presign');
  t.equal(await cache.urlFor('employee-pic/d.png'), undefined);
  t.equal(
    await cache.urlFor('employee-pic/a.png'),
    urls.get('employee-pic/a.png'),
    'cached still served',
  );
});

t.test('forget drops a key so a deleted photo is never served from cache', async (t) => {
  const { photos, cache } = setup();
  await cache.urlFor('employee-pic/a.png');
  cache.forget('employee-pic/a.png');
  await cache.urlFor('employee-pic/a.png');
  t.equal(photos.signCount, 2);
});
