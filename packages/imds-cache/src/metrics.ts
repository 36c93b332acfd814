import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type CacheLookupResult = 'hit' | 'miss' | 'stale';

/** What a CredentialCache reports: the instance role's metrics, or one client's (client-metrics.ts). */
export interface CacheMetrics {
  readonly cacheLookups: { labels(result: CacheLookupResult): { inc(): void } };
  readonly refreshFailures: { inc(labels: { reason: string }): void };
  readonly servingExtended: { set(value: number): void };
  readonly lastSuccessfulRefresh: { set(value: number): void };
  readonly originalExpiry: { set(value: number): void };
}

/** The daemon's Prometheus metrics, on a registry of its own (never prom-client's global one). */
export interface Metrics {
  readonly registry: Registry;
  readonly upstreamRequests: Counter<'path' | 'status'>;
  readonly cacheLookups: Counter<'result'>;
  readonly refreshFailures: Counter<'reason'>;
  readonly requestDuration: Histogram<'route' | 'status'>;
  /** 1 while the held credentials are past the floor and served with an extended Expiration. */
  readonly servingExtended: Gauge;
  readonly lastSuccessfulRefresh: Gauge;
  /** The held credentials' own Expiration (epoch seconds), whatever an extension says. */
  readonly originalExpiry: Gauge;
  /** IMDS time minus local time, from the Date header of IMDS answers. */
  readonly clockSkew: Gauge;
  /** Sets where the "seconds until the held credentials expire" gauge reads from. */
  bindExpiry(secondsLeft: () => number | undefined): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'imds_cache_' });
  let secondsLeft: () => number | undefined = () => undefined;
  new Gauge({
    name: 'imds_cache_credentials_expiry_seconds',
    help: 'Seconds until the served credentials expire (an extension while extending; absent while none)',
    registers: [registry],
    collect() {
      this.reset();
      const value = secondsLeft();
      if (value !== undefined) this.set(value);
    },
  });
  return {
    registry,
    upstreamRequests: new Counter({
      name: 'imds_cache_upstream_requests_total',
      help: 'Requests the daemon made to IMDS, by path and outcome (HTTP status, timeout, network)',
      labelNames: ['path', 'status'],
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: 'imds_cache_cache_lookups_total',
      help: 'Credential lookups: hit (fresh), miss (waited for IMDS), stale (served past TTL)',
      labelNames: ['result'],
      registers: [registry],
    }),
    refreshFailures: new Counter({
      name: 'imds_cache_refresh_failures_total',
      help: 'Failed credential refreshes, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'imds_cache_http_request_duration_seconds',
      help: 'Latency of requests the daemon answered, by route and status',
      labelNames: ['route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    servingExtended: new Gauge({
      name: 'imds_cache_serving_extended',
      help: '1 while credentials past the serve floor are served with an extended Expiration (static stability), else 0',
      registers: [registry],
    }),
    lastSuccessfulRefresh: new Gauge({
      name: 'imds_cache_last_successful_refresh_timestamp_seconds',
      help: 'When IMDS last gave credentials that could be served (epoch seconds)',
      registers: [registry],
    }),
    originalExpiry: new Gauge({
      name: 'imds_cache_credentials_original_expiry_timestamp_seconds',
      help: "The held credentials' own Expiration (epoch seconds), before any extension",
      registers: [registry],
    }),
    clockSkew: new Gauge({
      name: 'imds_cache_clock_skew_seconds',
      help: 'IMDS time minus local time (positive: the local clock is behind), from IMDS Date headers',
      registers: [registry],
    }),
    bindExpiry(fn) {
      secondsLeft = fn;
    },
  };
}

/**
 * Observes request latency through labelled children kept per route and status (both bounded
 * sets), so the hot path skips prom-client's per-call label hashing.
 */
export function requestObserver(
  histogram: Histogram<'route' | 'status'>,
): (route: string, status: number, seconds: number) => void {
  const children = new Map<string, Map<number, { observe(value: number): void }>>();
  return (route, status, seconds) => {
    let byStatus = children.get(route);
    if (!byStatus) {
      byStatus = new Map();
      children.set(route, byStatus);
    }
    let child = byStatus.get(status);
    if (!child) {
      child = histogram.labels(route, String(status));
      byStatus.set(status, child);
    }
    child.observe(seconds);
  };
}
