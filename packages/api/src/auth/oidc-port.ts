import type { JWTVerifyGetKey } from 'jose';

/** What the sign-in routes need from the OpenID provider; real one in oidc-client.ts, fake in testing. */
export interface OidcPort {
  readonly issuer: string;
  /** Where to send the browser to sign in (authorization code flow with PKCE). */
  authorizationUrl(request: {
    redirectUri: string;
    scope: string;
    state: string;
    nonce: string;
    codeChallenge: string;
  }): Promise<URL>;
  /** Checks the callback (state, issuer), redeems the code and validates the ID token. */
  exchangeCode(request: {
    callbackUrl: URL;
    redirectUri: string;
    state: string;
    nonce: string;
    codeVerifier: string;
  }): Promise<{ claims: Record<string, unknown>; idToken: string | undefined }>;
  /** RP-initiated logout, or undefined when the provider offers none. */
  endSessionUrl(request: {
    idToken: string | undefined;
    postLogoutRedirectUri: string;
  }): Promise<URL | undefined>;
  /** The issuer's signing keys (its JWKS), for bearer access tokens. */
  keys(): Promise<JWTVerifyGetKey>;
}
