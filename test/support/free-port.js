import { createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago, for servers that cannot bind port 0 themselves
 * (DynamoDB Local). Another process may take it first, so callers retry on "address in use".
 * @returns {Promise<number>}
 */
export function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
