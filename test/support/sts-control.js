import { controlRoute } from './standin-server.js';
import { parseStsFault } from './sts-faults.js';

/**
 * @typedef {import('./sts-simulator.js').StsSimulator} StsSimulator
 */

/** The control endpoints a test uses to steer a stand-in running in another process. */
export const handleStsControl = controlRoute(
  {
    counters: 'GET',
    calls: 'GET',
    requests: 'GET',
    'reset-counters': 'POST',
    fault: 'POST',
    trust: 'POST',
    user: 'POST',
  },
  apply,
);

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
