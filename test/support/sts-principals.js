import { randomBytes } from 'node:crypto';
import { fakeAccessKeyId, imdsTimestamp } from './imds-simulator-state.js';

/**
 * Who may sign a request: a key the stand-in was told about (`trust`) or one it issued itself.
 * `arn` decides the kind: an `assumed-role` session is chained when it calls AssumeRole.
 * @typedef {{ accessKeyId: string, secretAccessKey: string, sessionToken?: string,
 *   arn: string, userId: string, account: string, expiresAtMs?: number,
 *   sourceIdentity?: string }} Caller
 * @typedef {{ accessKeyId: string, secretAccessKey: string, sessionToken?: string,
 *   arn: string, expiresAtMs?: number }} TrustedKey
 * @typedef {{ accessKeyId: string, secretAccessKey: string, sessionToken: string,
 *   expiration: string }} IssuedCredentials
 */

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\u0021-\u007e]+\/)?([\w+=,.@-]{1,64})$/;
const SESSION_ARN =
  /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]{2,64})$/;
const USER_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):user\/(?:[\u0021-\u007e]+\/)?([\w+=,.@-]{1,64})$/;

/** @param {string} arn */
export function parseRoleArn(arn) {
  const match = ROLE_ARN.exec(arn);
  return match ? { account: match[1] ?? '', name: match[2] ?? '' } : undefined;
}

/** True when the caller is itself a role session, so AssumeRole from it is role chaining. */
export function isRoleSession(/** @type {Caller} */ caller) {
  return SESSION_ARN.test(caller.arn);
}

/** A unique id like IAM's (prefix + 17 characters), built at run time. */
function uniqueId(/** @type {string} */ prefix) {
  return prefix + randomBytes(16).toString('hex').toUpperCase().slice(0, 17);
}

/** @param {{ now: () => number }} options */
export function createPrincipalStore({ now }) {
  /** @type {Map<string, Caller>} */
  const byKey = new Map();
  /** @type {Map<string, string>} role ARN → its stable unique id */
  const roleIds = new Map();

  /** @param {string} roleArn */
  const roleId = (roleArn) => {
    let id = roleIds.get(roleArn);
    if (!id) {
      id = uniqueId('AROA');
      roleIds.set(roleArn, id);
    }
    return id;
  };

  return {
    /**
     * Lets a key the stand-in did not issue sign requests (the instance role's, from IMDS).
     * @param {TrustedKey} key
     * @returns {Caller}
     */
    trust(key) {
      const session = SESSION_ARN.exec(key.arn);
      const user = USER_ARN.exec(key.arn);
      if (!session && !user) throw new RangeError(`not a user or assumed-role ARN: "${key.arn}"`);
      const account = (session ?? user)?.[1] ?? '';
      const userId = session
        ? `${roleId(`arn:aws:iam::${account}:role/${session[2]}`)}:${session[3]}`
        : uniqueId('AIDA');
      /** @type {Caller} */
      const caller = { ...key, account, userId };
      byKey.set(key.accessKeyId, caller);
      return caller;
    },
    /** @param {string} accessKeyId */
    lookup: (accessKeyId) => byKey.get(accessKeyId),
    /**
     * A new role session's credentials, which the stand-in then accepts in turn.
     * `accessKeyId` replaces the random key id (a stand-in that accepts only its own, like s3rver).
     * @param {{ roleArn: string, sessionName: string, durationSeconds: number,
     *   sourceIdentity?: string, accessKeyId?: string }} session
     * @returns {{ caller: Caller, credentials: IssuedCredentials, assumedRoleId: string }}
     */
    issueSession({ roleArn, sessionName, durationSeconds, sourceIdentity, accessKeyId }) {
      const role = parseRoleArn(roleArn);
      if (!role) throw new RangeError(`not a role ARN: "${roleArn}"`);
      const expiresAtMs = Math.floor(now() / 1000) * 1000 + durationSeconds * 1000;
      const assumedRoleId = `${roleId(roleArn)}:${sessionName}`;
      /** @type {Caller} */
      const caller = {
        accessKeyId: accessKeyId ?? fakeAccessKeyId(),
        secretAccessKey: randomBytes(30).toString('base64'),
        sessionToken: randomBytes(96).toString('base64'),
        arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
        userId: assumedRoleId,
        account: role.account,
        expiresAtMs,
        ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
      };
      byKey.set(caller.accessKeyId, caller);
      const credentials = {
        accessKeyId: caller.accessKeyId,
        secretAccessKey: caller.secretAccessKey,
        sessionToken: /** @type {string} */ (caller.sessionToken),
        expiration: imdsTimestamp(expiresAtMs),
      };
      return { caller, credentials, assumedRoleId };
    },
  };
}
