// What the STS stand-in saw of each request it checked the signature of: the key id and session
// token exactly as sent, the headers the signature covers, whether it verified, and the answer.
// Tests of clients we did not write assert from these who signed and with what.

/**
 * @typedef {import('./sts-sigv4.js').Verdict} Verdict
 * @typedef {{ action: string, accessKeyId: string | undefined, sessionToken: string | undefined,
 *   signedHeaders: string[], signatureValid: boolean, callerArn: string | undefined,
 *   userAgent: string, atMs: number, outcome: string }} StsRequestRecord
 *   `signatureValid`: the key is known, its session token matches, and the signature equals the
 *   one computed with its secret; `outcome`: the error code answered, or "ok".
 */

// Read leniently: a malformed header is still recorded (and refused by verifySignature).
const CREDENTIAL = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//;
const SIGNED_HEADERS = /SignedHeaders=([^,\s]+)/;

/**
 * @param {{ action: string, headers: import('node:http').IncomingHttpHeaders,
 *   verdict: Verdict, atMs: number }} request
 * @returns {StsRequestRecord}
 */
export function requestRecord({ action, headers, verdict, atMs }) {
  const authorization = String(headers.authorization ?? '');
  const token = headers['x-amz-security-token'];
  return {
    action,
    accessKeyId: CREDENTIAL.exec(authorization)?.[1],
    sessionToken: typeof token === 'string' ? token : undefined,
    signedHeaders: SIGNED_HEADERS.exec(authorization)?.[1]?.split(';') ?? [],
    signatureValid: verdict.ok,
    callerArn: verdict.ok ? verdict.caller.arn : undefined,
    userAgent: String(headers['user-agent'] ?? ''),
    atMs,
    outcome: 'pending',
  };
}
