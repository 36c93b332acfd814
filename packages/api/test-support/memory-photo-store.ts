import { UpstreamError } from '../src/errors.js';
import type { PhotoStore, PresignedUrl } from '../src/store/photo-store.js';

export const FAKE_PHOTO_ORIGIN = 'https://photos.example.test';

/** An in-memory PhotoStore for unit tests; counts signings and can fail on demand. */
export class MemoryPhotoStore implements PhotoStore {
  readonly objects = new Map<string, Uint8Array>();
  readonly imageOrigins = [FAKE_PHOTO_ORIGIN];
  signCount = 0;
  /** Which operations fail as if S3 were unreachable. */
  failing = new Set<'put' | 'remove' | 'presign' | 'ready'>();

  constructor(
    private readonly now: () => number,
    private readonly urlTtlSeconds = 900,
  ) {}

  async put(key: string, png: Uint8Array): Promise<void> {
    this.#maybeFail('put');
    this.objects.set(key, png);
  }

  async remove(key: string): Promise<void> {
    this.#maybeFail('remove');
    this.objects.delete(key);
  }

  async presignGet(key: string): Promise<PresignedUrl> {
    this.#maybeFail('presign');
    this.signCount += 1;
    return {
      url: `${FAKE_PHOTO_ORIGIN}/${key}?signature=${this.signCount}`,
      expiresAtMs: this.now() + this.urlTtlSeconds * 1000,
    };
  }

  async checkReady(): Promise<void> {
    this.#maybeFail('ready');
  }

  #maybeFail(operation: 'put' | 'remove' | 'presign' | 'ready'): void {
    if (this.failing.has(operation)) {
      throw new UpstreamError('s3', 'unavailable', new Error(`S3 ${operation} failed (test)`));
    }
  }
}
