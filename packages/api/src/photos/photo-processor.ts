import sharp from 'sharp';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { detectImageType } from './image-type.js';

export const PHOTO_LIMITS = {
  maxBytes: 5 * 1024 * 1024,
  width: 120,
  height: 160,
  // A small file can still decode to gigabytes: 25 megapixels (5000×5000) is a big camera image.
  maxInputPixels: 25_000_000,
} as const;

export const PHOTO_TOO_LARGE = `The photo must be at most ${PHOTO_LIMITS.maxBytes / 1024 / 1024} MB.`;
export const PHOTO_WRONG_TYPE = 'The photo must be a JPEG, PNG, WebP or GIF image.';

/** Reads the dimensions from the header alone, so a decompression bomb is refused undecoded. */
async function refuseHugeDimensions(bytes: Uint8Array): Promise<void> {
  let pixels: number;
  try {
    const { width = 0, height = 0 } = await sharp(bytes, { limitInputPixels: false }).metadata();
    pixels = width * height;
  } catch {
    throw new ValidationError([
      { path: 'photo', message: 'The photo could not be read as an image.' },
    ]);
  }
  if (pixels > PHOTO_LIMITS.maxInputPixels) {
    throw new ValidationError([
      {
        path: 'photo',
        message: `The photo is too large in pixels: at most ${PHOTO_LIMITS.maxInputPixels / 1_000_000} megapixels.`,
      },
    ]);
  }
}

/**
 * The stored form of a photo: EXIF orientation applied, fitted inside 120×160 without upscaling,
 * centred on a transparent 120×160 canvas, as PNG.
 */
export async function toPortraitPng(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.byteLength > PHOTO_LIMITS.maxBytes) throw new PayloadTooLargeError(PHOTO_TOO_LARGE);
  if (!detectImageType(bytes)) throw new UnsupportedMediaTypeError(PHOTO_WRONG_TYPE);
  const { width, height } = PHOTO_LIMITS;
  await refuseHugeDimensions(bytes);
  try {
    const fitted = await sharp(bytes, { limitInputPixels: PHOTO_LIMITS.maxInputPixels })
      .rotate()
      .resize({ width, height, fit: 'inside', withoutEnlargement: true })
      .ensureAlpha()
      .png()
      .toBuffer();
    return await sharp({
      create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .composite([{ input: fitted, gravity: 'centre' }])
      .png({ compressionLevel: 9 })
      .toBuffer();
  } catch {
    throw new ValidationError([
      { path: 'photo', message: 'The photo could not be read as an image.' },
    ]);
  }
}
