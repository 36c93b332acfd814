import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import t from 'tap';
import { opaqueBox, pngAlphaAt, sampleImage } from '../../test-support/sample-images.js';
import { AppError } from '../errors.js';
import { detectImageType } from './image-type.js';
import { PHOTO_LIMITS, toPortraitPng } from './photo-processor.js';

t.test('detects JPEG, PNG, WebP and GIF from their bytes only', async (t) => {
  for (const format of ['jpeg', 'png', 'webp', 'gif'] as const) {
    t.equal(detectImageType(await sampleImage(4, 4, format)), format);
  }
  t.equal(
    detectImageType(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')),
    undefined,
  );
  t.equal(detectImageType(new Uint8Array([0xff, 0xd8])), undefined, 'too short');
  t.equal(
    detectImageType(new TextEncoder().encode('RIFF\0\0\0\0WAVE')),
    undefined,
    'RIFF but not WebP',
  );
});

t.test('output is always a 120x160 PNG with transparency', async (t) => {
  for (const format of ['jpeg', 'png', 'webp', 'gif'] as const) {
    const png = await toPortraitPng(await sampleImage(600, 300, format));
    const meta = await sharp(png).metadata();
    t.equal(meta.format, 'png', format);
    t.equal(meta.width, 120);
    t.equal(meta.height, 160);
    t.equal(meta.hasAlpha, true);
  }
});

t.test('a wide image fits the width, centred vertically on a transparent canvas', async (t) => {
  const png = await toPortraitPng(await sampleImage(600, 300));
  t.same(await opaqueBox(png), { width: 120, height: 60, left: 0, top: 50 });
  t.equal((await pngAlphaAt(png, 60, 10)).alpha, 0, 'transparent above');
  t.equal((await pngAlphaAt(png, 60, 80)).alpha, 255, 'opaque photo');
});

t.test(
  'a tall narrow image is scaled to fit the height (the original compared tuples)',
  async (t) => {
    // (100, 500) < (120, 160) as tuples, so the original left this image at 100x500.
    const png = await toPortraitPng(await sampleImage(100, 500));
    t.same(await opaqueBox(png), { width: 32, height: 160, left: 44, top: 0 });
  },
);

t.test('a small image is not upscaled, only centred', async (t) => {
  const png = await toPortraitPng(await sampleImage(40, 30, 'png'));
  t.same(await opaqueBox(png), { width: 40, height: 30, left: 40, top: 65 });
});

t.test('EXIF orientation is applied before fitting', async (t) => {
  // Stored 200x100, orientation 6 (rotate 90° clockwise to display): shown 100x200.
  const png = await toPortraitPng(await sampleImage(200, 100, 'jpeg', 6));
  t.same(await opaqueBox(png), { width: 80, height: 160, left: 20, top: 0 });
});

t.test('refuses non-images (415), oversize input (413) and undecodable data (400)', async (t) => {
  const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"></svg>');
  await t.rejects(toPortraitPng(svg), { status: 415, code: 'unsupported_media_type' });
  const huge = new Uint8Array(PHOTO_LIMITS.maxBytes + 1);
  huge.set([0xff, 0xd8, 0xff]);
  await t.rejects(toPortraitPng(huge), { status: 413, code: 'payload_too_large' });
  const truncated = (await sampleImage(300, 300)).slice(0, 200);
  const error = await toPortraitPng(truncated).catch((e: unknown) => e);
  t.type(error, AppError);
  t.match(error, { status: 400, code: 'validation_failed', issues: [{ path: 'photo' }] });
});

/** A PNG whose header claims width×height, over 1×1 pixel data: a decompression bomb's shape. */
async function pngClaiming(width: number, height: number): Promise<Uint8Array> {
  const png = Buffer.from(await sampleImage(1, 1, 'png'));
  // IHDR is the first chunk: length (4) and type (4) at 8, width at 16, height at 20, CRC at 29.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return new Uint8Array(png);
}

t.test(
  'a header claiming more pixels than the limit is refused from the header alone',
  async (t) => {
    // 30 megapixels: over the limit, yet under the 50 the decoder alone was allowed before.
    for (const [width, height] of [
      [6000, 5000],
      [100_000, 100_000],
    ] as const) {
      const error = await toPortraitPng(await pngClaiming(width, height)).catch((e: unknown) => e);
      t.match(error, {
        status: 400,
        code: 'validation_failed',
        issues: [{ path: 'photo', message: /too large in pixels: at most 25 megapixels/ }],
      });
    }
    t.equal(PHOTO_LIMITS.maxInputPixels, 25_000_000);
  },
);
