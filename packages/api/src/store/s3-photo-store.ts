import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { toUpstreamError } from './aws-errors.js';
import type { PhotoStore, PresignedUrl } from './photo-store.js';

export interface S3PhotoStoreOptions {
  readonly bucket: string;
  readonly region: string;
  /** Set for local stand-ins (path-style URLs on this origin). */
  readonly endpoint: string | undefined;
  readonly urlTtlSeconds: number;
  readonly now: () => number;
}

/** Photos as private objects in one bucket, shown through short-lived presigned GET URLs. */
export class S3PhotoStore implements PhotoStore {
  readonly imageOrigins: readonly string[];

  constructor(
    private readonly client: S3Client,
    private readonly options: S3PhotoStoreOptions,
  ) {
    const { bucket, region, endpoint } = options;
    this.imageOrigins = endpoint
      ? [new URL(endpoint).origin]
      : [`https://${bucket}.s3.${region}.amazonaws.com`, `https://s3.${region}.amazonaws.com`];
  }

  async put(key: string, png: Uint8Array): Promise<void> {
    await this.#call(() =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: png,
          ContentType: 'image/png',
          // Keys are random and never rewritten, so a browser may keep the bytes for good.
          CacheControl: 'private, max-age=31536000, immutable',
        }),
      ),
    );
  }

  async remove(key: string): Promise<void> {
    await this.#call(() =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key })),
    );
  }

  async presignGet(key: string): Promise<PresignedUrl> {
    const signedAtMs = this.options.now();
    return this.#call(async () => {
      // A URL dies with the credentials that signed it, whatever its X-Amz-Expires says.
      const identity = await this.client.config.credentials();
      const url = await getSignedUrl(
        this.client,
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
        // Signed at the store's clock, the same instant the expiry below is counted from.
        { expiresIn: this.options.urlTtlSeconds, signingDate: new Date(signedAtMs) },
      );
      const ttlEndMs = signedAtMs + this.options.urlTtlSeconds * 1000;
      const credentialsEndMs = identity.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
      return { url, expiresAtMs: Math.min(ttlEndMs, credentialsEndMs) };
    });
  }

  async checkReady(): Promise<void> {
    await this.#call(() =>
      this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket })),
    );
  }

  async #call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toUpstreamError('s3', error);
    }
  }
}
