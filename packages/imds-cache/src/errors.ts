import type { ErrorCode } from '@empdir/shared';

/** An error that is an HTTP answer: its status and stable code go to the client as they are. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const unauthorized = () =>
  new HttpError(401, 'unauthorized', 'missing Authorization header; send the token file content');
export const forbidden = (why: string) => new HttpError(403, 'forbidden', why);
/** The main token while IMDS_CACHE_SERVE_INSTANCE_ROLE=off: no local process gets the instance role. */
export const instanceRoleNotServed = () =>
  new HttpError(
    403,
    'instance_role_not_served',
    'the instance role is not served (IMDS_CACHE_SERVE_INSTANCE_ROLE=off); use your client token file',
  );
export const notFound = () => new HttpError(404, 'not_found', 'no such resource');
export const methodNotAllowed = (allow: string) =>
  new HttpError(405, 'method_not_allowed', `method not allowed; use ${allow}`, { Allow: allow });
/** Overload is 503 + Retry-After, never 429: every AWS SDK retries a 503, not all retry a 429. */
export const overloaded = (why = 'too many requests; retry shortly') =>
  new HttpError(503, 'rate_limited', why, { 'Retry-After': '1' });

/** No credentials good enough to serve: IMDS is failing and what we hold is gone or near expiry. */
export class CredentialsUnavailableError extends HttpError {
  override name = 'CredentialsUnavailableError';
  constructor(
    message = 'no valid credentials available; the instance metadata service is failing',
  ) {
    super(503, 'credentials_unavailable', message, { 'Retry-After': '5' });
  }
}

/** The instance identity could not be read from IMDS. */
export class IdentityUnavailableError extends HttpError {
  override name = 'IdentityUnavailableError';
  constructor() {
    super(503, 'upstream_unavailable', 'instance identity not available yet; retry shortly', {
      'Retry-After': '5',
    });
  }
}

/** Why an IMDS call failed: an HTTP status, a timeout or a broken connection. */
export type ImdsFailureKind = 'status' | 'timeout' | 'network' | 'aborted';

export class ImdsRequestError extends Error {
  override name = 'ImdsRequestError';
  constructor(
    readonly kind: ImdsFailureKind,
    readonly path: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(
      kind === 'status' ? `IMDS answered ${status} for ${path}` : `IMDS ${kind} for ${path}`,
      options,
    );
  }

  /** 429, 5xx, timeouts and broken connections are worth another try after a backoff. */
  get retryable(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    return this.kind === 'status' && (this.status === 429 || (this.status ?? 0) >= 500);
  }
}

/** The role's credentials path answered 404: the instance profile changed or was removed. */
export class RoleNotFoundError extends Error {
  override name = 'RoleNotFoundError';
  constructor(readonly roleName: string) {
    super(`IMDS has no credentials for role "${roleName}"`);
  }
}

/** The role listing is empty or 404: no instance profile is attached. */
export class NoInstanceProfileError extends Error {
  override name = 'NoInstanceProfileError';
  constructor() {
    super('no IAM role is attached to this instance (empty role listing)');
  }
}

/** The environment holds bad settings; lists every one of them. main.ts exits with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** IMDS answered 200 with a document we cannot use (bad JSON, missing fields, odd role name). */
export class MalformedDocumentError extends Error {
  override name = 'MalformedDocumentError';
  constructor(
    readonly path: string,
    readonly issues: readonly string[],
  ) {
    super(`malformed IMDS document at ${path}: ${issues.join('; ')}`);
  }
}

/** IMDS answered with credentials already expired or inside the serve floor: a failed refresh. */
export class ExpiredCredentialsError extends Error {
  override name = 'ExpiredCredentialsError';
  constructor(readonly secondsLeft: number) {
    super(`IMDS gave credentials with ${secondsLeft} s left, inside the serve floor`);
  }
}
