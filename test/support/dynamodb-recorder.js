// A recording HTTP proxy in front of a DynamoDB stand-in: every request passes through unchanged,
// and its operation (the X-Amz-Target header, e.g. "Scan") is recorded, so a test can prove which
// operations a client really sent without stubbing the SDK. It can also lose a response: the
// request reaches the stand-in (which applies it) and the client's socket is destroyed instead.
import { createServer, request as httpRequest } from 'node:http';

/**
 * A response to lose once: the first request of `operation` whose parsed JSON body `when` accepts.
 * @typedef {{ operation: string, when?: (body: any) => boolean }} LossRule
 */

/**
 * @param {string} upstream the stand-in's endpoint, http://127.0.0.1:<port>
 * @returns {Promise<{
 *   endpoint: string,
 *   operations: string[],
 *   loseResponse: (rule: LossRule) => void,
 *   loseNextResponse: (operations: string[]) => void,
 *   pendingLosses: () => number,
 *   close: () => Promise<void>,
 * }>}
 */
export async function startDynamoDbRecorder(upstream) {
  const target = new URL(upstream);
  /** @type {string[]} */
  const operations = [];
  /** @type {LossRule[]} rules not used yet, each forwarded and applied once, never answered */
  let losing = [];
  /** Takes the first rule matching this request out of `losing`; true when there was one. */
  const takeLoss = (/** @type {string} */ operation, /** @type {Buffer} */ raw) => {
    const rule = losing.find((r) => r.operation === operation && (!r.when || r.when(parse(raw))));
    if (rule) losing = losing.filter((r) => r !== rule);
    return rule !== undefined;
  };
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '')
      .split('.')
      .pop();
    operations.push(operation || `${req.method} ${req.url}`);
    // The whole body first: a rule may match on it (the SDK's bodies are a few KB at most).
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const lose = takeLoss(operation ?? '', raw);
      const forward = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (upstreamRes) => {
          if (lose) {
            // Applied upstream; the client sees a reset connection, as after a lost response.
            upstreamRes.resume();
            upstreamRes.on('end', () => req.socket.destroy());
            return;
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(raw);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the recorder has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    operations,
    loseResponse: (rule) => {
      losing.push(rule);
    },
    loseNextResponse: (names) => {
      for (const name of names) losing.push({ operation: name });
    },
    /** Rules that matched no request yet: a test proves its loss really happened. */
    pendingLosses: () => losing.length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/** The request's JSON body, or undefined when it is none. */
function parse(/** @type {Buffer} */ raw) {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
