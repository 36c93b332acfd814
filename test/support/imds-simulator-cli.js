import { parseArgs } from 'node:util';
import { exitWithParent } from './lifeline.js';

/**
 * @typedef {import('./imds-simulator.js').ImdsSimulatorOptions} ImdsSimulatorOptions
 * @typedef {import('./imds-simulator.js').ImdsSimulator} ImdsSimulator
 */

const USAGE =
  'usage: node test/support/imds-simulator.js [--port N] [--rate R] [--burst B] ' +
  '[--access-key-id ID] [--role-name NAME] [--credential-lifetime-ms MS]';

/**
 * Process mode: parse flags, start with control endpoints, print `{"url": ...}` once listening,
 * exit on SIGTERM/SIGINT or when stdin closes.
 * @param {string[]} argv
 * @param {(options: ImdsSimulatorOptions) => Promise<ImdsSimulator>} start
 */
export async function runImdsSimulatorCli(argv, start) {
  const options = parseImdsSimulatorArgs(argv);
  const sim = await start({ ...options, controlEndpoints: true });
  exitWithParent(() => sim.close());
  process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
}

/**
 * @param {string[]} argv
 * @returns {ImdsSimulatorOptions}
 */
export function parseImdsSimulatorArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string', default: '0' },
      rate: { type: 'string' },
      burst: { type: 'string' },
      'access-key-id': { type: 'string' },
      'role-name': { type: 'string' },
      'credential-lifetime-ms': { type: 'string' },
    },
  });
  const problems = [];
  const port = wholeNumber(values.port);
  if (port === undefined || port > 65_535)
    problems.push(`--port must be 0-65535, got "${values.port}"`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(values.rate?.trim() && rate >= 0)) {
    problems.push(`--rate must be a number >= 0 (0 = no limit), got "${values.rate}"`);
  }
  const burst = values.burst === undefined ? undefined : wholeNumber(values.burst);
  if (values.burst !== undefined && !(burst && burst >= 1)) {
    problems.push(`--burst must be an integer >= 1, got "${values.burst}"`);
  }
  const lifetimeMs = values['credential-lifetime-ms'];
  if (lifetimeMs !== undefined && !wholeNumber(lifetimeMs)) {
    problems.push(`--credential-lifetime-ms must be a positive integer, got "${lifetimeMs}"`);
  }
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${USAGE}`);
  return {
    port,
    // Without --burst the bucket holds one second's worth of requests.
    rateLimit: rate
      ? { ratePerSecond: rate, burst: burst ?? Math.max(1, Math.ceil(rate)) }
      : undefined,
    accessKeyId: values['access-key-id'],
    roleName: values['role-name'],
    credentialLifetimeMs: lifetimeMs === undefined ? undefined : Number(lifetimeMs),
  };
}

/** @param {string | undefined} value */
function wholeNumber(value) {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}
