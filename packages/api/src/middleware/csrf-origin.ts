import type { MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { CsrfRejectedError } from '../errors.js';

/**
 * hono/csrf: a form POST must come from our own origin (Origin or Sec-Fetch-Site), or from one of
 * the configured trusted origins (a TLS-terminating proxy changes the scheme we see).
 */
export function csrfOrigin(trustedOrigins: readonly string[]): MiddlewareHandler {
  const check = csrf({
    origin: (origin, c) => origin === new URL(c.req.url).origin || trustedOrigins.includes(origin),
  });
  return async function csrfOrigin(c, next) {
    try {
      await check(c, next);
    } catch (error) {
      // Only hono/csrf's own refusal is translated; errors from later handlers pass through.
      if (error instanceof HTTPException && error.status === 403 && !c.finalized) {
        throw new CsrfRejectedError();
      }
      throw error;
    }
  };
}
