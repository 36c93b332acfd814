import { isRoleSession, parseRoleArn } from './sts-principals.js';
import { assumeRoleResult, callerIdentityResult, errorReply, okReply } from './sts-xml.js';

/**
 * @typedef {import('./sts-xml.js').StsReply} StsReply
 * @typedef {import('./sts-principals.js').Caller} Caller
 * @typedef {ReturnType<typeof import('./sts-principals.js').createPrincipalStore>} PrincipalStore
 * @typedef {{ callerArn: string, roleArn: string | undefined,
 *   roleSessionName: string | undefined, sourceIdentity: string | undefined,
 *   tags: Record<string, string>, transitiveTagKeys: string[], policy: string | undefined,
 *   durationSeconds: number | undefined, chained: boolean, atMs: number,
 *   outcome: string }} AssumeRoleRecord
 * @typedef {{ store: PrincipalStore, now: () => number,
 *   canAssume: (caller: Caller, roleArn: string) => boolean,
 *   issueKeyIds?: Record<string, string> }} ActionContext
 */

const NAME = /^[\w+=,.@-]*$/;
const CHAINED_MAX_SECONDS = 3_600;
const MAX_SECONDS = 43_200;
const POLICY_MAX_CHARS = 2_048;

/**
 * The fields of an AssumeRole call as STS reads them from the form (Tags.member.N.Key/Value).
 * @param {URLSearchParams} form
 * @param {Caller} caller
 * @param {number} atMs
 * @returns {AssumeRoleRecord}
 */
export function readAssumeRole(form, caller, atMs) {
  /** @type {Record<string, string>} */
  const tags = {};
  for (let n = 1; form.has(`Tags.member.${n}.Key`); n++) {
    tags[form.get(`Tags.member.${n}.Key`) ?? ''] = form.get(`Tags.member.${n}.Value`) ?? '';
  }
  const transitiveTagKeys = [];
  for (let n = 1; form.has(`TransitiveTagKeys.member.${n}`); n++) {
    transitiveTagKeys.push(form.get(`TransitiveTagKeys.member.${n}`) ?? '');
  }
  const duration = form.get('DurationSeconds');
  return {
    callerArn: caller.arn,
    roleArn: form.get('RoleArn') ?? undefined,
    roleSessionName: form.get('RoleSessionName') ?? undefined,
    sourceIdentity: form.get('SourceIdentity') ?? undefined,
    tags,
    transitiveTagKeys,
    policy: form.get('Policy') ?? undefined,
    durationSeconds: duration === null ? undefined : Number(duration),
    chained: isRoleSession(caller),
    atMs,
    outcome: 'pending',
  };
}

/**
 * AssumeRole as STS answers it: validation errors first (all of them, in STS's wording), then the
 * role-chaining limit, then the permission check; success issues credentials the stand-in accepts.
 * @param {AssumeRoleRecord} call
 * @param {Caller} caller
 * @param {ActionContext} context
 * @returns {StsReply}
 */
export function assumeRole(call, caller, context) {
  const problems = validationProblems(call);
  if (problems.length > 0) {
    const count = `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: `;
    return errorReply(400, 'ValidationError', count + problems.join('; '));
  }
  const roleArn = /** @type {string} */ (call.roleArn);
  const durationSeconds = call.durationSeconds ?? CHAINED_MAX_SECONDS;
  if (call.chained && durationSeconds > CHAINED_MAX_SECONDS) {
    const message =
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
    return errorReply(400, 'ValidationError', message);
  }
  if (call.policy !== undefined && !isJsonObject(call.policy)) {
    return errorReply(
      400,
      'MalformedPolicyDocument',
      'The policy is not in the valid JSON format.',
    );
  }
  // A session that already carries a source identity cannot change it down the chain.
  const inherited = caller.sourceIdentity;
  if (
    !parseRoleArn(roleArn) ||
    !context.canAssume(caller, roleArn) ||
    (inherited !== undefined &&
      call.sourceIdentity !== undefined &&
      call.sourceIdentity !== inherited)
  ) {
    return accessDenied(caller, 'sts:AssumeRole', roleArn);
  }
  const sourceIdentity = call.sourceIdentity ?? inherited;
  const {
    credentials,
    assumedRoleId,
    caller: session,
  } = context.store.issueSession({
    roleArn,
    sessionName: /** @type {string} */ (call.roleSessionName),
    durationSeconds,
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    ...(context.issueKeyIds?.[roleArn] ? { accessKeyId: context.issueKeyIds[roleArn] } : {}),
  });
  const packedChars = (call.policy ?? '').length + JSON.stringify(call.tags).length;
  const packed = call.policy !== undefined || Object.keys(call.tags).length > 0;
  return okReply(
    'AssumeRole',
    assumeRoleResult({
      arn: session.arn,
      assumedRoleId,
      credentials,
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
      ...(packed ? { packedPolicySize: Math.ceil((100 * packedChars) / POLICY_MAX_CHARS) } : {}),
    }),
  );
}

/** @param {Caller} caller */
export function getCallerIdentity(caller) {
  return okReply(
    'GetCallerIdentity',
    callerIdentityResult({ arn: caller.arn, userId: caller.userId, account: caller.account }),
  );
}

/**
 * @param {Caller} caller
 * @param {string} action
 * @param {string} resource
 */
export function accessDenied(caller, action, resource) {
  const message = `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource}`;
  return errorReply(403, 'AccessDenied', message);
}

/** @param {AssumeRoleRecord} call */
function validationProblems(call) {
  /** @type {string[]} */
  const problems = [];
  /**
   * @param {string | undefined} value
   * @param {string} field
   * @param {number} min
   * @param {number} max
   * @param {boolean} required
   */
  const name = (value, field, min, max, required) => {
    if (value === undefined) {
      if (required)
        problems.push(
          `Value null at '${field}' failed to satisfy constraint: Member must not be null`,
        );
      return;
    }
    if (value.length < min || value.length > max) {
      problems.push(
        `Value '${value}' at '${field}' failed to satisfy constraint: Member must have length between ${min} and ${max}`,
      );
    } else if (!NAME.test(value)) {
      problems.push(
        `Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
  };
  if (call.roleArn === undefined) {
    problems.push("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  } else if (call.roleArn.length < 20 || call.roleArn.length > 2048) {
    problems.push(
      `Value '${call.roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048`,
    );
  }
  name(call.roleSessionName, 'roleSessionName', 2, 64, true);
  name(call.sourceIdentity, 'sourceIdentity', 2, 64, false);
  const duration = call.durationSeconds;
  if (
    duration !== undefined &&
    !(Number.isInteger(duration) && duration >= 900 && duration <= MAX_SECONDS)
  ) {
    problems.push(
      `Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and ${MAX_SECONDS}`,
    );
  }
  if (
    call.policy !== undefined &&
    (call.policy.length < 1 || call.policy.length > POLICY_MAX_CHARS)
  ) {
    problems.push(
      `Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${POLICY_MAX_CHARS}`,
    );
  }
  if (Object.keys(call.tags).length > 50) {
    problems.push(
      "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  }
  return problems;
}

/** @param {string} text */
function isJsonObject(text) {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
