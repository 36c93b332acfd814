import { imdsHttp } from './imds-http.js';

/**
 * @typedef {import('./sts-principals.js').TrustedKey} TrustedKey
 */

const ROLE_PATH = '/latest/meta-data/iam/security-credentials/';
const IDENTITY_PATH = '/latest/dynamic/instance-identity/document';

/**
 * A `trustedSource` for the STS stand-in: the instance role's current credentials, read from an
 * IMDSv2 simulator the way an instance reads them, as the session `assumed-role/<role>/<instance>`.
 * The stand-in asks only when it meets a key it does not know (first use, or after a rotation).
 * @param {string} imdsUrl the IMDS simulator's url
 * @returns {() => Promise<TrustedKey[]>}
 */
export function imdsTrustedSource(imdsUrl) {
  const { token, get } = imdsHttp(imdsUrl);
  return async () => {
    const session = await token(60);
    const text = async (/** @type {string} */ path) => {
      const response = await get(path, session);
      if (response.status !== 200) throw new Error(`IMDS answered ${response.status} for ${path}`);
      return response.text();
    };
    const role = (await text(ROLE_PATH)).split('\n')[0]?.trim() ?? '';
    const identity = JSON.parse(await text(IDENTITY_PATH));
    const document = JSON.parse(await text(ROLE_PATH + role));
    return [
      {
        accessKeyId: document.AccessKeyId,
        secretAccessKey: document.SecretAccessKey,
        sessionToken: document.Token,
        arn: `arn:aws:sts::${identity.accountId}:assumed-role/${role}/${identity.instanceId}`,
        expiresAtMs: Date.parse(document.Expiration),
      },
    ];
  };
}
