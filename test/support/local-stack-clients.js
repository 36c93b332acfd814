// The local stack's clients file: the API's client and a read-only example one, in the simulated
// account, each with its token file under `dir` (the daemon writes them, mode 0640).
import { join } from 'node:path';
import { DEFAULT_INSTANCE } from './imds-simulator.js';

/**
 * @typedef {{ name: string, tokenFile: string, roleArn: string,
 *   sessionPolicy?: Record<string, unknown> }} LocalClientSpec
 * @typedef {{ name: string, tokenFile: string, roleArn: string, readOnly: boolean,
 *   spec: LocalClientSpec }} LocalClient
 */

/** What the `reports` example may do: read employees and photos, nothing else. */
export const REPORTS_SESSION_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 's3:GetObject'],
      Resource: '*',
    },
  ],
};

/**
 * @param {string} dir where the daemon writes the clients' token files
 * @returns {LocalClient[]}
 */
export function localClients(dir) {
  const account = DEFAULT_INSTANCE.accountId;
  /** @type {LocalClientSpec[]} */
  const specs = [
    {
      name: 'api',
      tokenFile: join(dir, 'api.token'),
      roleArn: `arn:aws:iam::${account}:role/empdir-local-api`,
    },
    {
      name: 'reports',
      tokenFile: join(dir, 'reports.token'),
      roleArn: `arn:aws:iam::${account}:role/empdir-local-reports`,
      sessionPolicy: REPORTS_SESSION_POLICY,
    },
  ];
  return specs.map((spec) => ({
    name: spec.name,
    tokenFile: spec.tokenFile,
    roleArn: spec.roleArn,
    readOnly: spec.sessionPolicy !== undefined,
    spec,
  }));
}
