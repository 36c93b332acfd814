import type { Clock } from './clock.js';
import { failureReason } from './failure-reason.js';
import type { Logger } from './log.js';
import type { CacheMetrics } from './metrics.js';
import type { HeldCredentials } from './static-stability.js';

export interface RefreshReportOptions {
  readonly clock: Clock;
  readonly metrics?: CacheMetrics | undefined;
  readonly log?: Logger | undefined;
}

/**
 * Counts and logs refresh outcomes: a failure episode warns once (the rest at debug, all counted
 * by reason), its end logs once with how long it lasted; successes set the freshness gauges.
 */
export class RefreshReport {
  readonly #o: RefreshReportOptions;
  #failures = 0;
  #failingSinceMs = 0;

  constructor(options: RefreshReportOptions) {
    this.#o = options;
  }

  /** Failed refreshes in a row (0 after a success). */
  get failures(): number {
    return this.#failures;
  }

  failed(error: unknown, servingHeld: () => boolean): void {
    const { log, metrics, clock } = this.#o;
    this.#failures += 1;
    const reason = failureReason(error);
    metrics?.refreshFailures.inc({ reason });
    const fields = { reason, err: error, failures: this.#failures };
    if (this.#failures === 1) {
      this.#failingSinceMs = clock.now();
      log?.warn({ ...fields, servingHeld: servingHeld() }, 'credential refresh failed');
    } else {
      log?.debug(fields, 'credential refresh failed again');
    }
  }

  succeeded(held: HeldCredentials): void {
    const { log, metrics, clock } = this.#o;
    if (this.#failures > 0) {
      const failingForSeconds = Math.round((clock.now() - this.#failingSinceMs) / 1000);
      log?.info({ failures: this.#failures, failingForSeconds }, 'credential refresh recovered');
    }
    this.#failures = 0;
    metrics?.lastSuccessfulRefresh.set(held.fetchedAtMs / 1000);
    metrics?.originalExpiry.set(Date.parse(held.document.Expiration) / 1000);
    log?.info({ role: held.role, expiration: held.document.Expiration }, 'credentials refreshed');
  }
}
