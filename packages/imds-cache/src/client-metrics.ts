import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheLookupResult, CacheMetrics } from './metrics.js';

/** The per-client series (label `client`), on the daemon's registry beside the instance role's. */
export interface ClientMetrics {
  /** One client's view, in the shape a CredentialCache reports through. */
  forClient(client: string): CacheMetrics;
  /** Counts one sts:AssumeRole call for `client` by outcome ("ok" or a failure reason). */
  stsCall(client: string, outcome: string): void;
  /** Sets where the per-client "seconds until expiry" gauge reads from. */
  bindExpiry(secondsLeft: () => ReadonlyMap<string, number | undefined>): void;
}

export function createClientMetrics(registry: Registry): ClientMetrics {
  const registers = [registry];
  const sts = new Counter({
    name: 'imds_cache_client_sts_requests_total',
    help: 'sts:AssumeRole calls made for a client, by outcome (ok or the failure reason)',
    labelNames: ['client', 'outcome'],
    registers,
  });
  const lookups = new Counter({
    name: 'imds_cache_client_cache_lookups_total',
    help: "A client's credential lookups: hit, miss (waited for STS), stale (served past TTL)",
    labelNames: ['client', 'result'],
    registers,
  });
  const failures = new Counter({
    name: 'imds_cache_client_refresh_failures_total',
    help: "Failed refreshes of a client's credentials, by reason",
    labelNames: ['client', 'reason'],
    registers,
  });
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['client'], registers });
  const extended = gauge(
    'imds_cache_client_serving_extended',
    "1 while a client's last credentials are served past their expiry (static stability), else 0",
  );
  const lastOk = gauge(
    'imds_cache_client_last_successful_refresh_timestamp_seconds',
    "When STS last gave a client's credentials (epoch seconds)",
  );
  const original = gauge(
    'imds_cache_client_credentials_original_expiry_timestamp_seconds',
    "A client's held credentials' own Expiration (epoch seconds)",
  );
  let secondsLeft: () => ReadonlyMap<string, number | undefined> = () => new Map();
  new Gauge({
    name: 'imds_cache_client_credentials_expiry_seconds',
    help: "Seconds until a client's served credentials expire (absent while it holds none)",
    labelNames: ['client'],
    registers,
    collect() {
      this.reset();
      for (const [client, value] of secondsLeft())
        if (value !== undefined) this.set({ client }, value);
    },
  });
  return {
    forClient: (client) => ({
      cacheLookups: { labels: (result: CacheLookupResult) => lookups.labels(client, result) },
      refreshFailures: { inc: ({ reason }) => failures.inc({ client, reason }) },
      servingExtended: { set: (value) => extended.set({ client }, value) },
      lastSuccessfulRefresh: { set: (value) => lastOk.set({ client }, value) },
      originalExpiry: { set: (value) => original.set({ client }, value) },
    }),
    stsCall: (client, outcome) => sts.inc({ client, outcome }),
    bindExpiry(fn) {
      secondsLeft = fn;
    },
  };
}
