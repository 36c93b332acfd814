// A local STS GetCallerIdentity for clients we did not write: it answers on 127.0.0.1 and records,
// per request, the access key id named in the SigV4 Authorization header, the session token, and
// whether the signature checks out with the secret the test expects for that key.
import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * @typedef {{ accessKeyId: string, sessionToken: string | undefined, tokenSigned: boolean,
 *   signatureValid: boolean, action: string | null, userAgent: string }} SignedCall
 * @typedef {{ url: string, calls: SignedCall[], close: () => Promise<void> }} StsStandIn
 */

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** @param {string | Buffer} data */
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
/**
 * @param {string | Buffer} key
 * @param {string} data
 */
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/**
 * Recomputes the SigV4 signature of a request (header-signed, as every SDK signs STS calls).
 * @param {import('node:http').IncomingMessage} req
 * @param {Buffer} body
 * @param {RegExpExecArray} auth
 * @param {string} secret
 */
function signatureMatches(req, body, auth, secret) {
  const [, accessKeyId, date, region, service, signedHeaders, signature] = auth;
  const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
  const query = [...url.searchParams]
    .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`)
    .sort()
    .join('&');
  const names = String(signedHeaders).split(';');
  const headers = names
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? sha256(body));
  const canonical = [req.method, url.pathname, query, headers, signedHeaders, payloadHash].join(
    '\n',
  );
  const scope = `${date}/${region}/${service}/aws4_request`;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = [String(date), String(region), String(service), 'aws4_request'].reduce(
    (k, part) => hmac(k, part),
    /** @type {string | Buffer} */ (`AWS4${secret}`),
  );
  return accessKeyId !== undefined && hmac(key, toSign).toString('hex') === signature;
}

/** @param {string} value */
function encodeRfc3986(value) {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * @param {{ account: string, secretFor: (accessKeyId: string) => string | undefined }} options
 * @returns {Promise<StsStandIn>}
 */
export async function startStsStandIn({ account, secretFor }) {
  /** @type {SignedCall[]} */
  const calls = [];
  const server = createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const auth = AUTH.exec(String(req.headers.authorization ?? ''));
      if (!auth) return xml(res, 403, errorXml('MissingAuthenticationToken', 'not SigV4 signed'));
      const accessKeyId = String(auth[1]);
      const token = req.headers['x-amz-security-token'];
      const secret = secretFor(accessKeyId);
      const form = new URLSearchParams(body.toString('utf8'));
      calls.push({
        accessKeyId,
        sessionToken: typeof token === 'string' ? token : undefined,
        tokenSigned: String(auth[5]).split(';').includes('x-amz-security-token'),
        signatureValid: secret !== undefined && signatureMatches(req, body, auth, secret),
        action: form.get('Action'),
        userAgent: String(req.headers['user-agent'] ?? ''),
      });
      if (form.get('Action') !== 'GetCallerIdentity')
        return xml(res, 400, errorXml('InvalidAction', 'only GetCallerIdentity here'));
      xml(res, 200, callerIdentityXml(account, accessKeyId));
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} text
 */
function xml(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * @param {string} account
 * @param {string} accessKeyId
 */
function callerIdentityXml(account, accessKeyId) {
  return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::${account}:assumed-role/empdir-app-role/${accessKeyId.slice(0, 8)}</Arn>
    <UserId>stand-in:${accessKeyId.slice(0, 8)}</UserId>
    <Account>${account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`;
}

/**
 * @param {string} code
 * @param {string} message
 */
function errorXml(code, message) {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>`;
}
