import { errors, jwtVerify } from 'jose';
import { UnauthorizedError, UpstreamError } from '../errors.js';
import { displayNameOf, type Identity, roleFromClaims } from './identity.js';
import type { OidcPort } from './oidc-port.js';

export interface AccessTokenRules {
  readonly audiences: readonly string[];
  readonly groupsClaim: string;
  readonly now: () => number;
}

export const BEARER_CHALLENGE = 'Bearer realm="empdir"';
const invalid = (description: string) =>
  new UnauthorizedError(
    `${BEARER_CHALLENGE}, error="invalid_token", error_description="${description}"`,
    `The access token was refused: ${description}.`,
  );

/** The token of `Authorization: Bearer <token>`; undefined when there is no such header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim());
  if (!match?.[1]) throw invalid('malformed Authorization header');
  return match[1];
}

/**
 * Checks a JWT access token against the issuer's keys: signature, issuer, expiry, and an audience
 * we accept (`aud`, or `client_id` when a token has no `aud`, as Cognito's access tokens do).
 */
export async function verifyAccessToken(
  token: string,
  oidc: OidcPort,
  rules: AccessTokenRules,
): Promise<Identity> {
  const keys = await oidc.keys();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: oidc.issuer,
      currentDate: new Date(rules.now()),
      clockTolerance: 30,
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (error) {
    if (error instanceof errors.JWKSTimeout) throw new UpstreamError('oidc', 'unavailable', error);
    if (error instanceof errors.JWTExpired) throw invalid('expired');
    throw invalid('signature, issuer or format not accepted');
  }
  const aud = payload.aud;
  const audiences = Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : [];
  const accepted =
    audiences.length > 0
      ? audiences.some((a) => rules.audiences.includes(a))
      : typeof payload.client_id === 'string' && rules.audiences.includes(payload.client_id);
  if (!accepted) throw invalid('wrong audience');
  // An ID token is not an access token, though its aud is our client id.
  if (payload.token_use === 'id' || payload.nonce !== undefined)
    throw invalid('not an access token');
  return {
    subject: String(payload.sub),
    displayName: displayNameOf(payload),
    role: roleFromClaims(payload, rules.groupsClaim),
    via: 'bearer',
  };
}
