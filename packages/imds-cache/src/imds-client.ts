import {
  type ImdsCredentials,
  type InstanceIdentityDocument,
  instanceIdentityDocumentSchema,
  parseImdsCredentials,
} from '@empdir/shared';
import { fullJitterDelayMs } from './backoff.js';
import type { Clock } from './clock.js';
import { ClockSkew } from './clock-skew.js';
import {
  ImdsRequestError,
  MalformedDocumentError,
  NoInstanceProfileError,
  RoleNotFoundError,
} from './errors.js';
import { IAM_INFO_PATH, type IamInfo, parseIamInfo } from './iam-info.js';
import type { ImdsRequest, ImdsResponse, ImdsTransport } from './imds-transport.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { TokenBucket } from './token-bucket.js';

// Not @smithy's fromInstanceMetadata: a token PUT per call, no backoff, IMDSv1 fallback (see README).

export const TOKEN_PATH = '/latest/api/token';
export const ROLE_LIST_PATH = '/latest/meta-data/iam/security-credentials/';
export const IDENTITY_PATH = '/latest/dynamic/instance-identity/document';
const ROLE_NAME = /^[\w+=,.@-]{1,128}$/;

export interface ImdsClientOptions {
  readonly transport: ImdsTransport;
  readonly clock: Clock;
  /** The hard ceiling on the daemon's own request rate to IMDS; every attempt takes a token. */
  readonly ceiling: TokenBucket;
  readonly tokenTtlSeconds: number;
  /** Attempts per call for 429, 5xx, timeouts and broken connections (1 = no retry). */
  readonly maxAttempts: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  readonly random?: () => number;
  readonly metrics?: Metrics;
  /** Where the clock-skew warning goes. */
  readonly log?: Logger;
  /** Aborts waits and requests on shutdown. */
  readonly signal?: AbortSignal;
}

interface HeldToken {
  readonly value: string;
  readonly renewAt: number;
}

/** An IMDSv2 client: one session token reused until shortly before its TTL, bounded retries. */
export class ImdsClient {
  readonly #o: ImdsClientOptions;
  readonly #random: () => number;
  #token: HeldToken | undefined;
  #tokenInFlight: Promise<string> | undefined;
  readonly #skew: ClockSkew;

  constructor(options: ImdsClientOptions) {
    this.#o = options;
    this.#random = options.random ?? Math.random;
    this.#skew = new ClockSkew({
      clock: options.clock,
      log: options.log,
      onChange: (seconds) => options.metrics?.clockSkew.set(seconds),
    });
  }

  /** A time IMDS wrote (an Expiration) as the local clock reads it, corrected for clock skew. */
  toLocalMs(imdsMs: number): number {
    return this.#skew.toLocalMs(imdsMs);
  }

  /** IMDS time minus local time (ms), from the Date header of IMDS answers. */
  get clockSkewMs(): number {
    return this.#skew.skewMs;
  }

  /** The role of the attached instance profile. */
  async roleName(): Promise<string> {
    const body = await this.#get(ROLE_LIST_PATH, () => new NoInstanceProfileError());
    const role = body.split('\n')[0]?.trim() ?? '';
    if (role === '') throw new NoInstanceProfileError();
    // The name goes into the next request's path: accept IAM's character set only.
    if (!ROLE_NAME.test(role))
      throw new MalformedDocumentError(ROLE_LIST_PATH, ['not a role name']);
    return role;
  }

  /** The role's credentials document, validated (Code Success, every field, UTC Expiration). */
  async credentials(roleName: string): Promise<ImdsCredentials> {
    const body = await this.#get(ROLE_LIST_PATH + roleName, () => new RoleNotFoundError(roleName));
    const document = parseImdsCredentials(body);
    this.#skew.observeLastUpdated(document.LastUpdated);
    return document;
  }

  /** The instance profile's ARN and id (the facade's iam/info). */
  async iamInfo(): Promise<IamInfo> {
    return parseIamInfo(await this.#get(IAM_INFO_PATH, () => new NoInstanceProfileError()));
  }

  async identity(): Promise<InstanceIdentityDocument> {
    const body = await this.#get(IDENTITY_PATH);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new MalformedDocumentError(IDENTITY_PATH, ['not JSON']);
    }
    const result = instanceIdentityDocumentSchema.safeParse(json);
    if (result.success) return result.data;
    throw new MalformedDocumentError(
      IDENTITY_PATH,
      result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }

  async #get(path: string, on404?: () => Error): Promise<string> {
    let token = await this.#sessionToken();
    let response = await this.#send({ method: 'GET', path, headers: tokenHeader(token) });
    if (response.status === 401) {
      // The token was revoked or IMDS restarted: one new token, one more try.
      if (this.#token?.value === token) this.#token = undefined;
      token = await this.#sessionToken();
      response = await this.#send({ method: 'GET', path, headers: tokenHeader(token) });
    }
    if (response.status === 200) return response.body;
    if (response.status === 404 && on404) throw on404();
    throw new ImdsRequestError('status', path, response.status);
  }

  #sessionToken(): Promise<string> {
    const held = this.#token;
    if (held && this.#o.clock.now() < held.renewAt) return Promise.resolve(held.value);
    // Concurrent callers share one PUT.
    this.#tokenInFlight ??= this.#fetchToken().finally(() => {
      this.#tokenInFlight = undefined;
    });
    return this.#tokenInFlight;
  }

  async #fetchToken(): Promise<string> {
    const ttlMs = this.#o.tokenTtlSeconds * 1000;
    const requestedAt = this.#o.clock.now();
    const response = await this.#send({
      method: 'PUT',
      path: TOKEN_PATH,
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': String(this.#o.tokenTtlSeconds) },
    });
    const value = response.body.trim();
    if (response.status !== 200) throw new ImdsRequestError('status', TOKEN_PATH, response.status);
    if (value === '') throw new MalformedDocumentError(TOKEN_PATH, ['empty token']);
    // Renew shortly before the TTL ends, measured from when we asked (the safe side).
    this.#token = { value, renewAt: requestedAt + ttlMs - Math.min(60_000, ttlMs / 10) };
    return value;
  }

  /** One request under the ceiling, retried with full-jitter backoff while the failure is transient. */
  async #send(request: ImdsRequest): Promise<ImdsResponse> {
    const { clock, ceiling, signal, maxAttempts } = this.#o;
    let failure: ImdsRequestError | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        const waitMs = fullJitterDelayMs(
          attempt - 1,
          this.#o.backoffBaseMs ?? 200,
          this.#o.backoffCapMs ?? 5_000,
          this.#random,
        );
        await clock.sleep(waitMs, signal);
      }
      await ceiling.take(signal);
      try {
        const response = await this.#o.transport(request);
        this.#skew.observeDate(response.date);
        this.#count(request.path, String(response.status));
        failure = new ImdsRequestError('status', request.path, response.status);
        if (!failure.retryable) return response;
      } catch (error) {
        if (!(error instanceof ImdsRequestError)) throw error;
        this.#count(request.path, error.kind);
        if (!error.retryable) throw error;
        failure = error;
      }
    }
    throw failure ?? new ImdsRequestError('network', request.path);
  }

  #count(path: string, status: string): void {
    const label =
      path.startsWith(ROLE_LIST_PATH) && path !== ROLE_LIST_PATH ? `${ROLE_LIST_PATH}{role}` : path;
    this.#o.metrics?.upstreamRequests.inc({ path: label, status });
  }
}

function tokenHeader(token: string): Record<string, string> {
  return { 'x-aws-ec2-metadata-token': token };
}
