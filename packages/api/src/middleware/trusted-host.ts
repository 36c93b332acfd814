import type { MiddlewareHandler } from 'hono';
import { MisdirectedRequestError } from '../errors.js';

/**
 * The one request served whatever its Host: the load balancer's health check (HealthCheckPath of
 * the target group in deploy/ec2.yaml), which names the instance's private address as Host. It
 * answers ok/unavailable only and sets no cookie, so a rebound name gains nothing from it.
 */
export const HOST_EXEMPT_HEALTH_CHECK = { methods: ['GET', 'HEAD'], path: '/readyz' } as const;

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
    if (isHealthCheck(c.req.method, c.req.url)) return next();
    const host = (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
    if (!exact.has(host) && !anyPort.has(withoutPort(host))) throw new MisdirectedRequestError();
    return next();
  };
}

/** Exactly the health check: its path as sent (no trailing slash, no escapes), no query at all. */
function isHealthCheck(method: string, url: string): boolean {
  const { methods, path } = HOST_EXEMPT_HEALTH_CHECK;
  if (!(methods as readonly string[]).includes(method)) return false;
  return new URL(url).pathname === path && !url.includes('?');
}

function hasPort(entry: string): boolean {
  return /:\d+$/.test(entry);
}

function withoutPort(host: string): string {
  return host.replace(/:\d+$/, '');
}
