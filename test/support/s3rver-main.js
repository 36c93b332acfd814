// Child entry for the S3 stand-in: `node --openssl-legacy-provider test/support/s3rver-main.js
// [--directory DIR]`. s3rver encrypts ListObjectsV2 continuation tokens with Blowfish, which
// OpenSSL 3 only offers through the legacy provider. Prints `{"url", "dataDir"}` once listening.
// Without --directory it uses a temporary one and removes it on exit, even when the parent died.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import S3rver from 's3rver';
import { exitWithParent } from './lifeline.js';

const { values } = parseArgs({ options: { directory: { type: 'string' } } });
const dataDir = values.directory ?? (await mkdtemp(join(tmpdir(), 'empdir-s3-')));

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dataDir,
  // Path-style only (http://127.0.0.1:PORT/bucket/key): no wildcard DNS for buckets on loopback.
  vhostBuckets: false,
});

exitWithParent(async () => {
  server.httpServer?.closeAllConnections();
  await server.close().catch(() => {});
  if (values.directory === undefined) await rm(dataDir, { recursive: true, force: true });
});

const address = await server.run();
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}`, dataDir })}\n`);
