import type { Context } from 'hono';
import * as client from 'openid-client';
import { z } from 'zod';
import type { ApiConfig } from '../config.js';
import { cookieOptions } from '../middleware/cookie-options.js';
import { SignInFailedError } from './oidc-client.js';
import type { OidcPort } from './oidc-port.js';
import { CookieSealer } from './sealed-cookie.js';

const LOGIN_COOKIE = 'empdir_login';
const LOGIN_TTL_MS = 10 * 60_000;

const pendingSchema = z.object({
  state: z.string(),
  nonce: z.string(),
  codeVerifier: z.string(),
  redirectUri: z.string(),
  returnTo: z.string(),
  startedAtMs: z.number(),
});
type PendingSignIn = z.infer<typeof pendingSchema>;

/** The origin the browser used: behind a TLS-terminating proxy, X-Forwarded-Proto says https. */
export function publicOrigin(c: Context): string {
  const url = new URL(c.req.url);
  if (c.req.header('x-forwarded-proto') === 'https') url.protocol = 'https:';
  return url.origin;
}

/** Only a path on this site: never `//host`, `/\host` or a URL, which would redirect elsewhere. */
export function safeReturnTo(raw: string | undefined): string {
  if (!raw || raw.length > 2048 || !raw.startsWith('/') || /^\/[/\\]|[^\x20-\x7e]|\\/.test(raw)) {
    return '/';
  }
  return raw.startsWith('/auth/') ? '/' : raw;
}

/**
 * Both ends of the authorization code flow with PKCE: the state, nonce and code verifier wait in
 * an encrypted cookie on /auth for at most ten minutes, and are used once.
 */
export class SignInFlow {
  readonly #sealer: CookieSealer;

  constructor(
    private readonly config: ApiConfig,
    private readonly oidc: OidcPort,
    private readonly now: () => number,
  ) {
    this.#sealer = new CookieSealer(config.sessionSecret, 'sign-in');
  }

  #cookie(c: Context) {
    return { ...cookieOptions(c, this.config.cookieSecure), path: '/auth' };
  }

  /** The provider's authorization URL; remembers what the callback must check. */
  async begin(c: Context, returnTo: string): Promise<URL> {
    const pending: PendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      redirectUri: this.config.oidc.redirectUri ?? `${publicOrigin(c)}/auth/callback`,
      returnTo: safeReturnTo(returnTo),
      startedAtMs: this.now(),
    };
    const url = await this.oidc.authorizationUrl({
      redirectUri: pending.redirectUri,
      scope: this.config.oidc.scopes,
      state: pending.state,
      nonce: pending.nonce,
      codeChallenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
    });
    await this.#sealer.write(c, LOGIN_COOKIE, pending, {
      ...this.#cookie(c),
      maxAge: LOGIN_TTL_MS / 1000,
    });
    return url;
  }

  /** Redeems the callback's code; the pending sign-in is spent whatever the outcome. */
  async complete(c: Context) {
    const parsed = pendingSchema.safeParse(await this.#sealer.read(c, LOGIN_COOKIE));
    this.#sealer.clear(c, LOGIN_COOKIE, this.#cookie(c));
    if (!parsed.success || this.now() - parsed.data.startedAtMs > LOGIN_TTL_MS) {
      throw new SignInFailedError(new Error('no sign-in in progress in this browser'));
    }
    const pending = parsed.data;
    const callbackUrl = new URL(pending.redirectUri);
    callbackUrl.search = new URL(c.req.url).search;
    const result = await this.oidc.exchangeCode({
      callbackUrl,
      redirectUri: pending.redirectUri,
      state: pending.state,
      nonce: pending.nonce,
      codeVerifier: pending.codeVerifier,
    });
    return { ...result, returnTo: pending.returnTo };
  }
}
