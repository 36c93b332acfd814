import type { Context } from 'hono';
import type { CookieOptions } from 'hono/utils/cookie';
import type { ApiConfig } from '../config.js';

/** HttpOnly, SameSite=Lax, and Secure whenever the browser reached us over HTTPS. */
export function cookieOptions(c: Context, mode: ApiConfig['cookieSecure']): CookieOptions {
  const https =
    new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
  const secure = mode === 'always' || (mode === 'auto' && https);
  return { path: '/', httpOnly: true, sameSite: 'Lax', secure };
}
