import { parseStsFault } from './sts-faults.js';

/**
 * @typedef {import('./sts-simulator.js').StsSimulator} StsSimulator
 */

export const STS_CONTROL_PREFIX = '/__simulator/';
const MAX_BODY_BYTES = 64 * 1024;
/** @type {Record<string, 'GET' | 'POST'>} */
const ACTIONS = {
  counters: 'GET',
  calls: 'GET',
  requests: 'GET',
  'reset-counters': 'POST',
  fault: 'POST',
  trust: 'POST',
  user: 'POST',
};

/**
 * The control endpoints a test uses to steer a stand-in running in another process.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} path
 * @param {StsSimulator} sim
 */
export async function handleStsControl(req, res, path, sim) {
  const action = path.slice(STS_CONTROL_PREFIX.length);
  const method = ACTIONS[action];
  if (!method || !Object.hasOwn(ACTIONS, action)) {
    return reply(res, 404, { error: `no control endpoint ${path}` });
  }
  if (req.method !== method) return reply(res, 405, { error: `${path} takes ${method}` });
  try {
    const body = method === 'POST' ? await readJson(req) : undefined;
    return reply(res, 200, apply(action, body, sim));
  } catch (error) {
    return reply(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * @param {string} action
 * @param {unknown} body
 * @param {StsSimulator} sim
 * @returns {unknown}
 */
function apply(action, body, sim) {
  const fields = /** @type {Record<string, unknown>} */ (
    typeof body === 'object' && body ? body : {}
  );
  switch (action) {
    case 'counters':
      return sim.counters();
    case 'calls':
      return sim.assumeRoleCalls();
    case 'requests':
      return sim.requests();
    case 'reset-counters':
      sim.resetCounters();
      return { ok: true };
    case 'fault':
      sim.setFault(parseStsFault(body));
      return { ok: true };
    case 'trust': {
      const { accessKeyId, secretAccessKey, sessionToken, arn } = fields;
      if (![accessKeyId, secretAccessKey, arn].every((v) => typeof v === 'string')) {
        throw new TypeError(
          'body must be {"accessKeyId", "secretAccessKey", "sessionToken"?, "arn"}',
        );
      }
      if (sessionToken !== undefined && typeof sessionToken !== 'string') {
        throw new TypeError('sessionToken must be a string');
      }
      const caller = sim.trust({
        accessKeyId: String(accessKeyId),
        secretAccessKey: String(secretAccessKey),
        arn: String(arn),
        ...(sessionToken === undefined ? {} : { sessionToken: String(sessionToken) }),
      });
      return { arn: caller.arn, userId: caller.userId };
    }
    default:
      if (typeof fields.arn !== 'string') throw new TypeError('body must be {"arn": "<user ARN>"}');
      return sim.createUser(fields.arn);
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
