// The two workloads of bench:imds, each run as real SDK processes: N short-lived processes that
// resolve credentials once, and M long-lived ones that build a new client per request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPool, runToEnd } from './processes.mjs';
import { repoRoot } from './report.mjs';

const clientScript = join(repoRoot, 'test', 'load', 'sdk-client.mjs');
// An empty HOME: no ~/.aws/config profile or credentials file can short-cut the chain.
const emptyHome = mkdtempSync(join(tmpdir(), 'empdir-bench-home-'));
process.once('exit', () => rmSync(emptyHome, { recursive: true, force: true }));

/**
 * The whole environment of an SDK process: nothing from the caller's shell except PATH.
 * @param {{ imdsUrl: string } | { credentialsUrl: string, tokenFile: string }} target
 * @returns {NodeJS.ProcessEnv}
 */
export function sdkEnv(target) {
  const base = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: emptyHome,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  if ('imdsUrl' in target) return { ...base, AWS_EC2_METADATA_SERVICE_ENDPOINT: target.imdsUrl };
  return {
    ...base,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: target.credentialsUrl,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: target.tokenFile,
    // The SDK must not be able to go around the cache to IMDS.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * @param {Record<string, number>} into
 * @param {string} key
 * @param {number} [by]
 */
function bump(into, key, by = 1) {
  into[key] = (into[key] ?? 0) + by;
}

/**
 * N processes, `concurrency` at a time, each resolving credentials once and exiting.
 * @param {{ n: number, concurrency: number, env: NodeJS.ProcessEnv, timeoutMs?: number }} options
 */
export async function runShortLived({ n, concurrency, env, timeoutMs = 30_000 }) {
  const startedMs = performance.now();
  const runs = await runPool(n, concurrency, () =>
    runToEnd(process.execPath, [clientScript, 'once'], { env, timeoutMs }),
  );
  const wallMs = performance.now() - startedMs;
  /** @type {Record<string, number>} */
  const failuresByError = {};
  let ok = 0;
  for (const run of runs) {
    const line = run.stdout.trim().split('\n').at(-1) ?? '';
    /** @type {{ ok?: boolean, error?: string }} */
    let report = {};
    try {
      report = JSON.parse(line);
    } catch {
      // No report: killed by the timeout or crashed before it could write one.
    }
    if (run.code === 0 && report.ok) ok += 1;
    else
      bump(
        failuresByError,
        report.error ?? (run.signal ? `killed (${run.signal})` : `exit ${run.code}`),
      );
  }
  const processMs = runs.map((run) => run.ms).sort((a, b) => a - b);
  return {
    n,
    concurrency,
    clientsOk: ok,
    clientsFailed: n - ok,
    failuresByError,
    wallMs,
    processMsP50: processMs[Math.floor(processMs.length / 2)] ?? 0,
    processMsMax: processMs.at(-1) ?? 0,
  };
}

/**
 * M processes running for `durationMs`, each building a new S3 client per request.
 * @param {{ m: number, durationMs: number, gapMs: number, env: NodeJS.ProcessEnv }} options
 */
export async function runLongLived({ m, durationMs, gapMs, env }) {
  const startedMs = performance.now();
  const runs = await runPool(m, m, () =>
    runToEnd(process.execPath, [clientScript, 'loop', String(durationMs), String(gapMs)], {
      env,
      timeoutMs: durationMs + 30_000,
    }),
  );
  /** @type {Record<string, number>} */
  const failuresByError = {};
  let requestsOk = 0;
  let processesFailed = 0;
  for (const run of runs) {
    try {
      /** @type {{ ok: number, failures: Record<string, number> }} */
      const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '');
      requestsOk += report.ok;
      for (const [name, count] of Object.entries(report.failures))
        bump(failuresByError, name, count);
    } catch {
      processesFailed += 1;
    }
  }
  const requestsFailed = Object.values(failuresByError).reduce((a, b) => a + b, 0);
  return {
    m,
    durationMs,
    gapMs,
    wallMs: performance.now() - startedMs,
    requestsOk,
    requestsFailed,
    failuresByError,
    processesFailed,
  };
}
