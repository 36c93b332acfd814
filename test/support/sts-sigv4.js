import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { errorReply } from './sts-xml.js';

/**
 * @typedef {import('./sts-xml.js').StsReply} StsReply
 * @typedef {import('./sts-principals.js').Caller} Caller
 * @typedef {{ method: string, path: string, query: Record<string, string>,
 *   headers: import('node:http').IncomingHttpHeaders, body: string }} ReceivedRequest
 * @typedef {{ ok: true, caller: Caller } | { ok: false, reply: StsReply }} Verdict
 */

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MAX_SKEW_MS = 15 * 60_000;

/** node:crypto behind the hash interface @smithy/signature-v4 expects (HMAC when given a key). */
class NodeSha256 {
  /** @param {string | ArrayBuffer | ArrayBufferView} [secret] */
  constructor(secret) {
    this.hash =
      secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  /** @param {string | ArrayBuffer | ArrayBufferView} data */
  update(data) {
    this.hash.update(toBuffer(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}

/** @param {string | ArrayBuffer | ArrayBufferView} data */
function toBuffer(data) {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

const invalidToken = () =>
  errorReply(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
const mismatch = (/** @type {string} */ message) =>
  errorReply(403, 'SignatureDoesNotMatch', message);
const MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your ' +
  'AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Verifies a request's SigV4 signature the way STS does: the key must be known (and its session
 * token match), the date within 15 minutes, and the signature equal to the one computed with the
 * secret we know the caller holds, over exactly the headers the caller says it signed.
 * @param {ReceivedRequest} request
 * @param {(accessKeyId: string) => Promise<Caller | undefined>} lookup
 * @param {number} nowMs
 * @returns {Promise<Verdict>}
 */
export async function verifySignature(request, lookup, nowMs) {
  const authorization = request.headers.authorization;
  if (authorization === undefined) {
    return {
      ok: false,
      reply: errorReply(
        403,
        'MissingAuthenticationToken',
        'Request is missing Authentication Token',
      ),
    };
  }
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts) {
    const message = 'Authorization header requires Credential, SignedHeaders and Signature.';
    return { ok: false, reply: errorReply(400, 'IncompleteSignature', message) };
  }
  const [, accessKeyId = '', shortDate, region, service, signedList = '', signature = ''] = parts;
  const caller = await lookup(accessKeyId);
  const token = request.headers['x-amz-security-token'];
  if (!caller || token !== caller.sessionToken) return { ok: false, reply: invalidToken() };
  if (caller.expiresAtMs !== undefined && nowMs >= caller.expiresAtMs) {
    const message = 'The security token included in the request is expired';
    return { ok: false, reply: errorReply(403, 'ExpiredToken', message) };
  }
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const date = AMZ_DATE.exec(amzDate);
  const signedAtMs = date
    ? Date.parse(`${date[1]}-${date[2]}-${date[3]}T${date[4]}:${date[5]}:${date[6]}Z`)
    : Number.NaN;
  if (!date || !amzDate.startsWith(shortDate ?? '-'))
    return { ok: false, reply: mismatch(MISMATCH_MESSAGE) };
  if (Math.abs(nowMs - signedAtMs) > MAX_SKEW_MS) {
    return {
      ok: false,
      reply: mismatch(`Signature expired: ${amzDate} is outside 15 minutes of the server time.`),
    };
  }
  if (service !== 'sts') {
    return {
      ok: false,
      reply: mismatch("Credential should be scoped to correct service: 'sts'. "),
    };
  }
  const signed = signedList.split(';');
  /** @type {Record<string, string>} */
  const headers = {};
  for (const name of signed) {
    const value = request.headers[name];
    if (typeof value !== 'string') return { ok: false, reply: mismatch(MISMATCH_MESSAGE) };
    headers[name] = value;
  }
  if (!signed.includes('host') || !signed.includes('x-amz-date')) {
    return { ok: false, reply: mismatch(MISMATCH_MESSAGE) };
  }
  const declaredHash = headers['x-amz-content-sha256'];
  if (
    declaredHash !== undefined &&
    declaredHash !== createHash('sha256').update(request.body).digest('hex')
  ) {
    const message = 'The provided x-amz-content-sha256 header does not match what was computed.';
    return { ok: false, reply: errorReply(400, 'XAmzContentSHA256Mismatch', message) };
  }
  const signer = new SignatureV4({
    service: 'sts',
    region: region ?? 'us-east-1',
    credentials: {
      accessKeyId: caller.accessKeyId,
      secretAccessKey: caller.secretAccessKey,
      sessionToken: caller.sessionToken,
    },
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path: request.path,
      query: request.query,
      headers,
      body: request.body,
    },
    { signingDate: new Date(signedAtMs), signableHeaders: new Set(signed) },
  );
  const computed =
    /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1] ?? '';
  const same =
    computed.length === signature.length &&
    timingSafeEqual(Buffer.from(computed), Buffer.from(signature));
  return same ? { ok: true, caller } : { ok: false, reply: mismatch(MISMATCH_MESSAGE) };
}
