import { parseArgs } from 'node:util';
import { exitWithParent } from './lifeline.js';
import { parseStsFault } from './sts-faults.js';
import { imdsTrustedSource } from './sts-imds-link.js';

/**
 * @typedef {import('./sts-simulator.js').StsSimulatorOptions} StsSimulatorOptions
 * @typedef {import('./sts-simulator.js').StsSimulator} StsSimulator
 * @typedef {import('./sts-faults.js').StsFault} StsFault
 */

const USAGE =
  'usage: node test/support/sts-simulator.js [--port N] [--role ROLE_ARN]... ' +
  '[--fault none|down|throttling|access-denied|unavailable] [--trust-imds IMDS_URL] ' +
  '[--issue-key-id ROLE_ARN=KEY_ID]...';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * Process mode: parse flags, start with control endpoints (/__simulator/counters, calls, requests,
 * fault, trust, user, reset-counters), print `{"url": ...}` once listening, exit with the parent.
 * `--trust-imds` accepts the instance role's keys served by an IMDS simulator at that url.
 * `--issue-key-id` gives that role's sessions that key id (the S3 stand-in takes only S3RVER).
 * @param {string[]} argv
 * @param {(options: StsSimulatorOptions) => Promise<StsSimulator>} start
 */
export async function runStsSimulatorCli(argv, start) {
  const { fault, ...options } = parseStsSimulatorArgs(argv);
  const sim = await start({ ...options, controlEndpoints: true });
  if (fault) sim.setFault(fault);
  exitWithParent(() => sim.close());
  process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
}

/**
 * @param {string[]} argv
 * @returns {StsSimulatorOptions & { fault?: StsFault }}
 */
export function parseStsSimulatorArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string', default: '0' },
      role: { type: 'string', multiple: true },
      fault: { type: 'string' },
      'trust-imds': { type: 'string' },
      'issue-key-id': { type: 'string', multiple: true },
    },
  });
  const problems = [];
  const port = /^\d+$/.test(values.port.trim()) ? Number(values.port) : undefined;
  if (port === undefined || port > 65_535) {
    problems.push(`--port must be 0-65535, got "${values.port}"`);
  }
  for (const role of values.role ?? []) {
    if (!ROLE_ARN.test(role)) problems.push(`--role must be an IAM role ARN, got "${role}"`);
  }
  /** @type {StsFault | undefined} */
  let fault;
  if (values.fault !== undefined) {
    try {
      fault = parseStsFault({ kind: values.fault });
    } catch (error) {
      problems.push(`--fault: ${error instanceof Error ? error.message : error}`);
    }
  }
  const imdsUrl = values['trust-imds'];
  if (imdsUrl !== undefined && !/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+$/.test(imdsUrl)) {
    problems.push(
      `--trust-imds must be http://127.0.0.1:PORT (the IMDS simulator), got "${imdsUrl}"`,
    );
  }
  /** @type {Record<string, string>} */
  const issueKeyIds = {};
  for (const pair of values['issue-key-id'] ?? []) {
    // The last '=' splits: a role name may itself contain '='.
    const role = pair.slice(0, Math.max(0, pair.lastIndexOf('=')));
    const keyId = pair.slice(pair.lastIndexOf('=') + 1);
    if (!ROLE_ARN.test(role) || !/^[A-Z0-9]{4,128}$/.test(keyId)) {
      problems.push(`--issue-key-id must be ROLE_ARN=KEY_ID (A-Z 0-9), got "${pair}"`);
    } else issueKeyIds[role] = keyId;
  }
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${USAGE}`);
  return {
    port,
    ...(values.role ? { roles: values.role } : {}),
    ...(fault ? { fault } : {}),
    ...(imdsUrl ? { trustedSource: imdsTrustedSource(imdsUrl) } : {}),
    ...(Object.keys(issueKeyIds).length > 0 ? { issueKeyIds } : {}),
  };
}
