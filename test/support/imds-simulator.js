// Our own IMDSv2 simulator (node:http only): tokens, the role's credentials, instance identity,
// with faults, a token-bucket rate limit and an injected clock for tests. Also runnable on its own:
// `node test/support/imds-simulator.js --port N --rate R [--burst B] [--access-key-id ID]`.
import { pathToFileURL } from 'node:url';
import { handleControl } from './imds-control.js';
import { createFaultSwitch, faultyDocument } from './imds-faults.js';
import { routeImds } from './imds-routes.js';
import { runImdsSimulatorCli } from './imds-simulator-cli.js';
import { createImdsState } from './imds-simulator-state.js';
import { startStandinServer } from './standin-server.js';
import { createTokenBucket } from './token-bucket.js';

/**
 * @typedef {import('./imds-faults.js').Fault} Fault
 * @typedef {import('./token-bucket.js').RateLimit} RateLimit
 * @typedef {import('./imds-routes.js').InstanceFacts} InstanceFacts
 * @typedef {import('./imds-simulator-state.js').ImdsCredentialsDocument} ImdsCredentialsDocument
 * @typedef {{ total: number, byPath: Record<string, number>,
 *   byStatus: Record<string, number> }} ImdsCounters
 * @typedef {{ port?: number, roleName?: string, accessKeyId?: string,
 *   credentialLifetimeMs?: number, credentialExtras?: Record<string, string | number>,
 *   rateLimit?: RateLimit, now?: () => number, instance?: Partial<InstanceFacts>,
 *   controlEndpoints?: boolean, fault?: Fault,
 *   sleep?: (ms: number) => Promise<void> }} ImdsSimulatorOptions
 * @typedef {{ url: string, port: number, counters: () => ImdsCounters, resetCounters: () => void,
 *   setFault: (fault: Fault) => void, parked: () => number, setRateLimit: (limit: RateLimit | undefined) => void,
 *   rotateCredentials: () => void, setRole: (name: string) => void,
 *   currentCredentials: () => ImdsCredentialsDocument,
 *   issuedSessionTokens: () => string[], close: () => Promise<void> }} ImdsSimulator
 */

/** @type {InstanceFacts} */
export const DEFAULT_INSTANCE = Object.freeze({
  instanceId: 'i-0123456789abcdef0',
  region: 'us-east-1',
  availabilityZone: 'us-east-1a',
  instanceType: 't3.micro',
  accountId: '123456789012',
});

/**
 * Starts the simulator on 127.0.0.1. `controlEndpoints` (process mode) serves /__simulator/*.
 * @param {ImdsSimulatorOptions} [options]
 * @returns {Promise<ImdsSimulator>}
 */
export async function startImdsSimulator(options = {}) {
  const now = options.now ?? Date.now;
  const instance = { ...DEFAULT_INSTANCE, ...options.instance };
  const state = createImdsState({
    roleName: options.roleName ?? 'empdir-app-role',
    accessKeyId: options.accessKeyId,
    credentialLifetimeMs: options.credentialLifetimeMs ?? 6 * 3_600_000,
    now,
    credentialExtras: options.credentialExtras,
  });
  const faults = createFaultSwitch();
  /** @type {import('./token-bucket.js').TokenBucket | undefined} */
  let bucket;
  /** @type {ImdsCounters} */
  let counters = { total: 0, byPath: {}, byStatus: {} };
  /** @type {Set<NodeJS.Timeout>} */
  const delays = new Set();

  /** @param {number} ms */
  const realDelay = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        delays.delete(timer);
        resolve(undefined);
      }, ms);
      delays.add(timer);
    });
  // Simulated hours pass their clock's sleep, so a slow answer costs no real time.
  const delay = options.sleep ?? realDelay;
  let parked = 0;

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {URL} url
   */
  async function handle(req, res, { pathname: path }) {
    counters.total += 1;
    counters.byPath[path] = (counters.byPath[path] ?? 0) + 1;
    let skewMs = 0;
    /** @param {import('./imds-routes.js').ImdsReply} reply */
    const send = (reply) => {
      counters.byStatus[reply.status] = (counters.byStatus[reply.status] ?? 0) + 1;
      // The Date header comes from the injected clock (node:http's own would be the real time).
      const date = new Date(now() + skewMs).toUTCString();
      res.writeHead(reply.status, { 'content-type': 'text/plain', date, ...reply.headers });
      res.end(reply.body);
    };

    let fault = faults.match(path);
    if (fault?.kind === 'down') {
      faults.spend();
      req.socket.destroy();
      return;
    }
    if (bucket && !bucket.tryTake()) return send({ status: 429, body: 'Too Many Requests' });
    fault = faults.match(path);
    if (fault) faults.spend();
    if (fault?.kind === 'skewed-date') skewMs = fault.skewMs;
    if (fault?.kind === 'status')
      return send({ status: fault.status, body: `simulated ${fault.status}` });
    // Slow faults exist to trip the client's socket timeout.
    const slowMs =
      fault?.kind === 'slow'
        ? fault.delayMs
        : fault?.kind === 'slow-token'
          ? (fault.delayMs ?? 10_000)
          : undefined;
    if (slowMs !== undefined) {
      parked += 1;
      // A client that gave up frees its slot at once, whatever clock the delay runs on.
      const gone = new Promise((resolve) => res.once('close', resolve));
      await Promise.race([delay(slowMs), gone]).finally(() => {
        parked -= 1;
      });
    }
    if (res.destroyed) return;
    const malformed = fault?.kind === 'malformed' ? (fault.variant ?? 'not-json') : undefined;
    const current = fault;
    const nowMs = now();
    /** @type {import('./imds-routes.js').DocumentFault} */
    const document = (doc) =>
      faultyDocument(current, doc, { nowMs, pinned: () => faults.pin(() => doc) });
    send(routeImds(req, path, { state, instance, malformed, document }));
  }

  const server = await startStandinServer({
    name: 'imds simulator',
    port: options.port,
    handle,
    control: options.controlEndpoints
      ? (req, res, path) => handleControl(req, res, path, sim)
      : undefined,
  });

  /** @type {ImdsSimulator} */
  const sim = {
    ...server,
    counters: () => structuredClone(counters),
    resetCounters() {
      counters = { total: 0, byPath: {}, byStatus: {} };
    },
    setFault(fault) {
      faults.set(fault);
      // The document current now is the one a same-document fault keeps serving.
      if (fault.kind === 'same-document') faults.pin(() => state.credentials());
    },
    parked: () => parked,
    setRateLimit(limit) {
      bucket = limit ? createTokenBucket({ ...limit, now }) : undefined;
    },
    rotateCredentials: () => state.rotate(),
    setRole: (name) => state.setRole(name),
    currentCredentials: () => state.credentials(),
    issuedSessionTokens: () => state.issuedTokens(),
    async close() {
      for (const timer of delays) clearTimeout(timer);
      delays.clear();
      await server.close();
    },
  };
  sim.setRateLimit(options.rateLimit);
  if (options.fault) sim.setFault(options.fault);
  return sim;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runImdsSimulatorCli(process.argv.slice(2), startImdsSimulator).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
