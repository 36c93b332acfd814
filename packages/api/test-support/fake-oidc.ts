import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createLocalJWKSet, SignJWT } from 'jose';
import type { Role } from '../src/auth/identity.js';
import { SignInFailedError } from '../src/auth/oidc-client.js';
import type { OidcPort } from '../src/auth/oidc-port.js';

export const FAKE_ISSUER = 'https://idp.example.test';
export const FAKE_CLIENT_ID = 'empdir-test-client';

// One signing key per test process: generating it is the slow part, and nothing mutates it.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'ES256' };

export interface FakeUser {
  readonly sub: string;
  readonly name: string;
  readonly groups: readonly string[];
}

export const userWithRole = (role: Role | undefined): FakeUser => ({
  sub: `user-${role ?? 'none'}`,
  name: `Test ${role ?? 'nobody'}`,
  groups: role ? [role] : [],
});

interface Pending {
  readonly redirectUri: string;
  readonly nonce: string;
  readonly codeChallenge: string;
}

/**
 * An OpenID provider in memory: it hands out authorization codes for whoever the test says signs
 * in, checks state, PKCE and redirect URI at the exchange, and signs access tokens with a test key
 * whose JWKS it serves.
 */
export class FakeOidc implements OidcPort {
  readonly issuer = FAKE_ISSUER;
  readonly #pending = new Map<string, Pending>();
  readonly #codes = new Map<string, Pending & { user: FakeUser; state: string }>();
  readonly #keys = createLocalJWKSet({ keys: [publicJwk] });

  async authorizationUrl(request: Parameters<OidcPort['authorizationUrl']>[0]) {
    const url = new URL('/authorize', FAKE_ISSUER);
    for (const [key, value] of Object.entries({
      client_id: FAKE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: request.redirectUri,
      scope: request.scope,
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    })) {
      url.searchParams.set(key, value);
    }
    this.#pending.set(request.state, request);
    return url;
  }

  /** The provider's answer when `user` signs in at `authorizationUrl`: the callback URL with a code. */
  approve(authorizationUrl: string, user: FakeUser): string {
    const state = new URL(authorizationUrl).searchParams.get('state') ?? '';
    const pending = this.#pending.get(state);
    if (!pending) throw new Error('the fake provider never issued this authorization URL');
    this.#pending.delete(state);
    const code = randomBytes(16).toString('hex');
    this.#codes.set(code, { ...pending, user, state });
    const callback = new URL(pending.redirectUri);
    callback.searchParams.set('code', code);
    callback.searchParams.set('state', state);
    return callback.href;
  }

  async exchangeCode(request: Parameters<OidcPort['exchangeCode']>[0]) {
    const params = request.callbackUrl.searchParams;
    const issued = this.#codes.get(params.get('code') ?? '');
    this.#codes.delete(params.get('code') ?? '');
    const challenge = createHash('sha256').update(request.codeVerifier).digest('base64url');
    if (
      !issued ||
      params.get('state') !== request.state ||
      issued.state !== request.state ||
      issued.redirectUri !== request.redirectUri ||
      issued.codeChallenge !== challenge
    ) {
      throw new SignInFailedError(new Error('the fake provider refused the code'));
    }
    const { user } = issued;
    return {
      claims: {
        sub: user.sub,
        name: user.name,
        'cognito:groups': [...user.groups],
        nonce: issued.nonce,
      },
      idToken: `id-token-of-${user.sub}`,
    };
  }

  async endSessionUrl(request: Parameters<OidcPort['endSessionUrl']>[0]) {
    const url = new URL('/logout', FAKE_ISSUER);
    if (request.idToken) url.searchParams.set('id_token_hint', request.idToken);
    url.searchParams.set('post_logout_redirect_uri', request.postLogoutRedirectUri);
    return url;
  }

  async keys() {
    return this.#keys;
  }

  /** An access token as the provider would sign it; `claims` override the defaults. */
  accessToken(claims: Record<string, unknown>, options: { nowMs: number; ttlS?: number }) {
    const iat = Math.floor(options.nowMs / 1000);
    return new SignJWT({ iss: FAKE_ISSUER, client_id: FAKE_CLIENT_ID, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key', typ: 'at+jwt' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + (options.ttlS ?? 3600))
      .sign(privateKey);
  }
}

/** A token signed by a key nobody trusts, for the negative cases. */
export function foreignAccessToken(claims: Record<string, unknown>, nowMs: number) {
  const { privateKey: other } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
    .setIssuer(FAKE_ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(other);
}
