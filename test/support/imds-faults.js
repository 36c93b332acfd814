/**
 * expired-document: the credentials document's Expiration lies `expiredForMs` (default 60 s) in
 * the past, as in an EC2 credential outage. same-document: the document current when the fault
 * was set is served until the fault clears, past its Expiration too (rotations are not seen).
 * skewed-date: IMDS's clock is `skewMs` ahead of the host's (negative: behind): the `Date`
 * header and the document's timestamps are shifted by it. slow-token: the token PUT answers only
 * after `delayMs` (default 10 s), the symptom of a hop limit too small for the caller.
 * @typedef {'all' | 'token' | 'credentials' | 'role' | 'identity'} FaultPaths
 * @typedef {{ paths?: FaultPaths, count?: number }} FaultScope
 * @typedef {FaultScope & (
 *   | { kind: 'none' }
 *   | { kind: 'down' }
 *   | { kind: 'slow', delayMs: number }
 *   | { kind: 'status', status: 500 | 503 | 429 | 404 }
 *   | { kind: 'malformed', variant?: 'not-json' | 'code' }
 *   | { kind: 'expired-document', expiredForMs?: number }
 *   | { kind: 'same-document' }
 *   | { kind: 'skewed-date', skewMs: number }
 *   | { kind: 'slow-token', delayMs?: number }
 * )} Fault
 * @typedef {'token' | 'credentials' | 'role' | 'identity' | 'other'} PathClass
 */

export const TOKEN_PATH = '/latest/api/token';
export const CREDENTIALS_PREFIX = '/latest/meta-data/iam/security-credentials/';
export const IDENTITY_DOCUMENT_PATH = '/latest/dynamic/instance-identity/document';
const FAULT_PATHS = new Set(['all', 'token', 'credentials', 'role', 'identity']);
const FAULT_STATUSES = new Set([500, 503, 429, 404]);
export const FAULT_KINDS = [
  'none',
  'down',
  'slow',
  'status',
  'malformed',
  'expired-document',
  'same-document',
  'skewed-date',
  'slow-token',
];
// Faults about the credentials document spend their count only on credentials requests.
const DOCUMENT_FAULTS = new Set(['expired-document', 'same-document']);

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
  const optionalMs = fault.kind === 'slow-token' ? fault.delayMs : fault.expiredForMs;
  if (optionalMs !== undefined && !(Number.isFinite(optionalMs) && Number(optionalMs) >= 0)) {
    problems.push(`${fault.kind === 'slow-token' ? 'delayMs' : 'expiredForMs'} must be >= 0`);
  }
  if (fault.kind === 'skewed-date' && !Number.isFinite(fault.skewMs)) {
    problems.push('skewMs must be a number (ms IMDS is ahead of the host; negative: behind)');
  }
  if (!FAULT_KINDS.includes(/** @type {string} */ (fault.kind))) {
    problems.push(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  if (problems.length > 0) throw new TypeError(`invalid fault: ${problems.join('; ')}`);
  return /** @type {Fault} */ (fault);
}

/** Holds the current fault and spends its `count` as matching requests arrive. */
export function createFaultSwitch() {
  /** @type {Fault} */
  let fault = { kind: 'none' };
  let remaining = Number.POSITIVE_INFINITY;
  /** @type {unknown} what a same-document fault keeps serving */
  let pinned;

  return {
    /** @param {Fault} next */
    set(next) {
      fault = parseFault(next);
      remaining = fault.count ?? Number.POSITIVE_INFINITY;
      pinned = undefined;
    },
    current: () => fault,
    /**
     * The value pinned by the current fault, taken from `take` the first time it is asked for.
     * @template T
     * @param {() => T} take
     * @returns {T}
     */
    pin(take) {
      pinned ??= take();
      return /** @type {T} */ (pinned);
    },
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
  if (DOCUMENT_FAULTS.has(fault.kind) && classifyPath(path) !== 'credentials') return false;
  if (fault.kind === 'slow-token' && path !== TOKEN_PATH) return false;
  const paths = fault.paths ?? 'all';
  return paths === 'all' || paths === classifyPath(path);
}

/**
 * The credentials document a document fault serves instead of `current`.
 * @template {{ LastUpdated: string, Expiration: string }} D
 * @param {Fault | undefined} fault
 * @param {D} current
 * @param {{ nowMs: number, pinned: () => D }} context
 * @returns {D}
 */
export function faultyDocument(fault, current, { nowMs, pinned }) {
  if (fault?.kind === 'same-document') return pinned();
  if (fault?.kind === 'expired-document') {
    return { ...current, Expiration: imdsTime(nowMs - (fault.expiredForMs ?? 60_000)) };
  }
  if (fault?.kind === 'skewed-date') {
    const shift = (/** @type {string} */ at) => imdsTime(Date.parse(at) + fault.skewMs);
    return {
      ...current,
      LastUpdated: shift(current.LastUpdated),
      Expiration: shift(current.Expiration),
    };
  }
  return current;
}

/** @param {number} ms */
function imdsTime(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
