// Child entry for the dynalite stand-in: `node test/support/dynalite-main.js [--path DIR]`.
// Prints `{"url": ...}` once listening on 127.0.0.1; exits when its parent's stdin pipe closes.
// dynalite's own CLI treats --port 0 as "use 4567", so we listen ourselves.
import { parseArgs } from 'node:util';
import dynalite from 'dynalite';
import { exitWithParent } from './lifeline.js';

const { values } = parseArgs({ options: { path: { type: 'string' } } });
// Zero delays: tables are ACTIVE at once instead of CREATING for half a second.
const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(values.path ? { path: values.path } : {}),
});

exitWithParent(
  // Closing lets LevelDB flush when data lives on disk; in memory there is nothing to keep.
  () =>
    new Promise((resolve) => {
      if (!values.path) return resolve(undefined);
      server.close(() => resolve(undefined));
      // Idle keep-alive sockets would hold close() open until the SDK drops them.
      server.closeAllConnections();
    }),
  { cleanupTimeoutMs: 3_000 },
);

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite has no TCP port');
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
});
