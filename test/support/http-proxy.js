// The HTTP proxy the recording and stalling proxies share: listens on 127.0.0.1 port 0 and forwards
// each request to an AWS stand-in unchanged; what to do with the answer is the caller's.
import { createServer, request as httpRequest } from 'node:http';

/**
 * @typedef {(onResponse: (upstreamRes: import('node:http').IncomingMessage) => void) =>
 *   import('node:http').ClientRequest} Forward
 *   Sends this request upstream (the caller writes or pipes its body); an upstream error resets
 *   the client's connection.
 */

/**
 * @param {string} upstream the stand-in's endpoint, http://127.0.0.1:<port>
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse,
 *   forward: Forward) => void} handle
 */
export async function startHttpProxy(upstream, handle) {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    handle(req, res, (onResponse) => {
      const forward = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        onResponse,
      );
      forward.on('error', () => res.destroy());
      return forward;
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    /** @returns {Promise<void>} */
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/** Sends the upstream answer on to the client as it came. */
export function passOn(
  /** @type {import('node:http').IncomingMessage} */ upstreamRes,
  /** @type {import('node:http').ServerResponse} */ res,
) {
  res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
  upstreamRes.pipe(res);
}
