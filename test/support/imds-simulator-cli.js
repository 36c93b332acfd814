import { parseArgs } from 'node:util';
import { FAULT_KINDS, parseFault } from './imds-faults.js';
import { exitWithParent } from './lifeline.js';

/**
 * @typedef {import('./imds-simulator.js').ImdsSimulatorOptions} ImdsSimulatorOptions
 * @typedef {import('./imds-simulator.js').ImdsSimulator} ImdsSimulator
 */

const USAGE =
  'usage: node test/support/imds-simulator.js [--port N] [--rate R] [--burst B] ' +
  '[--access-key-id ID] [--role-name NAME] [--credential-lifetime-ms MS] ' +
  `[--fault KIND | --fault JSON] (KIND: ${FAULT_KINDS.join(', ')}; JSON as POST /__simulator/fault)`;

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
      fault: { type: 'string' },
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
  const fault = values.fault === undefined ? undefined : faultFromFlag(values.fault, problems);
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
    ...(fault ? { fault } : {}),
  };
}

// Defaults that make a bare kind usable on its own: a 10-minute skew, a 500 everywhere.
/** @type {Record<string, object>} */
const BARE_KIND_DEFAULTS = {
  slow: { delayMs: 10_000 },
  status: { status: 500 },
  'skewed-date': { skewMs: 600_000 },
};

/**
 * `--fault expired-document` or `--fault '{"kind":"skewed-date","skewMs":-600000}'`.
 * @param {string} flag
 * @param {string[]} problems
 * @returns {import('./imds-faults.js').Fault | undefined}
 */
function faultFromFlag(flag, problems) {
  const text = flag.trim();
  try {
    const input = text.startsWith('{')
      ? JSON.parse(text)
      : { kind: text, ...BARE_KIND_DEFAULTS[text] };
    return parseFault(input);
  } catch (error) {
    problems.push(`--fault: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** @param {string | undefined} value */
function wholeNumber(value) {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}
