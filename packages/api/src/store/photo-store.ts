/** A presigned GET URL and the moment (epoch ms) it stops working. */
export interface PresignedUrl {
  readonly url: string;
  readonly expiresAtMs: number;
}

/**
 * Where photos live: PNG objects under employee-pic/. Implementations throw UpstreamError when
 * the bucket cannot be reached, nothing else.
 */
export interface PhotoStore {
  put(key: string, png: Uint8Array): Promise<void>;
  /** Deleting a missing object succeeds, as S3 does. */
  remove(key: string): Promise<void>;
  presignGet(key: string): Promise<PresignedUrl>;
  /** Origins the presigned URLs point at, for the Content-Security-Policy img-src. */
  readonly imageOrigins: readonly string[];
  checkReady(): Promise<void>;
}
