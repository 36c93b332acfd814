import type { ImdsCredentials } from '@empdir/shared';
import { LRUCache } from 'lru-cache';
import { retryAfterFailureMs } from './backoff.js';
import type { Clock } from './clock.js';
import {
  CredentialsUnavailableError,
  ExpiredCredentialsError,
  RoleNotFoundError,
} from './errors.js';
import type { Logger } from './log.js';
import type { CacheLookupResult, CacheMetrics } from './metrics.js';
import { RefreshReport } from './refresh-report.js';
import {
  type HeldCredentials,
  StaticStability,
  type StaticStabilityMode,
} from './static-stability.js';

export type { HeldCredentials } from './static-stability.js';

const PEEK_STALE = { allowStale: true } as const;

/** Where credentials come from; ImdsClient in the daemon, a fake in unit tests. */
export interface CredentialSource {
  roleName(): Promise<string>;
  credentials(roleName: string): Promise<ImdsCredentials>;
  /** An IMDS timestamp as the local clock reads it (clock skew); identity when absent. */
  toLocalMs?(imdsMs: number): number;
}

export type RefreshOutcome =
  | { readonly ok: true; readonly held: HeldCredentials }
  | { readonly ok: false; readonly error: unknown; readonly retryAtMs: number };

export interface CredentialCacheOptions {
  readonly source: CredentialSource;
  readonly clock: Clock;
  /** After this long a held entry is stale: the next refresh goes upstream. */
  readonly ttlMs: number;
  /** Refresh early when the credentials have less than this left. */
  readonly minRemainingMs: number;
  /** Never serve credentials with this little real validity left (or less), unless extending. */
  readonly serveFloorMs: number;
  /** Past the floor: extend the last credentials (default) or refuse. */
  readonly staticStability?: StaticStabilityMode;
  /** Skip the role lookup and always use this role. */
  readonly roleName?: string | undefined;
  readonly random?: () => number;
  readonly metrics?: CacheMetrics;
  readonly log?: Logger;
}

/**
 * Role credentials in an lru-cache keyed by role. Warm callers never wait on IMDS; concurrent
 * cold callers share one upstream fetch. A refresh that fails or brings credentials already
 * inside the floor is a failure (backoff); meanwhile the last good credentials are served, and
 * past the floor, as the AWS SDKs do, with Expiration extended by 5–10 min (static stability).
 */
export class CredentialCache {
  readonly #o: CredentialCacheOptions;
  readonly #random: () => number;
  readonly #lru: LRUCache<string, HeldCredentials>;
  readonly #listeners = new Set<(outcome: RefreshOutcome) => void>();
  #role: string | undefined;
  #refreshing: Promise<HeldCredentials> | undefined;
  #retryNotBeforeMs = 0;
  readonly #stability: StaticStability;
  readonly #report: RefreshReport;
  // Labelled children looked up once: labels() per lookup hashes the label set every time.
  readonly #lookups: Record<CacheLookupResult, { inc(): void }> | undefined;

  constructor(options: CredentialCacheOptions) {
    this.#o = options;
    this.#random = options.random ?? Math.random;
    const lookups = options.metrics?.cacheLookups;
    this.#lookups = lookups && {
      hit: lookups.labels('hit'),
      miss: lookups.labels('miss'),
      stale: lookups.labels('stale'),
    };
    this.#stability = new StaticStability({
      mode: options.staticStability ?? 'extend',
      serveFloorMs: options.serveFloorMs,
      random: this.#random,
      metrics: options.metrics,
      log: options.log,
    });
    this.#report = new RefreshReport(options);
    this.#lru = new LRUCache<string, HeldCredentials>({
      max: 8,
      ttl: options.ttlMs,
      ttlResolution: 0,
      perf: { now: options.clock.now },
      // Stale entries stay: they are the static-stability fallback, judged by real Expiration.
      allowStale: false,
      noDeleteOnStaleGet: true,
      noDeleteOnFetchRejection: true,
      fetchMethod: async (role) => this.#fetchUpstream(role),
    });
  }

  /** Valid credentials now: from the cache when warm, else after one shared upstream fetch. */
  async get(): Promise<HeldCredentials> {
    const held = this.getNow();
    if (held) return held;
    const now = this.#o.clock.now();
    this.#lookups?.miss.inc();
    // After a failure, callers get a fast 503 until the retry time instead of queueing upstream.
    if (!this.#refreshing && now < this.#retryNotBeforeMs) throw new CredentialsUnavailableError();
    await this.refresh().catch(() => undefined);
    const after = this.#servable(this.#o.clock.now());
    if (after) return after;
    throw new CredentialsUnavailableError();
  }

  /**
   * A warm lookup without a promise (the server's hot path): servable credentials counted as a hit
   * or stale, with a background refresh when stale or running low; undefined when get() must wait.
   */
  getNow(): HeldCredentials | undefined {
    const now = this.#o.clock.now();
    const held = this.#servable(now);
    if (!held) return undefined;
    const fresh = this.#lru.getRemainingTTL(held.role) > 0;
    this.#lookups?.[fresh ? 'hit' : 'stale'].inc();
    const runningLow = held.expiresAtMs - now < this.#o.minRemainingMs;
    // The scheduler's bound on this path too: IMDS may hand out the same document near expiry.
    const asked = (held.original ?? held).fetchedAtMs + this.#o.ttlMs / 4;
    if ((!fresh || runningLow) && now >= this.#retryNotBeforeMs && now >= asked) {
      this.#refreshQuietly();
    }
    return held;
  }

  /** Held credentials that may be served now, if any; never waits, never calls upstream. */
  peek(): HeldCredentials | undefined {
    return this.#servable(this.#o.clock.now());
  }

  /** Refreshes from upstream now; concurrent calls share one fetch. Rejects if it fails. */
  refresh(): Promise<HeldCredentials> {
    this.#refreshing ??= this.#load().then(
      (held) => this.#settle({ ok: true, held }, held),
      (error: unknown) => {
        const failures = this.#report.failures + 1;
        const retryAtMs = this.#o.clock.now() + retryAfterFailureMs(failures, this.#random);
        this.#retryNotBeforeMs = retryAtMs;
        return this.#settle({ ok: false, error, retryAtMs }, undefined, error);
      },
    );
    return this.#refreshing;
  }

  /** Called after every refresh, whoever started it (the scheduler arms its next timer here). */
  onRefresh(listener: (outcome: RefreshOutcome) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #settle(outcome: RefreshOutcome, held?: HeldCredentials, error?: unknown): HeldCredentials {
    this.#refreshing = undefined;
    if (outcome.ok) {
      this.#retryNotBeforeMs = 0;
      this.#stability.reset();
      this.#report.succeeded(outcome.held);
    } else {
      this.#report.failed(outcome.error, () => !!this.peek());
    }
    for (const listener of this.#listeners) listener(outcome);
    if (held) return held;
    throw error;
  }

  #refreshQuietly(): void {
    // Failures are logged and counted in #settle; the caller already has what it needs.
    this.refresh().catch(() => undefined);
  }

  async #load(): Promise<HeldCredentials> {
    const fixed = this.#o.roleName;
    const role = fixed ?? this.#role ?? (await this.#o.source.roleName());
    try {
      return await this.#fetchInto(role);
    } catch (error) {
      if (!(error instanceof RoleNotFoundError) || fixed) throw error;
      // The instance profile changed: look the role up again and move to the new one.
      const next = await this.#o.source.roleName();
      if (next === role) throw error;
      this.#o.log?.info({ from: role, to: next }, 'role changed');
      return await this.#fetchInto(next);
    }
  }

  async #fetchInto(role: string): Promise<HeldCredentials> {
    // One shared promise per role: lru-cache's fetch() joins any fetch already in flight.
    const held = await this.#lru.forceFetch(role, { forceRefresh: true, allowStale: false });
    const previous = this.#role;
    this.#role = role;
    if (previous !== undefined && previous !== role) this.#lru.delete(previous);
    return held;
  }

  async #fetchUpstream(role: string): Promise<HeldCredentials> {
    const { source, clock, serveFloorMs } = this.#o;
    const document = await source.credentials(role);
    const imdsExpiresAtMs = Date.parse(document.Expiration);
    const expiresAtMs = source.toLocalMs?.(imdsExpiresAtMs) ?? imdsExpiresAtMs;
    const now = clock.now();
    // Rejected here, the held entry stays: an expired document must not replace good ones.
    if (expiresAtMs - now <= serveFloorMs) {
      throw new ExpiredCredentialsError(Math.round((expiresAtMs - now) / 1000));
    }
    return { role, document, expiresAtMs, fetchedAtMs: now };
  }

  #servable(now: number): HeldCredentials | undefined {
    const role = this.#role;
    if (role === undefined) return undefined;
    const held = this.#lru.peek(role, PEEK_STALE);
    return held && this.#stability.serve(held, now);
  }
}
