import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hostPort } from './listen-address.js';

/** The address is taken (most often by the daemon already running). main.ts exits 2. */
export class AddressInUseError extends Error {
  override name = 'AddressInUseError';
  constructor(readonly address: string) {
    super(`${address} is in use (is imds-cache already running?); nothing changed`);
  }
}

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Time allowed for a client to send its request headers (slowloris). */
  readonly headersTimeoutMs: number;
  /** Time allowed for a client to send its whole request. */
  readonly requestTimeoutMs: number;
  /** Called for each accepted connection, before any request on it. */
  readonly onConnection?: (socket: Socket) => void;
  /** Node drops connections beyond this many outright (the last resort behind our own caps). */
  readonly maxConnections?: number;
}

export interface Listener {
  readonly server: Server;
  readonly port: number;
  readonly markClosing: () => void;
}

/** Binds an HTTP listener; while closing, every answer ends its connection. */
export async function listen(
  handler: RequestListener,
  options: ListenerOptions,
): Promise<Listener> {
  let closing = false;
  const open = new Set<ServerResponse>();
  function forget(this: ServerResponse) {
    open.delete(this);
  }
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      keepAliveTimeout: 5_000,
      // Node checks the two timeouts above on this interval (default 30 s, too lax for slowloris).
      connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs),
    },
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
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
  if (options.onConnection) server.on('connection', options.onConnection);
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new AddressInUseError(hostPort(options.host, options.port))
          : error,
      );
    server.once('error', fail);
    // A whole fleet of short-lived processes may connect at the same instant.
    server.listen(
      { host: options.host, port: options.port, exclusive: true, backlog: 2048 },
      () => {
        server.off('error', fail);
        resolve();
      },
    );
  });
  const markClosing = () => {
    closing = true;
    for (const res of open) if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  return { server, port: (server.address() as AddressInfo).port, markClosing };
}

/** Stops accepting, lets in-flight requests finish, and cuts what is left after `graceMs`. */
export function closeListener(listener: Listener, graceMs: number): Promise<void> {
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
