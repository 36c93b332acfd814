import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie } from 'hono/cookie';
import type { AppEnv } from '../app-env.js';
import type { ApiConfig } from '../config.js';
import { cookieOptions } from './cookie-options.js';
import { readSignedCookie, setSignedCookieSync } from './signed-cookie.js';

/** Messages shown once after a redirect; the cookie carries only the key, never text. */
export const FLASH_MESSAGES = {
  saved: 'Saved!',
  deleted: 'Deleted!',
  stress: 'Stressing CPU',
  'stress-busy': 'A CPU stress is already running',
} as const;
export type FlashKey = keyof typeof FLASH_MESSAGES;

const FLASH_COOKIE = 'empdir_flash';

interface FlashOptions {
  secret: string;
  cookieSecure: ApiConfig['cookieSecure'];
}

/** Reads and clears the flash cookie on page views, so the message appears exactly once. */
export function flash(options: FlashOptions): MiddlewareHandler<AppEnv> {
  return async function flash(c, next) {
    c.set('flash', undefined);
    if (c.req.method === 'GET') {
      const key = readSignedCookie(c, options.secret, FLASH_COOKIE);
      if (typeof key === 'string' && Object.hasOwn(FLASH_MESSAGES, key)) {
        c.set('flash', FLASH_MESSAGES[key as FlashKey]);
      }
      if (key !== undefined) deleteCookie(c, FLASH_COOKIE, cookieOptions(c, options.cookieSecure));
    }
    await next();
  };
}

export async function setFlash(c: Context, key: FlashKey, options: FlashOptions): Promise<void> {
  setSignedCookieSync(c, FLASH_COOKIE, key, options.secret, {
    ...cookieOptions(c, options.cookieSecure),
    maxAge: 60,
  });
}
