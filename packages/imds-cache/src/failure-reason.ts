import { CredentialsFormatError } from '@empdir/shared';
import {
  ExpiredCredentialsError,
  ImdsRequestError,
  MalformedDocumentError,
  NoInstanceProfileError,
  RoleNotFoundError,
} from './errors.js';
import { StsRequestError } from './sts-request-error.js';

/** A short, stable label for why an upstream call failed (metrics and logs; never AWS's text). */
export function failureReason(error: unknown): string {
  if (error instanceof ImdsRequestError) {
    if (error.kind !== 'status') return error.kind;
    if (error.status === 429) return 'throttled';
    if (error.status === 401) return 'unauthorized';
    return (error.status ?? 0) >= 500 ? 'upstream_5xx' : `upstream_${error.status}`;
  }
  // A client's AssumeRole: sts_throttled, sts_access_denied, sts_network, …
  if (error instanceof StsRequestError) return error.reason;
  if (error instanceof CredentialsFormatError || error instanceof MalformedDocumentError) {
    return 'malformed';
  }
  if (error instanceof ExpiredCredentialsError) return 'expired_document';
  if (error instanceof RoleNotFoundError) return 'role_not_found';
  if (error instanceof NoInstanceProfileError) return 'no_instance_profile';
  if (error instanceof Error && error.name === 'AbortError') return 'aborted';
  return 'other';
}
