import type { ErrorCode, ErrorIssue } from '@empdir/shared';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error that knows its HTTP status and stable code; the one mapper in app.tsx renders it. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: readonly ErrorIssue[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class BadRequestError extends AppError {
  override name = 'BadRequestError';
  constructor(message: string, issues?: readonly ErrorIssue[]) {
    super(400, 'bad_request', message, issues);
  }
}

export class ValidationError extends AppError {
  override name = 'ValidationError';
  constructor(issues: readonly ErrorIssue[], message = 'The request has invalid fields.') {
    super(400, 'validation_failed', message, issues);
  }
}

export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(message = 'No such employee.') {
    super(404, 'not_found', message);
  }
}

export class VersionConflictError extends AppError {
  override name = 'VersionConflictError';
  constructor(
    readonly currentVersion: number | undefined,
    message = 'Someone else changed this employee since you loaded it; reload and try again.',
  ) {
    super(409, 'version_conflict', message);
  }
}

/**
 * A stale If-Match (RFC 9110 §13.1.1). An If-Match on a missing employee stays a 404: a request
 * that would fail without its preconditions fails that way (§13.2.1).
 */
export class PreconditionFailedError extends AppError {
  override name = 'PreconditionFailedError';
  constructor(
    readonly currentVersion: number | undefined,
    message = 'Someone else changed this employee since you loaded it (If-Match is stale); GET it again and retry.',
  ) {
    super(412, 'precondition_failed', message);
  }
}

export class PreconditionRequiredError extends AppError {
  override name = 'PreconditionRequiredError';
  constructor(message = 'Send If-Match with the ETag from GET to update this employee.') {
    super(428, 'precondition_required', message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  override name = 'UnsupportedMediaTypeError';
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

export class PayloadTooLargeError extends AppError {
  override name = 'PayloadTooLargeError';
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

export class CsrfRejectedError extends AppError {
  override name = 'CsrfRejectedError';
  constructor(
    message = 'This form has expired or came from another site. Go back, reload the page and try again.',
  ) {
    super(403, 'csrf_rejected', message);
  }
}

/** No valid credentials: `challenge` becomes the WWW-Authenticate header (RFC 6750). */
export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  constructor(
    readonly challenge: string,
    message = 'Sign in, or send Authorization: Bearer with a valid access token.',
  ) {
    super(401, 'unauthorized', message);
  }
}

/** Signed in, but the role does not allow this. */
export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  constructor(message = 'Your role does not allow this.') {
    super(403, 'forbidden', message);
  }
}

/** The Host header names a site this server does not serve (DNS rebinding, misrouting). */
export class MisdirectedRequestError extends AppError {
  override name = 'MisdirectedRequestError';
  constructor(message = 'This server does not serve the host this request was sent to.') {
    super(421, 'untrusted_host', message);
  }
}

export class MethodNotAllowedError extends AppError {
  override name = 'MethodNotAllowedError';
  constructor(readonly allow: readonly string[]) {
    super(405, 'method_not_allowed', `This address accepts ${allow.join(', ')} only.`);
  }
}

export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(message: string) {
    super(409, 'version_conflict', message);
  }
}

/** A bounded resource (image jobs) is full: try again shortly (503 + Retry-After). */
export class ServerBusyError extends AppError {
  override name = 'ServerBusyError';
  constructor(message: string) {
    super(503, 'server_busy', message);
  }
}

export type UpstreamService = 'dynamodb' | 's3' | 'oidc';

/** AWS failed us. The client sees a fixed message; the cause goes to the log only. */
export class UpstreamError extends AppError {
  override name = 'UpstreamError';
  constructor(
    readonly service: UpstreamService,
    kind: 'unavailable' | 'credentials' | 'error',
    cause: unknown,
  ) {
    super(
      kind === 'error' ? 502 : 503,
      kind === 'unavailable'
        ? 'upstream_unavailable'
        : kind === 'credentials'
          ? 'credentials_unavailable'
          : 'upstream_error',
      kind === 'error'
        ? 'The directory could not complete this request. Try again later.'
        : 'The directory is temporarily unavailable. Try again in a moment.',
      undefined,
      { cause },
    );
  }
}

/** Status, code and client-safe message for anything thrown; unknown errors become a plain 500. */
export function describeError(error: unknown): {
  status: ContentfulStatusCode;
  code: ErrorCode;
  message: string;
  issues?: readonly ErrorIssue[];
} {
  if (error instanceof AppError) {
    return { status: error.status, code: error.code, message: error.message, issues: error.issues };
  }
  if (error instanceof HTTPException && error.status < 500) {
    const status = error.status as ContentfulStatusCode;
    const code =
      status === 413 ? 'payload_too_large' : status === 403 ? 'forbidden' : 'bad_request';
    return { status, code, message: 'The request could not be processed.' };
  }
  return { status: 500, code: 'internal_error', message: 'Something went wrong on our side.' };
}
