import { timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';
import { digest } from './request-guard.js';
import { newToken, writeTokenFile } from './token-file.js';

export interface TokenRotationOptions {
  readonly tokenFile: string;
  /** The token this start wrote or reused. */
  readonly token: string;
  /** How long the previous token stays valid after a rotation. */
  readonly overlapMs: number;
  readonly clock: Clock;
  /** Replaces the file write (tests). */
  readonly write?: (path: string, token: string) => Promise<unknown>;
}

/**
 * The tokens the credentials listener accepts: the one in the file, and after a rotation the
 * previous one until the overlap ends, so clients holding the old value have time to re-read.
 */
export class TokenRotation {
  readonly #options: TokenRotationOptions;
  #current: Buffer;
  #previous: Buffer | undefined;
  #previousUntilMs = 0;
  // One rotation at a time: two quick SIGHUPs write the file twice, in order.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: TokenRotationOptions) {
    this.#options = options;
    this.#current = digest(options.token);
  }

  /** Whether `given` is the current token, or the previous one inside its overlap (constant time). */
  accepts(given: string): boolean {
    const given256 = digest(given);
    if (timingSafeEqual(given256, this.#current)) return true;
    const previous = this.#previous;
    if (previous === undefined) return false;
    if (this.#options.clock.now() >= this.#previousUntilMs) {
      this.#previous = undefined;
      return false;
    }
    return timingSafeEqual(given256, previous);
  }

  /** When the previous token stops being accepted (undefined when none is). */
  previousValidUntilMs(): number | undefined {
    return this.#previous && this.#options.clock.now() < this.#previousUntilMs
      ? this.#previousUntilMs
      : undefined;
  }

  /**
   * Writes a fresh token to the file. The new token is accepted before the file changes, so a
   * client reading the file at once is never refused; a failed write keeps the current token.
   */
  rotate(): Promise<void> {
    const turn = this.#queue.then(() => this.#rotateNow());
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #rotateNow(): Promise<void> {
    const token = newToken();
    const saved = {
      current: this.#current,
      previous: this.#previous,
      until: this.#previousUntilMs,
    };
    this.#previous = this.#current;
    this.#previousUntilMs = this.#options.clock.now() + this.#options.overlapMs;
    this.#current = digest(token);
    try {
      await (this.#options.write ?? writeTokenFile)(this.#options.tokenFile, token);
    } catch (error) {
      this.#current = saved.current;
      this.#previous = saved.previous;
      this.#previousUntilMs = saved.until;
      throw error;
    }
  }
}
