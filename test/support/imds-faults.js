/**
 * @typedef {'all' | 'token' | 'credentials' | 'role' | 'identity'} FaultPaths
 * @typedef {{ paths?: FaultPaths, count?: number }} FaultScope
 * @typedef {FaultScope & (
 *   | { kind: 'none' }
 *   | { kind: 'down' }
 *   | { kind: 'slow', delayMs: number }
 *   | { kind: 'status', status: 500 | 503 | 429 | 404 }
 *   | { kind: 'malformed', variant?: 'not-json' | 'code' }
 * )} Fault
 * @typedef {'token' | 'credentials' | 'role' | 'identity' | 'other'} PathClass
 */

export const TOKEN_PATH = '/latest/api/token';
export const CREDENTIALS_PREFIX = '/latest/meta-data/iam/security-credentials/';
export const IDENTITY_DOCUMENT_PATH = '/latest/dynamic/instance-identity/document';
const FAULT_PATHS = new Set(['all', 'token', 'credentials', 'role', 'identity']);
const FAULT_STATUSES = new Set([500, 503, 429, 404]);

/**
 * Which fault scope a request path falls in. 'identity' covers the identity document and the
 * instance facts (instance id, placement, type).
 * @param {string} path
 * @returns {PathClass}
 */
export function classifyPath(path) {
  if (path === TOKEN_PATH) return 'token';
  if (path === CREDENTIALS_PREFIX) return 'role';
  if (path.startsWith(CREDENTIALS_PREFIX)) return 'credentials';
  if (
    path.startsWith('/latest/dynamic/instance-identity/') ||
    path.startsWith('/latest/meta-data/')
  ) {
    return 'identity';
  }
  return 'other';
}

/**
 * Checks a fault received as JSON (process mode); throws a TypeError naming what is wrong.
 * @param {unknown} input
 * @returns {Fault}
 */
export function parseFault(input) {
  if (typeof input !== 'object' || input === null) throw new TypeError('fault must be an object');
  const fault = /** @type {Record<string, unknown>} */ (input);
  const problems = [];
  if (fault.paths !== undefined && !FAULT_PATHS.has(/** @type {string} */ (fault.paths))) {
    problems.push(`paths must be one of ${[...FAULT_PATHS].join(', ')}`);
  }
  if (fault.count !== undefined && !(Number.isInteger(fault.count) && Number(fault.count) > 0)) {
    problems.push('count must be a positive integer');
  }
  if (fault.kind === 'slow' && !(Number.isFinite(fault.delayMs) && Number(fault.delayMs) >= 0)) {
    problems.push('delayMs must be a number >= 0');
  }
  if (fault.kind === 'status' && !FAULT_STATUSES.has(/** @type {number} */ (fault.status))) {
    problems.push(`status must be one of ${[...FAULT_STATUSES].join(', ')}`);
  }
  if (
    fault.kind === 'malformed' &&
    ![undefined, 'not-json', 'code'].includes(/** @type {any} */ (fault.variant))
  ) {
    problems.push('variant must be "not-json" or "code"');
  }
  if (
    !['none', 'down', 'slow', 'status', 'malformed'].includes(/** @type {string} */ (fault.kind))
  ) {
    problems.push('kind must be one of none, down, slow, status, malformed');
  }
  if (problems.length > 0) throw new TypeError(`invalid fault: ${problems.join('; ')}`);
  return /** @type {Fault} */ (fault);
}

/** Holds the current fault and spends its `count` as matching requests arrive. */
export function createFaultSwitch() {
  /** @type {Fault} */
  let fault = { kind: 'none' };
  let remaining = Number.POSITIVE_INFINITY;

  return {
    /** @param {Fault} next */
    set(next) {
      fault = parseFault(next);
      remaining = fault.count ?? Number.POSITIVE_INFINITY;
    },
    current: () => fault,
    /**
     * The fault that applies to a request on `path`, if any; `spend` it once it is applied.
     * @param {string} path
     * @returns {Fault | undefined}
     */
    match(path) {
      return fault.kind !== 'none' && matches(fault, path) ? fault : undefined;
    },
    /** Counts one application of the current fault; the last one of `count` clears it. */
    spend() {
      remaining -= 1;
      if (remaining <= 0) fault = { kind: 'none' };
    },
  };
}

/** True for the two JSON documents a malformed fault can spoil. */
export function isJsonDocumentPath(/** @type {string} */ path) {
  return path === IDENTITY_DOCUMENT_PATH || classifyPath(path) === 'credentials';
}

/**
 * @param {Fault} fault
 * @param {string} path
 */
function matches(fault, path) {
  // A malformed fault only touches JSON documents, so a token PUT does not spend its count.
  if (fault.kind === 'malformed' && !isJsonDocumentPath(path)) return false;
  const paths = fault.paths ?? 'all';
  return paths === 'all' || paths === classifyPath(path);
}
