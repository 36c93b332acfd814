import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { ApiConfig } from '../config.js';
import { BadRequestError, CsrfRejectedError } from '../errors.js';
import { cookieOptions } from './cookie-options.js';
import { readSignedCookie, setSignedCookieSync } from './signed-cookie.js';

export const CSRF_COOKIE = 'empdir_csrf';
export const CSRF_FIELD = '_csrf';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface CsrfOptions {
  readonly secret: string;
  readonly cookieSecure: ApiConfig['cookieSecure'];
}

/**
 * Double-submit token: a random per-browser token in an HMAC-signed cookie, repeated in a hidden
 * field of every form. The signature stops a sibling subdomain from planting a cookie with a token
 * it knows. Sets `c.var.csrfToken`, handing out a new cookie when there is no valid one; reads no body.
 */
export function ensureCsrfToken(c: Context<AppEnv>, options: CsrfOptions): string {
  const fromCookie = readSignedCookie(c, options.secret, CSRF_COOKIE);
  if (typeof fromCookie === 'string' && TOKEN_PATTERN.test(fromCookie)) {
    c.set('csrfToken', fromCookie);
    return fromCookie;
  }
  const token = randomBytes(32).toString('base64url');
  setSignedCookieSync(
    c,
    CSRF_COOKIE,
    token,
    options.secret,
    cookieOptions(c, options.cookieSecure),
  );
  c.set('csrfToken', token);
  return token;
}

/** A POSTed form whose token field does not match its cookie is refused with 403. */
export async function verifyCsrfForm(c: Context<AppEnv>, options: CsrfOptions): Promise<void> {
  const fromCookie = readSignedCookie(c, options.secret, CSRF_COOKIE);
  const valid = typeof fromCookie === 'string' && TOKEN_PATTERN.test(fromCookie);
  const submitted = (await readForm(c))[CSRF_FIELD];
  if (!valid || typeof submitted !== 'string' || !sameToken(submitted, fromCookie)) {
    throw new CsrfRejectedError();
  }
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The posted form (parsed once; handlers get hono's cached copy). */
export async function readForm(
  c: Context,
): Promise<Record<string, string | File | (string | File)[]>> {
  try {
    return await c.req.parseBody({ all: true });
  } catch {
    throw new BadRequestError('The form could not be read.');
  }
}
