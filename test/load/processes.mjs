// Every process a benchmark starts goes through here, so each one is stopped when the benchmark
// ends, fails or is interrupted, and each carries a marker run-all.mjs can look for afterwards.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

/** Inherited by every process a benchmark starts; run-all.mjs scans /proc for leftovers by it. */
export const RUN_MARKER_KEY = 'EMPDIR_BENCH_RUN';
const runMarker = process.env[RUN_MARKER_KEY] ?? `bench-${process.pid}-${Date.now()}`;

/** @type {Set<import('node:child_process').ChildProcess>} */
const live = new Set();

/**
 * Spawns a child whose stdin stays a pipe (stand-ins exit when it closes). Pass stdout 'pipe' only
 * when something reads it (`waitForLine`, `runToEnd`): an unread pipe fills and blocks the child.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, stdout?: 'pipe' | 'ignore' | 'inherit',
 *   stderr?: 'inherit' | 'ignore' }} [options]
 */
export function spawnTracked(
  command,
  args,
  { env = process.env, cwd, stdout = 'pipe', stderr = 'inherit' } = {},
) {
  const child = spawn(command, args, {
    cwd,
    env: { ...env, [RUN_MARKER_KEY]: runMarker },
    stdio: ['pipe', stdout, stderr],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  // A child that dies early must not crash the parent with EPIPE on its stdin.
  child.stdin?.on('error', () => {});
  return child;
}

/**
 * Resolves with the first stdout line that `match` accepts; rejects when the child exits first
 * or nothing matches in time.
 * @param {import('node:child_process').ChildProcess} child
 * @param {(line: string) => boolean} match
 * @param {number} timeoutMs
 * @returns {Promise<string>}
 */
export function waitForLine(child, match, timeoutMs) {
  return new Promise((resolve, reject) => {
    if (!child.stdout) throw new Error('child has no stdout pipe');
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(
      () => finish(new Error(`no matching line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onExit = (/** @type {number | null} */ code) =>
      finish(new Error(`process exited (${code}) before it was ready`));
    /** @param {Error | null} err @param {string} [line] */
    function finish(err, line) {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.off('line', onLine);
      if (err) reject(err);
      else resolve(/** @type {string} */ (line));
    }
    /** @param {string} line */
    function onLine(line) {
      if (match(line)) finish(null, line);
    }
    lines.on('line', onLine);
    child.once('exit', onExit);
  });
}

/**
 * Runs a child to completion and returns its exit code and full stdout.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs: number }} options
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, ms: number }>}
 */
export function runToEnd(command, args, { env, timeoutMs }) {
  const startedMs = performance.now();
  const child = spawnTracked(command, args, { env, stderr: 'ignore' });
  child.stdin?.end();
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
  });
  // A hung client is killed and counted as a failure rather than stalling the benchmark.
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, ms: performance.now() - startedMs });
    });
  });
}

/**
 * Runs `total` tasks with at most `concurrency` in flight; results keep their task order.
 * @template T
 * @param {number} total
 * @param {number} concurrency
 * @param {(index: number) => Promise<T>} task
 * @returns {Promise<T[]>}
 */
export async function runPool(total, concurrency, task) {
  /** @type {T[]} */
  const results = new Array(total);
  let next = 0;
  async function worker() {
    while (next < total) {
      const index = next++;
      results[index] = await task(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return results;
}

/**
 * Stops one child: SIGTERM, then SIGKILL when it is still alive after `graceMs`.
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} [graceMs]
 */
export async function stopChild(child, graceMs = 3_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  child.stdin?.end();
  const outcome = await Promise.race([exited.then(() => 'exited'), sleep(graceMs)]);
  if (outcome !== 'exited') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Stops every child still running; benchmarks call it in `finally`. */
export async function stopAll() {
  await Promise.all([...live].map((child) => stopChild(child)));
}

// Last resort when the benchmark dies: no child outlives it.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

/** A loopback port free right now, for daemons that take a fixed listen address. */
export { freeLoopbackPort as freePort } from '../support/free-port.js';

/**
 * Polls `url` until it answers 200, for daemons that signal readiness over HTTP.
 * @param {string} url
 * @param {{ timeoutMs: number, child?: import('node:child_process').ChildProcess }} options
 */
export async function waitForHttpOk(url, { timeoutMs, child }) {
  const deadlineMs = performance.now() + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadlineMs) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(
        `process exited (${child.exitCode ?? child.signalCode}) before ${url} was ready`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(50);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}
