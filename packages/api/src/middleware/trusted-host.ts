import type { MiddlewareHandler } from 'hono';
import { MisdirectedRequestError } from '../errors.js';

/**
 * Refuses a request whose Host is not on the allow-list (421), before any route runs: a page on
 * another site that rebinds its DNS name to our address still sends its own name as Host.
 * An entry without a port matches that host on any port. An empty list checks nothing.
 */
export function trustedHost(allowed: readonly string[]): MiddlewareHandler {
  const exact = new Set(allowed.filter((entry) => hasPort(entry)));
  const anyPort = new Set(allowed.filter((entry) => !hasPort(entry)));
  return async function trustedHost(c, next) {
    if (allowed.length === 0) return next();
    const host = (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
    if (!exact.has(host) && !anyPort.has(withoutPort(host))) throw new MisdirectedRequestError();
    return next();
  };
}

function hasPort(entry: string): boolean {
  return /:\d+$/.test(entry);
}

function withoutPort(host: string): string {
  return host.replace(/:\d+$/, '');
}
