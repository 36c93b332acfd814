import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import * as client from 'openid-client';
import type { OidcSettings } from '../config.js';
import { AppError, UpstreamError } from '../errors.js';
import type { OidcPort } from './oidc-port.js';

/** The provider said no (bad code, state, nonce or ID token): the user starts again. */
export class SignInFailedError extends AppError {
  override name = 'SignInFailedError';
  constructor(cause: unknown) {
    super(
      400,
      'bad_request',
      'Sign-in did not complete. Start again from the sign-in link.',
      undefined,
      {
        cause,
      },
    );
  }
}

const isProviderRefusal = (error: unknown) =>
  error instanceof client.ResponseBodyError ||
  error instanceof client.AuthorizationResponseError ||
  error instanceof client.ClientError ||
  (error instanceof Error && error.name === 'OperationProcessingError');

/** openid-client around the configured issuer: discovered once, lazily, and again after a failure. */
export function createOidcClient(settings: OidcSettings): OidcPort {
  let discovered: Promise<client.Configuration> | undefined;
  let jwks: JWTVerifyGetKey | undefined;
  const insecure = settings.issuer.startsWith('http:');

  function configuration(): Promise<client.Configuration> {
    discovered ??= client
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        settings.clientSecret,
        settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
        // http is accepted by config.ts only on loopback (the local provider).
        { timeout: 5, ...(insecure ? { execute: [client.allowInsecureRequests] } : {}) },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw new UpstreamError('oidc', 'unavailable', error);
      });
    return discovered;
  }

  return {
    issuer: settings.issuer,
    async authorizationUrl(request) {
      return client.buildAuthorizationUrl(await configuration(), {
        redirect_uri: request.redirectUri,
        scope: request.scope,
        state: request.state,
        nonce: request.nonce,
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256',
      });
    },
    async exchangeCode(request) {
      const config = await configuration();
      try {
        // callbackUrl is redirectUri plus the provider's query: openid-client sends it without the query.
        const tokens = await client.authorizationCodeGrant(config, request.callbackUrl, {
          pkceCodeVerifier: request.codeVerifier,
          expectedState: request.state,
          expectedNonce: request.nonce,
          idTokenExpected: true,
        });
        return { claims: { ...tokens.claims() }, idToken: tokens.id_token };
      } catch (error) {
        if (isProviderRefusal(error)) throw new SignInFailedError(error);
        throw new UpstreamError('oidc', 'unavailable', error);
      }
    },
    async endSessionUrl(request) {
      const config = await configuration();
      if (config.serverMetadata().end_session_endpoint) {
        return client.buildEndSessionUrl(config, {
          client_id: settings.clientId,
          post_logout_redirect_uri: request.postLogoutRedirectUri,
          ...(request.idToken ? { id_token_hint: request.idToken } : {}),
        });
      }
      if (!settings.endSessionUrl) return undefined;
      // Cognito's hosted UI: /logout?client_id=…&logout_uri=…
      const url = new URL(settings.endSessionUrl);
      url.searchParams.set('client_id', settings.clientId);
      url.searchParams.set('logout_uri', request.postLogoutRedirectUri);
      return url;
    },
    async keys() {
      if (jwks) return jwks;
      const uri = (await configuration()).serverMetadata().jwks_uri;
      if (!uri) throw new UpstreamError('oidc', 'error', new Error('no jwks_uri in discovery'));
      jwks = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5_000 });
      return jwks;
    },
  };
}
