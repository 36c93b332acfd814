import { AuditLog } from './audit-log.js';
import { CallerIdentity } from './caller-identity.js';
import { createClientMetrics } from './client-metrics.js';
import { ClientRegistry } from './client-registry.js';
import { type Clock, systemClock } from './clock.js';
import type { ImdsCacheConfig } from './config.js';
import { ConnectionGuard } from './connection-guard.js';
import { CredentialCache } from './credential-cache.js';
import { resolveFacadeUsers, userNameLookup } from './facade-users.js';
import { createGuardMetrics } from './guard-metrics.js';
import { closeListener, listen } from './http-listener.js';
import { ImdsClient } from './imds-client.js';
import { imdsClientLimits } from './imds-client-limits.js';
import { ImdsFacade } from './imds-facade.js';
import { httpTransport, type ImdsTransport } from './imds-transport.js';
import { InstanceIdentityCache } from './instance-identity.js';
import { hostPort } from './listen-address.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { opsRequestHandler } from './ops-server.js';
import { PendingWork } from './pending-work.js';
import { RefreshScheduler } from './refresh-scheduler.js';
import { AuthFailureBuckets, allowedHosts } from './request-guard.js';
import { credentialRequestHandler } from './server.js';
import { TokenBucket } from './token-bucket.js';

export interface ImdsCacheDeps {
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly logger?: Logger;
  /** Replaces the HTTP transport to IMDS (tests at the module boundary). */
  readonly transport?: ImdsTransport;
  /** How long close() lets in-flight requests finish before cutting connections. */
  readonly shutdownGraceMs?: number;
  /** Where callers are looked up (default /proc). */
  readonly procRoot?: string;
}

export interface ImdsCacheHandle {
  /** `http://127.0.0.1:PORT`; credentials at `${url}/v1/credentials`. */
  readonly url: string;
  readonly opsUrl: string;
  readonly tokenFile: string;
  readonly cache: CredentialCache;
  /** The clients file's clients: their tokens and caches (empty without IMDS_CACHE_CLIENTS_FILE). */
  readonly clients: ClientRegistry;
  readonly scheduler: RefreshScheduler;
  readonly metrics: Metrics;
  /** Settles once the start-up fetches (credentials, identity) have finished, well or not. */
  readonly warm: Promise<void>;
  /** Writes a new token; the previous one stays valid for the overlap. Never rejects. */
  rotateToken(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish, stops refreshing. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the daemon in this process: both listeners first, then the token file's lock, then the
 * token (reused when intact), then background refresh. A second daemon for the same token file
 * fails (AddressInUseError or DaemonLockedError) before it changes anything.
 */
export async function startImdsCache(
  config: ImdsCacheConfig,
  deps: ImdsCacheDeps = {},
): Promise<ImdsCacheHandle> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const log = deps.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics();
  const guardMetrics = createGuardMetrics(metrics.registry);
  const shutdown = new AbortController();
  const facadeUids = config.imdsFacade ? resolveFacadeUsers(config.facadeUsers) : undefined;
  const client = new ImdsClient({
    transport:
      deps.transport ??
      httpTransport({
        endpoint: config.imdsEndpoint,
        timeoutMs: config.imdsTimeoutMs,
        signal: shutdown.signal,
      }),
    clock,
    random,
    ...imdsClientLimits(config, clock),
    metrics,
    log,
    signal: shutdown.signal,
  });
  const cache = new CredentialCache({
    source: client,
    clock,
    random,
    ttlMs: config.ttlMs,
    minRemainingMs: config.minRemainingMs,
    serveFloorMs: config.serveFloorMs,
    staticStability: config.staticStability,
    roleName: config.roleName,
    metrics,
    log,
  });
  metrics.bindExpiry(() => {
    const held = cache.peek();
    return held ? (held.expiresAtMs - clock.now()) / 1000 : undefined;
  });
  const identity = new InstanceIdentityCache({
    fetch: () => client.identity(),
    clock,
    random,
    log,
  });
  const scheduler = new RefreshScheduler({ cache, clock, random, timing: config });
  // Read before binding: a bad clients file stops the daemon (exit 2) before it changes anything.
  const clients = await ClientRegistry.load({
    ...{ config, instance: cache, identity, clock, random, log, signal: shutdown.signal },
    metrics: createClientMetrics(metrics.registry),
  });

  let hosts: ReadonlySet<string> = new Set();
  let opsHosts: ReadonlySet<string> = new Set();
  const pending = new PendingWork();
  const connections = new ConnectionGuard(
    config,
    new CallerIdentity(deps.procRoot ? { procRoot: deps.procRoot } : {}),
  );
  guardMetrics.bindOpenConnections(() => connections.openConnections);
  const timeouts = {
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
  };
  const main = await listen(
    credentialRequestHandler({
      cache,
      identity,
      tokens: () => (clients.claimed ? clients : undefined),
      hosts: () => hosts,
      limiter:
        config.rateLimitRps > 0
          ? new TokenBucket({
              ratePerSecond: config.rateLimitRps,
              burst: config.rateLimitBurst,
              clock,
            })
          : undefined,
      authFailures: new AuthFailureBuckets({ clock }),
      facade: config.imdsFacade
        ? new ImdsFacade({
            cache,
            serveInstanceRole: config.serveInstanceRole,
            clock,
            identity,
            fetchIamInfo: () => client.iamInfo(),
            random,
            log,
          })
        : undefined,
      ...(facadeUids ? { facadeUids } : {}),
      audit: new AuditLog({
        log,
        clock,
        intervalMs: config.auditIntervalMs,
        onSuppressed: () => guardMetrics.auditLinesSuppressed.inc(),
        userName: userNameLookup(),
        pending,
      }),
      refusalLog: new TokenBucket({ ratePerSecond: 5, burst: 20, clock }),
      pending,
      metrics,
      guardMetrics,
      log,
    }),
    {
      ...config.listen,
      ...timeouts,
      onConnection: connections.accept,
      // Room above the cap to answer 503; beyond it Node drops connections unanswered.
      maxConnections: config.maxConnections + 256,
    },
  );
  const ops = await listen(
    opsRequestHandler({
      cache,
      clock,
      metrics,
      hosts: () => opsHosts,
      tokenReady: () => clients.claimed,
      log,
    }),
    { ...config.opsListen, ...timeouts },
  ).catch(async (error: unknown) => {
    await closeListener(main, 0);
    throw error;
  });
  hosts = allowedHosts(config.listen.host, main.port);
  opsHosts = allowedHosts(config.opsListen.host, ops.port);
  // Only a daemon that holds both addresses and the lock may touch the token file.
  const claimed = await clients.claim().catch(async (error: unknown) => {
    await Promise.all([closeListener(main, 0), closeListener(ops, 0)]);
    throw error;
  });

  scheduler.start();
  // Warm the identity too, so /v1/instance and AccountId never wait once the daemon is up.
  const warm = Promise.allSettled([cache.refresh(), identity.get(), clients.start()]).then(
    () => undefined,
  );
  const url = `http://${hostPort(config.listen.host, main.port)}`;
  const opsUrl = `http://${hostPort(config.opsListen.host, ops.port)}`;
  const clientNames = clients.entries.map((entry) => entry.spec.name);
  const { tokenFile, imdsFacade: facade, serveInstanceRole } = config;
  log.info(
    { url, opsUrl, tokenFile, facade, serveInstanceRole, clients: clientNames },
    'listening',
  );

  const rotateToken = () => clients.rotate(guardMetrics);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      scheduler.stop();
      clients.stop();
      const graceMs = deps.shutdownGraceMs ?? 10_000;
      await Promise.all([closeListener(main, graceMs), closeListener(ops, graceMs)]);
      shutdown.abort(new Error('imds-cache is shutting down'));
      // Audit and refusal lines still waiting on a caller lookup are written before we stop.
      await pending.settled();
      // The token file stays: the next start reuses it, so clients holding its value keep working.
      await claimed.lock.release();
      log.info('stopped');
    })();
    return closing;
  };
  return {
    url,
    opsUrl,
    tokenFile: config.tokenFile,
    cache,
    clients,
    scheduler,
    metrics,
    warm,
    rotateToken,
    close,
  };
}
