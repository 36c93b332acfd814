import { UpstreamError, type UpstreamService } from '../errors.js';

const credentialErrorNames = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'TokenRefreshRequired',
]);

const transientErrorNames = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalServerError',
  'InternalError',
  'AbortError',
]);

/** Maps an AWS SDK failure to a 503 (unreachable, throttled, no credentials) or a 502 (anything else). */
export function toUpstreamError(service: UpstreamService, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const err = (error ?? {}) as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  if (credentialErrorNames.has(name)) return new UpstreamError(service, 'credentials', error);
  // No HTTP status means the request never got an answer: refused, reset, timed out.
  if (status === undefined || status >= 500 || transientErrorNames.has(name) || err.code) {
    return new UpstreamError(service, 'unavailable', error);
  }
  return new UpstreamError(service, 'error', error);
}
