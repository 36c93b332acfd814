import type { InstanceIdentityDocument } from '@empdir/shared';
import { retryAfterFailureMs } from './backoff.js';
import type { Clock } from './clock.js';
import { type HttpError, IdentityUnavailableError } from './errors.js';
import { failureReason } from './failure-reason.js';
import type { Logger } from './log.js';

export interface InstanceIdentityCacheOptions<T = InstanceIdentityDocument> {
  readonly fetch: () => Promise<T>;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly log?: Logger;
  /** What the log calls it (default "instance identity"). */
  readonly what?: string;
  /** The answer while it cannot be had (default IdentityUnavailableError). */
  readonly unavailable?: () => HttpError;
}

/**
 * The instance identity document (or another document that never changes, such as iam/info),
 * fetched once (one shared fetch) and kept for the process life; failures back off.
 */
export class InstanceIdentityCache<T = InstanceIdentityDocument> {
  readonly #o: InstanceIdentityCacheOptions<T>;
  #document: T | undefined;
  #inFlight: Promise<T> | undefined;
  #failures = 0;
  #retryNotBeforeMs = 0;

  constructor(options: InstanceIdentityCacheOptions<T>) {
    this.#o = options;
  }

  peek(): T | undefined {
    return this.#document;
  }

  async get(): Promise<T> {
    if (this.#document) return this.#document;
    if (!this.#inFlight && this.#o.clock.now() < this.#retryNotBeforeMs) {
      throw this.#unavailable();
    }
    this.#inFlight ??= this.#o.fetch().finally(() => {
      this.#inFlight = undefined;
    });
    try {
      this.#document = await this.#inFlight;
      return this.#document;
    } catch (error) {
      this.#noteFailure(error);
      throw this.#unavailable();
    }
  }

  #unavailable(): HttpError {
    return this.#o.unavailable?.() ?? new IdentityUnavailableError();
  }

  #noteFailure(error: unknown): void {
    // Every waiter of the failed fetch lands here; count the failure once.
    if (this.#o.clock.now() < this.#retryNotBeforeMs) return;
    this.#failures += 1;
    const waitMs = retryAfterFailureMs(this.#failures, this.#o.random ?? Math.random);
    this.#retryNotBeforeMs = this.#o.clock.now() + waitMs;
    this.#o.log?.warn(
      { reason: failureReason(error), err: error },
      `${this.#o.what ?? 'instance identity'} fetch failed`,
    );
  }
}
