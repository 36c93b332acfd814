import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { PhotoStore, PresignedUrl } from '../store/photo-store.js';

export interface PhotoUrlCacheOptions {
  readonly now: () => number;
  /** A cached URL is re-signed once it has less than this long left to live. */
  readonly refreshBeforeMs: number;
  readonly maxEntries?: number;
  readonly logger: Logger;
}

/**
 * Presigned photo URLs, signed once per key and reused until shortly before they expire, so a
 * list page does not sign a URL per photo per view (and browsers can cache the image bytes).
 */
export class PhotoUrlCache {
  readonly #urls: LRUCache<string, PresignedUrl>;
  readonly #inFlight = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly photos: PhotoStore,
    private readonly options: PhotoUrlCacheOptions,
  ) {
    this.#urls = new LRUCache({ max: options.maxEntries ?? 10_000 });
  }

  /** The URL for a photo key, or undefined when it cannot be signed right now (logged). */
  async urlFor(key: string): Promise<string | undefined> {
    const cached = this.#urls.get(key);
    if (cached && cached.expiresAtMs - this.options.refreshBeforeMs > this.options.now()) {
      return cached.url;
    }
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    // One signing per key however many requests ask for it meanwhile.
    const signing = this.#sign(key).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, signing);
    return signing;
  }

  /** URLs for many keys at once; keys that cannot be signed are absent. */
  async urlsFor(keys: readonly (string | undefined)[]): Promise<Map<string, string>> {
    const unique = [...new Set(keys.filter((key): key is string => key !== undefined))];
    const urls = await Promise.all(
      unique.map(async (key) => [key, await this.urlFor(key)] as const),
    );
    return new Map(
      urls.filter((entry): entry is readonly [string, string] => entry[1] !== undefined),
    );
  }

  forget(key: string): void {
    this.#urls.delete(key);
  }

  async #sign(key: string): Promise<string | undefined> {
    try {
      const signed = await this.photos.presignGet(key);
      this.#urls.set(key, signed);
      return signed.url;
    } catch (err) {
      // The page still renders without the photo; the log says why.
      this.options.logger.warn({ err, photoKey: key }, 'could not sign a photo URL');
      return undefined;
    }
  }
}

/** The cache as the app uses it: a URL is reused for two thirds of its life, never closer to expiry. */
export function photoUrlCacheFor(
  photos: PhotoStore,
  options: { now: () => number; photoUrlTtlSeconds: number; logger: Logger },
): PhotoUrlCache {
  return new PhotoUrlCache(photos, {
    now: options.now,
    refreshBeforeMs: (options.photoUrlTtlSeconds * 1000) / 3,
    logger: options.logger,
  });
}
