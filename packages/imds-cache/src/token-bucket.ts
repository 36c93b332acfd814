import type { Clock } from './clock.js';

export interface TokenBucketOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly clock: Clock;
}

/** A token bucket over an injected clock: `tryTake()` for shedding, `take()` to wait in line. */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #refilledAt: number;
  // Waiters queue on one promise chain, so they are served first come, first served.
  #tail: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError('a token bucket needs ratePerSecond > 0 and burst >= 1');
    }
    this.#ratePerMs = options.ratePerSecond / 1000;
    this.#burst = options.burst;
    this.#clock = options.clock;
    this.#tokens = options.burst;
    this.#refilledAt = options.clock.now();
  }

  /** Takes one token if one is there; never waits. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Waits (on the clock) until a token is free, then takes it. Rejects if `signal` aborts. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#tail.then(() => this.#takeInTurn(signal));
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  async #takeInTurn(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.#refill();
    if (this.#tokens < 1) {
      await this.#clock.sleep(Math.ceil((1 - this.#tokens) / this.#ratePerMs), signal);
      this.#refill();
    }
    // Clock granularity may leave a sliver below one token; the wait above already paid for it.
    this.#tokens = Math.max(0, this.#tokens - 1);
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsedMs = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedMs * this.#ratePerMs);
    this.#refilledAt = now;
  }
}
