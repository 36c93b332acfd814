import { accessDenied } from './sts-actions.js';
import { errorReply } from './sts-xml.js';

/**
 * What the STS stand-in does wrong on purpose. `down` drops the connection; the others answer
 * with STS's own error: `throttling` 400 Throttling, `access-denied` 403 AccessDenied,
 * `unavailable` 503 ServiceUnavailable. `action` limits it to one operation, `count` to N calls.
 * @typedef {'AssumeRole' | 'GetCallerIdentity' | 'all'} FaultAction
 * @typedef {{ kind: 'none' | 'down' | 'throttling' | 'access-denied' | 'unavailable',
 *   action?: FaultAction, count?: number }} StsFault
 * @typedef {import('./sts-principals.js').Caller} Caller
 * @typedef {import('./sts-xml.js').StsReply} StsReply
 */

const FAULT_REPLIES = {
  throttling: () => errorReply(400, 'Throttling', 'Rate exceeded'),
  unavailable: () =>
    errorReply(503, 'ServiceUnavailable', 'Service is unavailable. Please try again.'),
};
const KINDS = ['none', 'down', 'throttling', 'access-denied', 'unavailable'];
const ACTIONS = ['AssumeRole', 'GetCallerIdentity', 'all'];

/**
 * Checks a fault received as JSON (process mode); throws a TypeError naming what is wrong.
 * @param {unknown} input
 * @returns {StsFault}
 */
export function parseStsFault(input) {
  if (typeof input !== 'object' || input === null) throw new TypeError('fault must be an object');
  const fault = /** @type {Record<string, unknown>} */ (input);
  const problems = [];
  if (!KINDS.includes(/** @type {string} */ (fault.kind))) {
    problems.push(`kind must be one of ${KINDS.join(', ')}`);
  }
  if (fault.action !== undefined && !ACTIONS.includes(/** @type {string} */ (fault.action))) {
    problems.push(`action must be one of ${ACTIONS.join(', ')}`);
  }
  if (fault.count !== undefined && !(Number.isInteger(fault.count) && Number(fault.count) > 0)) {
    problems.push('count must be a positive integer');
  }
  if (problems.length > 0) throw new TypeError(`invalid fault: ${problems.join('; ')}`);
  return /** @type {StsFault} */ (fault);
}

/** Holds the current fault; `take(action)` returns it for a matching call and spends its count. */
export function createStsFaultSwitch() {
  /** @type {StsFault} */
  let fault = { kind: 'none' };
  let remaining = Number.POSITIVE_INFINITY;
  return {
    /** @param {StsFault} next */
    set(next) {
      fault = parseStsFault(next);
      remaining = fault.count ?? Number.POSITIVE_INFINITY;
    },
    current: () => fault,
    /**
     * @param {string} action
     * @returns {StsFault | undefined}
     */
    take(action) {
      if (fault.kind === 'none') return undefined;
      if ((fault.action ?? 'all') !== 'all' && fault.action !== action) return undefined;
      const applied = fault;
      remaining -= 1;
      if (remaining <= 0) fault = { kind: 'none' };
      return applied;
    },
  };
}

/**
 * What a faulted call gets instead of its answer (`down` never gets this far).
 * @param {StsFault} fault
 * @param {Caller} caller
 * @param {string} action
 * @param {string} [resource]
 * @returns {StsReply}
 */
export function stsFaultReply(fault, caller, action, resource) {
  if (fault.kind === 'throttling' || fault.kind === 'unavailable')
    return FAULT_REPLIES[fault.kind]();
  return accessDenied(caller, `sts:${action}`, resource ?? caller.arn);
}
