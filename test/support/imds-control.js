import { parseFault } from './imds-faults.js';
import { command, commonControls, controlRoute } from './standin-server.js';

/**
 * @typedef {import('./imds-simulator.js').ImdsSimulator} ImdsSimulator
 */

/** @type {Record<string, import('./standin-server.js').ControlAction<ImdsSimulator>>} */
const IMDS_CONTROLS = {
  ...commonControls(parseFault),
  rotate: command((sim) => sim.rotateCredentials()),
  role: command((sim, fields) => {
    if (typeof fields.name !== 'string') throw new TypeError('body must be {"name": "<role>"}');
    sim.setRole(fields.name);
  }),
  // {} turns limiting off.
  'rate-limit': command((sim, fields) => {
    if (fields.ratePerSecond === undefined && fields.burst === undefined) {
      sim.setRateLimit(undefined);
    } else {
      const ratePerSecond = Number(fields.ratePerSecond);
      sim.setRateLimit({ ratePerSecond, burst: Number(fields.burst ?? ratePerSecond) });
    }
  }),
};

/** The control endpoints a test uses to steer a simulator running in another process. */
export const handleControl = controlRoute(IMDS_CONTROLS);
