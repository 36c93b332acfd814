// The S3 stand-in: s3rver in a child process on 127.0.0.1, path-style addressing only.
// s3rver only checks that the access key id is S3RVER; it never verifies a SigV4 signature.
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { standinEnv, startChild } from './child-process.js';

/**
 * @typedef {{ dataDir?: string, startTimeoutMs?: number }} StartS3Options
 * `pid` is the stand-in's process group (see child-process.js).
 * @typedef {{ endpoint: string, region: string, dataDir: string, pid: number,
 *   stop: () => Promise<void> }} S3Standin
 */

/**
 * Starts s3rver; objects live in `dataDir`, or in a temporary directory removed on stop().
 * @param {StartS3Options} [options]
 * @returns {Promise<S3Standin>}
 */
export async function startS3(options = {}) {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const child = await startChild({
    name: 's3rver',
    command: process.execPath,
    args: [
      // Blowfish continuation tokens (ListObjectsV2) need OpenSSL's legacy provider.
      '--openssl-legacy-provider',
      fileURLToPath(new URL('s3rver-main.js', import.meta.url)),
      ...(options.dataDir ? ['--directory', options.dataDir] : []),
    ],
    env: standinEnv(),
    startTimeoutMs: options.startTimeoutMs ?? 15_000,
    ready: readyLine,
  });
  const { url, dataDir } = child.value;
  return {
    endpoint: url,
    region: 'us-east-1',
    dataDir,
    pid: child.pid,
    async stop() {
      await child.stop();
      // The child removes its temporary directory itself, unless it had to be killed.
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * @param {string} line
 * @returns {{ url: string, dataDir: string } | undefined}
 */
function readyLine(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    const { url, dataDir } = JSON.parse(line);
    return typeof url === 'string' && typeof dataDir === 'string' ? { url, dataDir } : undefined;
  } catch {
    return undefined;
  }
}
