import { parseFault } from './imds-faults.js';
import { controlRoute } from './standin-server.js';

/**
 * @typedef {import('./imds-simulator.js').ImdsSimulator} ImdsSimulator
 */

/** The control endpoints a test uses to steer a simulator running in another process. */
export const handleControl = controlRoute(
  {
    counters: 'GET',
    'reset-counters': 'POST',
    fault: 'POST',
    rotate: 'POST',
    role: 'POST',
    'rate-limit': 'POST',
  },
  apply,
);

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
