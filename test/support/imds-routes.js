import {
  CREDENTIALS_PREFIX,
  IDENTITY_DOCUMENT_PATH,
  isJsonDocumentPath,
  TOKEN_PATH,
} from './imds-faults.js';
import { MAX_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS } from './imds-simulator-state.js';

/**
 * @typedef {{ instanceId: string, region: string, availabilityZone: string,
 *   instanceType: string, accountId: string }} InstanceFacts
 * @typedef {{ status: number, body: string, headers?: Record<string, string> }} ImdsReply
 * @typedef {ReturnType<typeof import('./imds-simulator-state.js').createImdsState>} ImdsState
 * @typedef {import('./imds-simulator-state.js').ImdsCredentialsDocument} ImdsCredentialsDocument
 * @typedef {(current: ImdsCredentialsDocument) => ImdsCredentialsDocument} DocumentFault
 */

const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
const IAM_INFO_PATH = '/latest/meta-data/iam/info';
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';

/**
 * IMDSv2 as EC2 answers it, once faults and rate limiting have had their say.
 * @param {import('node:http').IncomingMessage} req
 * @param {string} path
 * @param {{ state: ImdsState, instance: InstanceFacts, malformed?: 'not-json' | 'code',
 *   document?: DocumentFault }} context
 * @returns {ImdsReply}
 */
export function routeImds(req, path, { state, instance, malformed, document }) {
  if (req.headers['x-forwarded-for'] !== undefined) return text(403, 'Forbidden');
  if (path === TOKEN_PATH) {
    if (req.method !== 'PUT')
      return { ...text(405, 'Method Not Allowed'), headers: { allow: 'PUT' } };
    return issueToken(req, state);
  }
  if (req.method !== 'GET')
    return { ...text(405, 'Method Not Allowed'), headers: { allow: 'GET' } };
  const token = req.headers[TOKEN_HEADER];
  if (!state.isTokenValid(typeof token === 'string' ? token : undefined)) {
    return text(401, 'Unauthorized');
  }
  const reply = metadata(path, state, instance, document);
  if (malformed && reply.status === 200 && isJsonDocumentPath(path)) {
    return text(200, spoil(reply.body, malformed));
  }
  return reply;
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {ImdsState} state
 * @returns {ImdsReply}
 */
function issueToken(req, state) {
  const raw = req.headers[TTL_HEADER];
  const ttlSeconds = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(ttlSeconds >= MIN_TOKEN_TTL_SECONDS && ttlSeconds <= MAX_TOKEN_TTL_SECONDS)) {
    return text(400, 'Bad Request');
  }
  return {
    status: 200,
    body: state.issueToken(ttlSeconds),
    headers: { [TTL_HEADER]: String(ttlSeconds) },
  };
}

/**
 * @param {string} path
 * @param {ImdsState} state
 * @param {InstanceFacts} instance
 * @param {DocumentFault} [document]
 * @returns {ImdsReply}
 */
function metadata(path, state, instance, document) {
  if (path === CREDENTIALS_PREFIX) return text(200, state.roleName());
  if (path === `${CREDENTIALS_PREFIX}${state.roleName()}`) {
    const current = state.credentials();
    return text(200, JSON.stringify(document ? document(current) : current, null, 2));
  }
  if (path === IAM_INFO_PATH) return text(200, JSON.stringify(iamInfo(state, instance), null, 2));
  if (path === IDENTITY_DOCUMENT_PATH)
    return text(200, JSON.stringify(identityDocument(instance), null, 2));
  /** @type {Record<string, string>} */
  const leaves = {
    '/latest/meta-data/instance-id': instance.instanceId,
    '/latest/meta-data/placement/availability-zone': instance.availabilityZone,
    '/latest/meta-data/placement/region': instance.region,
    '/latest/meta-data/instance-type': instance.instanceType,
  };
  const leaf = leaves[path];
  return leaf === undefined ? text(404, 'Not Found') : text(200, leaf);
}

/**
 * @param {ImdsState} state
 * @param {InstanceFacts} instance
 */
function iamInfo(state, instance) {
  const profile = state.instanceProfile();
  return {
    Code: 'Success',
    LastUpdated: profile.lastUpdated,
    InstanceProfileArn: `arn:aws:iam::${instance.accountId}:instance-profile/${state.roleName()}`,
    InstanceProfileId: profile.id,
  };
}

/** @param {InstanceFacts} instance */
function identityDocument(instance) {
  return {
    accountId: instance.accountId,
    architecture: 'x86_64',
    availabilityZone: instance.availabilityZone,
    imageId: 'ami-0abcdef1234567890',
    instanceId: instance.instanceId,
    instanceType: instance.instanceType,
    pendingTime: '2024-01-01T00:00:00Z',
    privateIp: '10.0.0.10',
    region: instance.region,
    version: '2017-09-30',
  };
}

/**
 * @param {string} body a JSON document
 * @param {'not-json' | 'code'} variant
 */
function spoil(body, variant) {
  if (variant === 'not-json') return body.slice(0, Math.floor(body.length / 2));
  const document = JSON.parse(body);
  return JSON.stringify({ ...document, Code: 'AssumeRoleUnauthorizedAccess' }, null, 2);
}

/**
 * @param {number} status
 * @param {string} body
 * @returns {ImdsReply}
 */
function text(status, body) {
  return { status, body };
}
