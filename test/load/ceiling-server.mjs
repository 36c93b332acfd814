// The physical ceiling for bench:cache: a bare node:http server answering a fixed body of the
// cache's size. Nothing a Node HTTP daemon does per request can be cheaper than this.
//   node ceiling-server.mjs <bodyBytes> [contentType]
// Prints {"url": ...} when listening; exits on SIGTERM/SIGINT or when its stdin closes.
import { createServer } from 'node:http';
import { exitWithParent } from '../support/lifeline.js';

const bodyBytes = Number(process.argv[2] ?? '0');
const contentType = process.argv[3] ?? 'application/json';
if (!Number.isInteger(bodyBytes) || bodyBytes < 2) {
  console.error('usage: node ceiling-server.mjs <bodyBytes >= 2> [contentType]');
  process.exit(2);
}
// A JSON string of the right length, so clients parse it the same way as the real answer.
const body = Buffer.from(`"${'x'.repeat(bodyBytes - 2)}"`);

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
exitWithParent(
  () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
