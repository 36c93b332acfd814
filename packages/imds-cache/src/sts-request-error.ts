/** Why an STS call failed: an error answer from STS, a timeout or a broken connection. */
export type StsFailureKind = 'status' | 'timeout' | 'network';

// STS error codes grouped into stable labels for metrics and logs (never AWS's own text).
const REASONS: Readonly<Record<string, string>> = {
  Throttling: 'sts_throttled',
  RequestLimitExceeded: 'sts_throttled',
  AccessDenied: 'sts_access_denied',
  InvalidClientTokenId: 'sts_auth',
  SignatureDoesNotMatch: 'sts_auth',
  ExpiredToken: 'sts_auth',
  ValidationError: 'sts_invalid_request',
  MalformedPolicyDocument: 'sts_invalid_request',
  PackedPolicyTooLarge: 'sts_invalid_request',
  RegionDisabledException: 'sts_region_disabled',
};

/** An sts:AssumeRole call for one client failed; carries no credentials and none of AWS's text. */
export class StsRequestError extends Error {
  override name = 'StsRequestError';
  constructor(
    readonly client: string,
    readonly kind: StsFailureKind,
    readonly code?: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(
      `STS AssumeRole for client "${client}" failed: ${kind === 'status' ? `${code} (${status})` : kind}`,
      options,
    );
  }

  /** A short, stable label for metrics (the counterpart of failureReason for IMDS). */
  get reason(): string {
    if (this.kind !== 'status') return `sts_${this.kind}`;
    const known = this.code === undefined ? undefined : REASONS[this.code];
    if (known) return known;
    return (this.status ?? 0) >= 500 ? 'sts_5xx' : `sts_${this.status ?? 'unknown'}`;
  }

  /** Throttling, 5xx, timeouts and broken connections may succeed later; the rest will not. */
  get retryable(): boolean {
    if (this.kind !== 'status') return true;
    return this.reason === 'sts_throttled' || (this.status ?? 0) >= 500;
  }
}

/**
 * Turns what the SDK threw into an StsRequestError; an abort is passed on unchanged.
 * @param client the client spec's name
 */
export function toStsRequestError(client: string, error: unknown): unknown {
  if (!(error instanceof Error) || error.name === 'AbortError') return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined)
    return new StsRequestError(client, 'status', error.name, status, { cause: error });
  // The SDK names a reset connection a TimeoutError too; its errno tells the two apart.
  const errno = (error as { code?: unknown }).code;
  const broken = errno === 'ECONNRESET' || errno === 'EPIPE' || errno === 'ECONNREFUSED';
  const kind = error.name === 'TimeoutError' && !broken ? 'timeout' : 'network';
  return new StsRequestError(client, kind, undefined, undefined, { cause: error });
}
