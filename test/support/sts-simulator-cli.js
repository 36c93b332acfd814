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
  '[--fault none|down|throttling|access-denied|unavailable] [--trust-imds IMDS_URL]';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * Process mode: parse flags, start with control endpoints (/__simulator/counters, calls, requests,
 * fault, trust, user, reset-counters), print `{"url": ...}` once listening, exit with the parent.
 * `--trust-imds` accepts the instance role's keys served by an IMDS simulator at that url.
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
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${USAGE}`);
  return {
    port,
    ...(values.role ? { roles: values.role } : {}),
    ...(fault ? { fault } : {}),
    ...(imdsUrl ? { trustedSource: imdsTrustedSource(imdsUrl) } : {}),
  };
}
