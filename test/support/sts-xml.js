import { randomUUID } from 'node:crypto';

/**
 * @typedef {{ status: number, body: string, requestId: string, code?: string }} StsReply
 * @typedef {{ accessKeyId: string, secretAccessKey: string, sessionToken: string,
 *   expiration: string }} StsCredentialsXml
 */

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** @param {string} value */
export function escapeXml(value) {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/**
 * A successful query-protocol answer: `<{Action}Response><{Action}Result>…` plus the request id.
 * @param {string} action
 * @param {string} resultXml already escaped
 * @returns {StsReply}
 */
export function okReply(action, resultXml) {
  const requestId = randomUUID();
  const body =
    `<${action}Response xmlns="${NAMESPACE}">\n` +
    `  <${action}Result>\n${resultXml}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`;
  return { status: 200, body, requestId };
}

/**
 * STS's error document: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @returns {StsReply}
 */
export function errorReply(status, code, message) {
  const requestId = randomUUID();
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${NAMESPACE}">\n` +
    `  <Error>\n    <Type>${type}</Type>\n    <Code>${escapeXml(code)}</Code>\n` +
    `    <Message>${escapeXml(message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`;
  return { status, body, requestId, code };
}

/**
 * @param {{ arn: string, assumedRoleId: string, credentials: StsCredentialsXml,
 *   sourceIdentity?: string, packedPolicySize?: number }} result
 */
export function assumeRoleResult(result) {
  const { credentials: c } = result;
  const lines = [
    result.sourceIdentity === undefined
      ? ''
      : `    <SourceIdentity>${escapeXml(result.sourceIdentity)}</SourceIdentity>\n`,
    '    <AssumedRoleUser>\n',
    `      <Arn>${escapeXml(result.arn)}</Arn>\n`,
    `      <AssumedRoleId>${escapeXml(result.assumedRoleId)}</AssumedRoleId>\n`,
    '    </AssumedRoleUser>\n',
    '    <Credentials>\n',
    `      <AccessKeyId>${c.accessKeyId}</AccessKeyId>\n`,
    `      <SecretAccessKey>${escapeXml(c.secretAccessKey)}</SecretAccessKey>\n`,
    `      <SessionToken>${escapeXml(c.sessionToken)}</SessionToken>\n`,
    `      <Expiration>${c.expiration}</Expiration>\n`,
    '    </Credentials>\n',
    result.packedPolicySize === undefined
      ? ''
      : `    <PackedPolicySize>${result.packedPolicySize}</PackedPolicySize>\n`,
  ];
  return lines.join('');
}

/** @param {{ arn: string, userId: string, account: string }} identity */
export function callerIdentityResult(identity) {
  return (
    `    <Arn>${escapeXml(identity.arn)}</Arn>\n` +
    `    <UserId>${escapeXml(identity.userId)}</UserId>\n` +
    `    <Account>${identity.account}</Account>\n`
  );
}
