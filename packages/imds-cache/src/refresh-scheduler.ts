import type { Clock, Timer } from './clock.js';
import type { CredentialCache, HeldCredentials, RefreshOutcome } from './credential-cache.js';

export interface RefreshTiming {
  readonly ttlMs: number;
  readonly minRemainingMs: number;
}

/**
 * When to refresh held credentials: ahead of whichever comes first, the cache TTL or the point
 * where less than `minRemainingMs` is left, by a jittered 10-20% of the TTL so hosts spread out.
 */
export function refreshDueAtMs(
  held: HeldCredentials,
  timing: RefreshTiming,
  random: () => number,
): number {
  const deadline = Math.min(
    held.fetchedAtMs + timing.ttlMs,
    held.expiresAtMs - timing.minRemainingMs,
  );
  const leadMs = Math.floor(timing.ttlMs * (0.1 + 0.1 * random()));
  // Near expiry IMDS may keep handing out the same document; don't ask more than 4 times a TTL.
  return Math.max(held.fetchedAtMs + timing.ttlMs / 4, deadline - leadMs);
}

export interface RefreshSchedulerOptions {
  readonly cache: CredentialCache;
  readonly clock: Clock;
  readonly timing: RefreshTiming;
  readonly random?: () => number;
}

/**
 * Keeps the cache warm in the background: one timer, re-armed after every refresh (success: ahead
 * of the TTL; failure: at the cache's jittered retry time). Never polls and never overlaps.
 */
export class RefreshScheduler {
  readonly #o: RefreshSchedulerOptions;
  readonly #random: () => number;
  #timer: Timer | undefined;
  #unsubscribe: (() => void) | undefined;
  #nextAtMs: number | undefined;

  constructor(options: RefreshSchedulerOptions) {
    this.#o = options;
    this.#random = options.random ?? Math.random;
  }

  /** Starts the loop with an immediate refresh: a cold daemon warms up before anyone asks. */
  start(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.#o.cache.onRefresh((outcome) => this.#onOutcome(outcome));
    this.#fire();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#nextAtMs = undefined;
  }

  /** When the next background refresh will start (epoch ms), if one is armed. */
  nextRefreshAtMs(): number | undefined {
    return this.#nextAtMs;
  }

  #onOutcome(outcome: RefreshOutcome): void {
    if (!this.#unsubscribe) return;
    const atMs = outcome.ok
      ? refreshDueAtMs(outcome.held, this.#o.timing, this.#random)
      : outcome.retryAtMs;
    this.#timer?.cancel();
    this.#nextAtMs = atMs;
    this.#timer = this.#o.clock.setTimer(() => this.#fire(), atMs - this.#o.clock.now());
  }

  #fire(): void {
    this.#timer = undefined;
    this.#nextAtMs = undefined;
    // The outcome (logged and counted by the cache) re-arms the timer through onRefresh.
    this.#o.cache.refresh().catch(() => undefined);
  }
}
