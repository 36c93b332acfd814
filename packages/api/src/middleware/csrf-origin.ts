import type { Context } from 'hono';

/**
 * True when a state-changing request comes from our own origin: the browser says so with
 * Sec-Fetch-Site, or its Origin is ours or one of the configured trusted origins (a TLS-terminating
 * proxy changes the scheme we see). Without either header the request is refused.
 */
export function isSameOrigin(c: Context, trustedOrigins: readonly string[]): boolean {
  if (c.req.header('sec-fetch-site') === 'same-origin') return true;
  const origin = c.req.header('origin');
  if (!origin) return false;
  return origin === new URL(c.req.url).origin || trustedOrigins.includes(origin);
}
