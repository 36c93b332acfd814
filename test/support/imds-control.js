import { parseFault } from './imds-faults.js';

/**
 * @typedef {import('./imds-simulator.js').ImdsSimulator} ImdsSimulator
 */

export const CONTROL_PREFIX = '/__simulator/';
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The control endpoints a test uses to steer a simulator running in another process.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} path
 * @param {ImdsSimulator} sim
 */
export async function handleControl(req, res, path, sim) {
  const action = path.slice(CONTROL_PREFIX.length);
  const expectedMethod = action === 'counters' ? 'GET' : 'POST';
  if (!ACTIONS.has(action)) return reply(res, 404, { error: `no control endpoint ${path}` });
  if (req.method !== expectedMethod) {
    return reply(res, 405, { error: `${path} takes ${expectedMethod}` });
  }
  try {
    const body = expectedMethod === 'POST' ? await readJson(req) : undefined;
    return reply(res, 200, apply(action, body, sim));
  } catch (error) {
    return reply(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}

const ACTIONS = new Set(['counters', 'reset-counters', 'fault', 'rotate', 'role', 'rate-limit']);

/**
 * @param {string} action
 * @param {unknown} body
 * @param {ImdsSimulator} sim
 * @returns {unknown}
 */
function apply(action, body, sim) {
  const fields = /** @type {Record<string, unknown>} */ (
    typeof body === 'object' && body ? body : {}
  );
  switch (action) {
    case 'counters':
      return sim.counters();
    case 'reset-counters':
      sim.resetCounters();
      return { ok: true };
    case 'fault':
      sim.setFault(parseFault(body));
      return { ok: true };
    case 'rotate':
      sim.rotateCredentials();
      return { ok: true };
    case 'role':
      if (typeof fields.name !== 'string') throw new TypeError('body must be {"name": "<role>"}');
      sim.setRole(fields.name);
      return { ok: true };
    default: {
      // rate-limit: {} turns limiting off.
      if (fields.ratePerSecond === undefined && fields.burst === undefined) {
        sim.setRateLimit(undefined);
      } else {
        const ratePerSecond = Number(fields.ratePerSecond);
        sim.setRateLimit({ ratePerSecond, burst: Number(fields.burst ?? ratePerSecond) });
      }
      return { ok: true };
    }
  }
}

/** @param {import('node:http').IncomingMessage} req */
async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RangeError('control request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SyntaxError('control request body is not JSON');
  }
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
