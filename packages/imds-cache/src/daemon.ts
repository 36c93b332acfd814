import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from './clock.js';
import type { ImdsCacheConfig } from './config.js';
import { CredentialCache } from './credential-cache.js';
import { ImdsClient } from './imds-client.js';
import { ImdsFacade } from './imds-facade.js';
import { httpTransport, type ImdsTransport } from './imds-transport.js';
import { InstanceIdentityCache } from './instance-identity.js';
import { hostPort } from './listen-address.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { opsRequestHandler } from './ops-server.js';
import { RefreshScheduler } from './refresh-scheduler.js';
import { allowedHosts, digest } from './request-guard.js';
import { credentialRequestHandler } from './server.js';
import { TokenBucket } from './token-bucket.js';
import { writeTokenFile } from './token-file.js';

export interface ImdsCacheDeps {
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly logger?: Logger;
  /** Replaces the HTTP transport to IMDS (tests at the module boundary). */
  readonly transport?: ImdsTransport;
  /** How long close() lets in-flight requests finish before cutting connections. */
  readonly shutdownGraceMs?: number;
}

export interface ImdsCacheHandle {
  /** `http://127.0.0.1:PORT`; credentials at `${url}/v1/credentials`. */
  readonly url: string;
  readonly opsUrl: string;
  readonly tokenFile: string;
  readonly cache: CredentialCache;
  readonly scheduler: RefreshScheduler;
  readonly metrics: Metrics;
  /** Settles once the start-up fetches (credentials, identity) have finished, well or not. */
  readonly warm: Promise<void>;
  /** Stops accepting, lets in-flight requests finish, stops refreshing. Idempotent. */
  close(): Promise<void>;
}

/** Starts the daemon in this process: token file, both listeners, background refresh. */
export async function startImdsCache(
  config: ImdsCacheConfig,
  deps: ImdsCacheDeps = {},
): Promise<ImdsCacheHandle> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const log = deps.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics();
  const shutdown = new AbortController();
  const token = await writeTokenFile(config.tokenFile);
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
    ceiling: new TokenBucket({
      ratePerSecond: config.upstreamMaxRps,
      burst: config.upstreamBurst,
      clock,
    }),
    tokenTtlSeconds: config.imdsTokenTtlSeconds,
    maxAttempts: config.upstreamMaxAttempts,
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

  let hosts: ReadonlySet<string> = new Set();
  let opsHosts: ReadonlySet<string> = new Set();
  const main = await listen(
    credentialRequestHandler({
      cache,
      identity,
      tokenDigest: digest(token),
      hosts: () => hosts,
      limiter:
        config.rateLimitRps > 0
          ? new TokenBucket({
              ratePerSecond: config.rateLimitRps,
              burst: config.rateLimitBurst,
              clock,
            })
          : undefined,
      facade: config.imdsFacade
        ? new ImdsFacade({
            cache,
            clock,
            identity,
            fetchIamInfo: () => client.iamInfo(),
            random,
            log,
          })
        : undefined,
      metrics,
      log,
    }),
    config.listen.host,
    config.listen.port,
  );
  const ops = await listen(
    opsRequestHandler({ cache, clock, metrics, hosts: () => opsHosts, log }),
    config.opsListen.host,
    config.opsListen.port,
  ).catch(async (error: unknown) => {
    await closeServer(main, 0);
    throw error;
  });
  hosts = allowedHosts(config.listen.host, main.port);
  opsHosts = allowedHosts(config.opsListen.host, ops.port);

  scheduler.start();
  // Warm the identity too, so /v1/instance and AccountId never wait once the daemon is up.
  const warm = Promise.allSettled([cache.refresh(), identity.get()]).then(() => undefined);
  const url = `http://${hostPort(config.listen.host, main.port)}`;
  const opsUrl = `http://${hostPort(config.opsListen.host, ops.port)}`;
  log.info({ url, opsUrl, tokenFile: config.tokenFile, facade: config.imdsFacade }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      scheduler.stop();
      const graceMs = deps.shutdownGraceMs ?? 10_000;
      await Promise.all([closeServer(main, graceMs), closeServer(ops, graceMs)]);
      shutdown.abort(new Error('imds-cache is shutting down'));
      log.info('stopped');
    })();
    return closing;
  };
  return { url, opsUrl, tokenFile: config.tokenFile, cache, scheduler, metrics, warm, close };
}

async function listen(handler: RequestListener, host: string, port: number) {
  let closing = false;
  const open = new Set<ServerResponse>();
  function forget(this: ServerResponse) {
    open.delete(this);
  }
  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 },
    (req, res) => {
      // While closing, every answer ends its connection, so close() need not wait for idle ones.
      if (closing) res.setHeader('Connection', 'close');
      handler(req, res);
      // Only answers still unsent need Connection: close at shutdown; warm hits are already sent.
      if (!res.headersSent) {
        open.add(res);
        res.on('close', forget);
      }
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A whole fleet of short-lived processes may connect at the same instant.
    server.listen({ host, port, exclusive: true, backlog: 2048 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const markClosing = () => {
    closing = true;
    for (const res of open) if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  return { server, port: (server.address() as AddressInfo).port, markClosing };
}

/** Stops accepting, lets in-flight requests finish, and cuts what is left after `graceMs`. */
function closeServer(
  listener: { server: Server; markClosing: () => void },
  graceMs: number,
): Promise<void> {
  const { server } = listener;
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    listener.markClosing();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
