import sharp from 'sharp';

export type SampleFormat = 'jpeg' | 'png' | 'webp' | 'gif';

/** A solid opaque image made at run time, optionally tagged with an EXIF orientation. */
export async function sampleImage(
  width: number,
  height: number,
  format: SampleFormat = 'jpeg',
  orientation?: number,
): Promise<Uint8Array<ArrayBuffer>> {
  let image = sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } },
  });
  if (orientation !== undefined) image = image.withMetadata({ orientation });
  return new Uint8Array(await image.toFormat(format).toBuffer());
}

/** Alpha of the pixel at (x, y) of a PNG, and its size. */
export async function pngAlphaAt(png: Uint8Array, x: number, y: number) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    alpha: data[(y * info.width + x) * info.channels + 3],
    width: info.width,
    height: info.height,
  };
}

/** The opaque region's bounding box: where the photo sits on its transparent canvas. */
export async function opaqueBox(png: Uint8Array) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let left = info.width;
  let right = -1;
  let top = info.height;
  let bottom = -1;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if ((data[(y * info.width + x) * 4 + 3] ?? 0) > 0) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  return { width: right - left + 1, height: bottom - top + 1, left, top };
}
