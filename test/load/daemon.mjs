// Starts the credential daemon as operators run it (its built main.js in its own process); the
// daemon writes the token file the SDKs read through AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnTracked, stopChild, waitForHttpOk } from './processes.mjs';
import { repoRoot } from './report.mjs';

export const daemonMain = join(repoRoot, 'packages', 'imds-cache', 'dist', 'main.js');

/**
 * @typedef {{ url: string, credentialsUrl: string, opsUrl: string, token: string,
 *   tokenFile: string, pid: number, stop: () => Promise<void>,
 *   metrics: () => Promise<Map<string, number>> }} Daemon
 */

/**
 * @param {{ imdsUrl: string, ttlMs?: number, rateLimitRps?: number,
 *   env?: Record<string, string> }} options rateLimitRps undefined = the daemon's default
 * @returns {Promise<Daemon>}
 */
export async function startDaemon({ imdsUrl, ttlMs, rateLimitRps, env = {} }) {
  const dir = mkdtempSync(join(tmpdir(), 'empdir-bench-'));
  const tokenFile = join(dir, 'token');
  const [port, opsPort] = [await freePort(), await freePort()];
  // The same V8 flag as deploy/systemd/imds-cache.service, so the benchmark measures what is deployed.
  const child = spawnTracked(process.execPath, ['--max-semi-space-size=4', daemonMain], {
    // Only what the daemon needs: no AWS_* from the caller's shell can leak into the measurement.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      IMDS_CACHE_IMDS_ENDPOINT: imdsUrl,
      IMDS_CACHE_LISTEN: `127.0.0.1:${port}`,
      IMDS_CACHE_OPS_LISTEN: `127.0.0.1:${opsPort}`,
      IMDS_CACHE_TOKEN_FILE: tokenFile,
      ...(ttlMs === undefined ? {} : { IMDS_CACHE_TTL_MS: String(ttlMs) }),
      ...(rateLimitRps === undefined ? {} : { IMDS_CACHE_RATE_LIMIT_RPS: String(rateLimitRps) }),
      ...env,
    },
    // Its log goes nowhere: at benchmark rates a pipe nobody drains would stall it.
    stdout: 'ignore',
  });
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  try {
    await waitForHttpOk(`${opsUrl}/readyz`, { timeoutMs: 15_000, child });
  } catch (err) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;
  const token = readFileSync(tokenFile, 'utf8');
  return {
    url,
    credentialsUrl: `${url}/v1/credentials`,
    opsUrl,
    token,
    tokenFile,
    pid: /** @type {number} */ (child.pid),
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async metrics() {
      const res = await fetch(`${opsUrl}/metrics`);
      return parsePrometheus(await res.text());
    },
  };
}

/**
 * Prometheus text format to `name{labels}` → value (comments dropped).
 * @param {string} text
 */
export function parsePrometheus(text) {
  /** @type {Map<string, number>} */
  const values = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

/**
 * Sums every series of `name` whose labels include all of `labels` (e.g. `result="success"`).
 * @param {Map<string, number>} metrics
 * @param {string} name
 * @param {string[]} [labels]
 */
export function sumMetric(metrics, name, labels = []) {
  let total = 0;
  for (const [key, value] of metrics) {
    const bare = key.split('{')[0];
    if (bare === name && labels.every((label) => key.includes(label))) total += value;
  }
  return total;
}
