import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';

// hono/cookie's signed-cookie format (`value.base64(HMAC-SHA256)`), with node:crypto: hono's own
// helpers import a WebCrypto key and await two promises for every cookie they sign or check.
const SIGNATURE_LENGTH = 44;

function signatureOf(value: string, secret: string): string {
  return createHmac('sha256', secret).update(value).digest('base64');
}

/** `value.signature`, as hono's setSignedCookie writes it. */
export function signValue(value: string, secret: string): string {
  return `${value}.${signatureOf(value, secret)}`;
}

/**
 * The value of a signed cookie: undefined when absent or not signed-shaped, false when the
 * signature does not match (as hono's getSignedCookie answers).
 */
export function readSignedCookie(
  c: Context,
  secret: string,
  name: string,
): string | false | undefined {
  const cookie = getCookie(c, name);
  if (cookie === undefined) return undefined;
  const at = cookie.lastIndexOf('.');
  if (at < 0) return undefined;
  const signature = cookie.slice(at + 1);
  if (signature.length !== SIGNATURE_LENGTH || !signature.endsWith('=')) return undefined;
  const value = cookie.slice(0, at);
  const expected = Buffer.from(signatureOf(value, secret));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : false;
}

/** Sets a signed cookie in hono's format. */
export function setSignedCookieSync(
  c: Context,
  name: string,
  value: string,
  secret: string,
  options: CookieOptions,
): void {
  setCookie(c, name, signValue(value, secret), options);
}
