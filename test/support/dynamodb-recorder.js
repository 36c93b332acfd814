// A recording HTTP proxy in front of a DynamoDB stand-in: every request passes through unchanged,
// and its operation (the X-Amz-Target header, e.g. "Scan") is recorded, so a test can prove which
// operations a client really sent without stubbing the SDK. It can also lose a response: the
// request reaches the stand-in (which applies it) and the client's socket is destroyed instead.
import { passOn, startHttpProxy } from './http-proxy.js';

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
  const proxy = await startHttpProxy(upstream, (req, res, forward) => {
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
      const request = forward((upstreamRes) => {
        if (!lose) return passOn(upstreamRes, res);
        // Applied upstream; the client sees a reset connection, as after a lost response.
        upstreamRes.resume();
        upstreamRes.on('end', () => req.socket.destroy());
      });
      request.end(raw);
    });
  });
  return {
    endpoint: proxy.endpoint,
    operations,
    loseResponse: (rule) => {
      losing.push(rule);
    },
    loseNextResponse: (names) => {
      for (const name of names) losing.push({ operation: name });
    },
    /** Rules that matched no request yet: a test proves its loss really happened. */
    pendingLosses: () => losing.length,
    close: proxy.close,
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
