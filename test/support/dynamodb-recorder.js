// A recording HTTP proxy in front of a DynamoDB stand-in: every request passes through unchanged,
// and its operation (the X-Amz-Target header, e.g. "Scan") is recorded, so a test can prove which
// operations a client really sent without stubbing the SDK. It can also lose a response: the
// request reaches the stand-in (which applies it) and the client's socket is destroyed instead.
import { createServer, request as httpRequest } from 'node:http';

/**
 * @param {string} upstream the stand-in's endpoint, http://127.0.0.1:<port>
 * @returns {Promise<{ endpoint: string, operations: string[], loseNextResponse: (operations: string[]) => void, close: () => Promise<void> }>}
 */
export async function startDynamoDbRecorder(upstream) {
  const target = new URL(upstream);
  /** @type {string[]} */
  const operations = [];
  /** Operations whose next response is lost once (forwarded and applied, never answered). */
  const losing = new Set();
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '')
      .split('.')
      .pop();
    operations.push(operation || `${req.method} ${req.url}`);
    const forward = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamRes) => {
        if (losing.delete(operation)) {
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
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the recorder has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    operations,
    loseNextResponse: (names) => {
      for (const name of names) losing.add(name);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
