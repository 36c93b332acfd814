import type { InstanceIdentityDocument } from '@empdir/shared';
import { retryAfterFailureMs } from './backoff.js';
import type { Clock } from './clock.js';
import { IdentityUnavailableError } from './errors.js';
import { failureReason } from './failure-reason.js';
import type { Logger } from './log.js';

export interface InstanceIdentityCacheOptions {
  readonly fetch: () => Promise<InstanceIdentityDocument>;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly log?: Logger;
}

/** The instance identity document, fetched once (one shared fetch) and kept for the process life. */
export class InstanceIdentityCache {
  readonly #o: InstanceIdentityCacheOptions;
  #document: InstanceIdentityDocument | undefined;
  #inFlight: Promise<InstanceIdentityDocument> | undefined;
  #failures = 0;
  #retryNotBeforeMs = 0;

  constructor(options: InstanceIdentityCacheOptions) {
    this.#o = options;
  }

  peek(): InstanceIdentityDocument | undefined {
    return this.#document;
  }

  async get(): Promise<InstanceIdentityDocument> {
    if (this.#document) return this.#document;
    if (!this.#inFlight && this.#o.clock.now() < this.#retryNotBeforeMs) {
      throw new IdentityUnavailableError();
    }
    this.#inFlight ??= this.#o.fetch().finally(() => {
      this.#inFlight = undefined;
    });
    try {
      this.#document = await this.#inFlight;
      return this.#document;
    } catch (error) {
      this.#noteFailure(error);
      throw new IdentityUnavailableError();
    }
  }

  #noteFailure(error: unknown): void {
    // Every waiter of the failed fetch lands here; count the failure once.
    if (this.#o.clock.now() < this.#retryNotBeforeMs) return;
    this.#failures += 1;
    const waitMs = retryAfterFailureMs(this.#failures, this.#o.random ?? Math.random);
    this.#retryNotBeforeMs = this.#o.clock.now() + waitMs;
    this.#o.log?.warn(
      { reason: failureReason(error), err: error },
      'instance identity fetch failed',
    );
  }
}
