import { randomBytes } from 'node:crypto';

/**
 * @typedef {{ Code: string, LastUpdated: string, Type: 'AWS-HMAC', AccessKeyId: string,
 *   SecretAccessKey: string, Token: string, Expiration: string,
 *   [extra: string]: string | number }} ImdsCredentialsDocument
 */

export const MIN_TOKEN_TTL_SECONDS = 1;
export const MAX_TOKEN_TTL_SECONDS = 21_600;

/** RFC 3339 UTC without milliseconds, the way EC2 writes LastUpdated and Expiration. */
export function imdsTimestamp(/** @type {number} */ ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A fresh temporary key id, built at run time so no key-shaped literal lives in the repo. */
export function fakeAccessKeyId() {
  return `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
}

/** An instance profile id (AIPA…), built at run time like the key ids. */
function fakeInstanceProfileId() {
  return `AIPA${randomBytes(9).toString('hex').toUpperCase()}`;
}

/**
 * The simulator's mutable state: the role, its credentials and the session tokens handed out.
 * `credentialExtras` are fields EC2 may add to the credentials document (AccountId, ...).
 * @param {{ roleName: string, accessKeyId?: string, credentialLifetimeMs: number,
 *   now: () => number, credentialExtras?: Record<string, string | number> }} options
 */
export function createImdsState({
  roleName,
  accessKeyId,
  credentialLifetimeMs,
  now,
  credentialExtras,
}) {
  /** @type {Map<string, number>} token → expiry in ms on the injected clock */
  const tokens = new Map();
  /** @type {string[]} every session token handed out, expired or not */
  const issued = [];
  let role = roleName;
  let instanceProfileId = fakeInstanceProfileId();
  let roleSetAtMs = now();
  /** @type {ImdsCredentialsDocument} */
  let credentials = issueCredentials();

  function issueCredentials() {
    const issuedAtMs = now();
    return {
      ...credentialExtras,
      Code: 'Success',
      LastUpdated: imdsTimestamp(issuedAtMs),
      Type: /** @type {const} */ ('AWS-HMAC'),
      AccessKeyId: accessKeyId ?? fakeAccessKeyId(),
      SecretAccessKey: randomBytes(30).toString('base64'),
      Token: randomBytes(96).toString('base64'),
      Expiration: imdsTimestamp(issuedAtMs + credentialLifetimeMs),
    };
  }

  return {
    /** @param {number} ttlSeconds already validated to lie within the IMDS bounds */
    issueToken(ttlSeconds) {
      const token = randomBytes(32).toString('base64url');
      tokens.set(token, now() + ttlSeconds * 1000);
      issued.push(token);
      return token;
    },
    /** @param {string | undefined} token */
    isTokenValid(token) {
      if (token === undefined) return false;
      const expiresAtMs = tokens.get(token);
      if (expiresAtMs === undefined) return false;
      if (now() < expiresAtMs) return true;
      tokens.delete(token);
      return false;
    },
    /** Every session token handed out so far, so tests can look for them in logs. */
    issuedTokens: () => [...issued],
    roleName: () => role,
    /** iam/info's instance profile: named after the role, a new id whenever the role changes */
    instanceProfile: () => ({ id: instanceProfileId, lastUpdated: imdsTimestamp(roleSetAtMs) }),
    /** @param {string} name the new role gets new credentials, as a new instance profile would */
    setRole(name) {
      if (!/^[\w+=,.@-]{1,64}$/.test(name)) throw new RangeError(`invalid role name "${name}"`);
      role = name;
      instanceProfileId = fakeInstanceProfileId();
      roleSetAtMs = now();
      credentials = issueCredentials();
    },
    rotate() {
      credentials = issueCredentials();
    },
    /** @returns {ImdsCredentialsDocument} a copy, so callers cannot change what is served */
    credentials: () => ({ ...credentials }),
  };
}
