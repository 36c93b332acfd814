import type { ImdsCredentials } from '@empdir/shared';
import { LRUCache } from 'lru-cache';
import { retryAfterFailureMs } from './backoff.js';
import type { Clock } from './clock.js';
import { CredentialsUnavailableError, RoleNotFoundError } from './errors.js';
import { failureReason } from './failure-reason.js';
import type { Logger } from './log.js';
import type { CacheLookupResult, Metrics } from './metrics.js';

const PEEK_STALE = { allowStale: true } as const;

/** Credentials as held: the IMDS document unchanged, plus what the cache needs to judge it. */
export interface HeldCredentials {
  readonly role: string;
  readonly document: ImdsCredentials;
  readonly expiresAtMs: number;
  readonly fetchedAtMs: number;
}

/** Where credentials come from; ImdsClient in the daemon, a fake in unit tests. */
export interface CredentialSource {
  roleName(): Promise<string>;
  credentials(roleName: string): Promise<ImdsCredentials>;
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
  /** Never serve credentials with this little real validity left (or less). */
  readonly serveFloorMs: number;
  /** Skip the role lookup and always use this role. */
  readonly roleName?: string | undefined;
  readonly random?: () => number;
  readonly metrics?: Metrics;
  readonly log?: Logger;
}

/**
 * Role credentials in an lru-cache keyed by role. Warm callers never wait on IMDS; concurrent
 * cold callers share one upstream fetch; last good credentials are served through IMDS failures
 * while they keep more than the floor of real validity (static stability), never past it.
 */
export class CredentialCache {
  readonly #o: CredentialCacheOptions;
  readonly #random: () => number;
  readonly #lru: LRUCache<string, HeldCredentials>;
  readonly #listeners = new Set<(outcome: RefreshOutcome) => void>();
  #role: string | undefined;
  #refreshing: Promise<HeldCredentials> | undefined;
  #failures = 0;
  #retryNotBeforeMs = 0;
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
    if ((!fresh || runningLow) && now >= this.#retryNotBeforeMs) this.#refreshQuietly();
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
        this.#failures += 1;
        const retryAtMs = this.#o.clock.now() + retryAfterFailureMs(this.#failures, this.#random);
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
      this.#failures = 0;
      this.#retryNotBeforeMs = 0;
      this.#o.log?.info(
        { role: outcome.held.role, expiration: outcome.held.document.Expiration },
        'credentials refreshed',
      );
    } else {
      const reason = failureReason(outcome.error);
      this.#o.metrics?.refreshFailures.inc({ reason });
      this.#o.log?.warn(
        { reason, err: outcome.error, failures: this.#failures, servingHeld: !!this.peek() },
        'credential refresh failed',
      );
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
    const document = await this.#o.source.credentials(role);
    return {
      role,
      document,
      expiresAtMs: Date.parse(document.Expiration),
      fetchedAtMs: this.#o.clock.now(),
    };
  }

  #servable(now: number): HeldCredentials | undefined {
    const role = this.#role;
    if (role === undefined) return undefined;
    const held = this.#lru.peek(role, PEEK_STALE);
    return held && held.expiresAtMs - now > this.#o.serveFloorMs ? held : undefined;
  }
}
