import { commonControls, controlRoute } from './standin-server.js';
import { parseStsFault } from './sts-faults.js';

/**
 * @typedef {import('./sts-simulator.js').StsSimulator} StsSimulator
 */

/** @type {Record<string, import('./standin-server.js').ControlAction<StsSimulator>>} */
const STS_CONTROLS = {
  ...commonControls(parseStsFault),
  calls: { method: 'GET', run: (sim) => sim.assumeRoleCalls() },
  requests: { method: 'GET', run: (sim) => sim.requests() },
  trust: {
    method: 'POST',
    run(sim, fields) {
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
    },
  },
  user: {
    method: 'POST',
    run(sim, fields) {
      if (typeof fields.arn !== 'string') throw new TypeError('body must be {"arn": "<user ARN>"}');
      return sim.createUser(fields.arn);
    },
  },
};

/** The control endpoints a test uses to steer a stand-in running in another process. */
export const handleStsControl = controlRoute(STS_CONTROLS);
