import type { Clock } from './clock.js';
import type { Logger } from './log.js';

/** Past this much skew the daemon warns (SigV4 refuses requests signed 5 minutes off). */
export const SKEW_WARN_MS = 5 * 60_000;
// A Date header has whole seconds and the answer takes a moment: below this, no correction.
const NOISE_MS = 2_000;

export interface ClockSkewOptions {
  readonly clock: Clock;
  readonly log?: Logger | undefined;
  /** Called with the estimate (seconds) whenever it changes; the gauge reads it. */
  readonly onChange?: (seconds: number) => void;
}

/**
 * How far IMDS's clock (AWS time, which `Expiration` is written in) is ahead of ours, from the
 * `Date` header of IMDS answers; a document's `LastUpdated` in our future is a lower bound when
 * no `Date` header was ever seen. Expiry is then judged on corrected time.
 */
export class ClockSkew {
  readonly #o: ClockSkewOptions;
  #skewMs = 0;
  #sawDate = false;
  #warned = false;

  constructor(options: ClockSkewOptions) {
    this.#o = options;
  }

  /** IMDS time minus local time, in ms (positive: the local clock is behind). */
  get skewMs(): number {
    return this.#skewMs;
  }

  /** A time IMDS wrote (epoch ms on its clock) as the local clock will read it. */
  toLocalMs(imdsMs: number): number {
    return imdsMs - this.#skewMs;
  }

  /** An IMDS answer's `Date` header, read as the answer arrived. */
  observeDate(header: string | undefined): void {
    if (header === undefined) return;
    const dateMs = Date.parse(header);
    if (!Number.isFinite(dateMs)) return;
    this.#sawDate = true;
    // The header drops the milliseconds: the middle of its second is the best guess.
    this.#set(dateMs + 500 - this.#o.clock.now());
  }

  /** A credentials document's `LastUpdated` (IMDS time; it cannot be in IMDS's future). */
  observeLastUpdated(lastUpdated: string): void {
    if (this.#sawDate) return;
    const updatedMs = Date.parse(lastUpdated);
    if (!Number.isFinite(updatedMs)) return;
    this.#set(Math.max(0, updatedMs - this.#o.clock.now()));
  }

  #set(rawMs: number): void {
    const skewMs = Math.abs(rawMs) < NOISE_MS ? 0 : Math.round(rawMs);
    if (skewMs === this.#skewMs) return;
    this.#skewMs = skewMs;
    this.#o.onChange?.(skewMs / 1000);
    const large = Math.abs(skewMs) > SKEW_WARN_MS;
    if (large && !this.#warned) {
      this.#o.log?.warn(
        { clockSkewSeconds: skewMs / 1000 },
        'the local clock is more than 5 minutes off IMDS time; judging expiry on IMDS time (check chrony/NTP)',
      );
    } else if (!large && this.#warned) {
      this.#o.log?.info({ clockSkewSeconds: skewMs / 1000 }, 'clock skew back under 5 minutes');
    }
    this.#warned = large;
  }
}
