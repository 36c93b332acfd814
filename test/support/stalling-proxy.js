// An HTTP proxy in front of an AWS stand-in that can stall on demand, so a test can make DynamoDB
// or S3 answer later than the SDK's timeouts, or not at all, over real sockets.
import { createServer, request as httpRequest } from 'node:http';

/**
 * Modes: 'pass' forwards everything; 'slow' forwards the request at once (so writes land) but holds
 * the answer until the mode changes; 'hang' forwards nothing and never answers.
 * @param {string} upstream the stand-in's endpoint, http://127.0.0.1:<port>
 */
export async function startStallingProxy(upstream) {
  const target = new URL(upstream);
  /** @type {'pass' | 'slow' | 'hang'} */
  let mode = 'pass';
  /** @type {Array<() => void>} */
  let held = [];
  let stalled = 0;
  const server = createServer((req, res) => {
    if (mode === 'hang') {
      stalled += 1;
      req.resume();
      held.push(() => res.destroy());
      return;
    }
    const slow = mode === 'slow';
    if (slow) stalled += 1;
    const forward = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamRes) => {
        const answer = () => {
          if (res.destroyed) return void upstreamRes.resume();
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        };
        if (slow) held.push(answer);
        else answer();
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    /** How many requests were slowed or swallowed so far. */
    get stalled() {
      return stalled;
    },
    /** @param {'pass' | 'slow' | 'hang'} next */
    setMode(next) {
      mode = next;
      if (next !== 'pass') return;
      // Late answers go out now, to clients that most likely gave up already.
      const release = held;
      held = [];
      for (const go of release) go();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
