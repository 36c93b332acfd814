import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { createApp } from './app.js';
import type { ApiConfig } from './config.js';
import { type CreateDepsOptions, createDeps, type RealDeps } from './create-deps.js';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly deps: RealDeps;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_GRACE_MS), then releases all. */
  close(): Promise<void>;
}

/** Starts the API on config.host:config.port; resolves once it listens. */
export async function startServer(
  config: ApiConfig,
  options: CreateDepsOptions = {},
): Promise<RunningServer> {
  const deps = createDeps(config, options);
  const { logger } = deps;
  const app = createApp(deps);
  const server = createAdaptorServer({
    fetch: async (request: Request, env: HttpBindings | Http2Bindings) => {
      const response = await app.fetch(request, env);
      // An answer given before the body arrived whole closes the connection: reading on only to
      // discard it (what Node and the adapter do for keep-alive) lets a refused upload cost its size.
      if (!env.incoming.complete) env.outgoing.setHeader('Connection', 'close');
      return response;
    },
    hostname: config.host,
  }) as Server;
  // Slow clients cannot hold a connection forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, 'listening');

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    deps.beginShutdown();
    logger.info('shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        logger.warn('grace period over: closing open connections');
        server.closeAllConnections();
        resolve();
      }, config.shutdownGraceMs);
    });
    await Promise.race([closed, grace]);
    clearTimeout(timer);
    await deps.close();
    logger.info('stopped');
  }
  return {
    url,
    deps,
    close: () => {
      closing ??= shutdown();
      return closing;
    },
  };
}
