import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * @template T
 * @typedef {{ name: string, command: string, args: string[], env?: NodeJS.ProcessEnv,
 *   cwd?: string, startTimeoutMs?: number, stopGraceMs?: number,
 *   ready?: (line: string) => T | undefined }} StartChildOptions
 */
/**
 * `pid` is the guard's, which is also the process group id of everything the command started.
 * @template T
 * @typedef {{ pid: number, value: T, output: () => string, stop: () => Promise<void>,
 *   closeLifeline: () => void,
 *   exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }> }} ChildHandle
 */

const OUTPUT_TAIL_CHARS = 8_000;
/** @type {Set<number>} process groups still alive, killed if this process exits first */
const liveGroups = new Set();
let exitHookInstalled = false;

/**
 * Default readiness: the child prints one JSON line `{"url": "http://127.0.0.1:PORT"}`.
 * @param {string} line
 * @returns {{ url: string } | undefined}
 */
export function urlLine(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line);
    return typeof parsed?.url === 'string' ? { url: parsed.url } : undefined;
  } catch {
    return undefined;
  }
}

/** The environment for a stand-in: without tap's coverage hooks, which only slow it down. */
export function standinEnv(/** @type {NodeJS.ProcessEnv} */ extra = {}) {
  const { NODE_OPTIONS: nodeOptions, NODE_V8_COVERAGE: _coverage, ...env } = process.env;
  const keepOptions = nodeOptions && !nodeOptions.includes('@tapjs');
  return { ...env, ...(keepOptions ? { NODE_OPTIONS: nodeOptions } : {}), ...extra };
}

const GUARD = fileURLToPath(new URL('child-guard-main.js', import.meta.url));

/**
 * Spawns `command` under a guard (child-guard-main.js) that leads a new process group and holds
 * a stdin pipe from us: when we die, even by SIGKILL, the pipe closes and the guard takes the
 * whole group down. Resolves once `ready` recognises a line the command printed on stdout.
 * @template [T={ url: string }]
 * @param {StartChildOptions<T>} options
 * @returns {Promise<ChildHandle<T>>}
 */
export function startChild(options) {
  const { name, startTimeoutMs = 30_000, stopGraceMs = 5_000 } = options;
  const ready = options.ready ?? /** @type {(line: string) => T | undefined} */ (urlLine);
  installExitHook();
  const child = spawn(
    process.execPath,
    [GUARD, String(stopGraceMs), options.command, ...options.args],
    {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, so stop() also reaches grandchildren (the JVM under its wrapper).
      detached: true,
    },
  );
  const pid = child.pid;
  if (pid === undefined) {
    // Spawning failed (ENOENT, EACCES); 'error' follows on the next tick.
    return new Promise((_, reject) => {
      child.once('error', (error) =>
        reject(new Error(`${name} could not start: ${error.message}`)),
      );
    });
  }
  let tail = '';
  /** @param {Buffer} chunk */
  const keep = (chunk) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stderr.on('data', keep);
  // We never write to the lifeline; a child that already died must not crash us with EPIPE.
  child.stdin.on('error', () => {});

  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => {
    // 'close' rather than 'exit': by then the last of stderr is in the tail.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  liveGroups.add(pid);
  void exited.then(() => {
    // The leader is gone; anything it left in the group goes too.
    killGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
  });

  const stop = async () => {
    if (!liveGroups.has(pid)) return exited.then(() => undefined);
    // One SIGTERM to the group; closing the lifeline too would make the guard send a second.
    killGroup(pid, 'SIGTERM');
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    const graceOver = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), stopGraceMs);
    });
    const outcome = await Promise.race([exited, graceOver]);
    clearTimeout(timer);
    if (outcome === 'timeout') killGroup(pid, 'SIGKILL');
    await exited;
  };

  return new Promise((resolve, reject) => {
    let lineBuffer = '';
    let settled = false;
    /** @param {Error} error */
    const fail = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(error));
    };
    const timer = setTimeout(() => {
      fail(new Error(`${name} did not report ready within ${startTimeoutMs} ms\n${tail}`));
    }, startTimeoutMs);
    child.once('error', (error) => fail(new Error(`${name} failed: ${error.message}`)));
    void exited.then(({ code, signal }) => {
      fail(
        new Error(`${name} exited before it was ready (code ${code}, signal ${signal})\n${tail}`),
      );
    });
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      keep(chunk);
      if (settled) return;
      lineBuffer += chunk.toString('utf8');
      const lines = lineBuffer.split('\n');
      lineBuffer = lines.pop() ?? '';
      for (const line of lines) {
        const value = ready(line.trim());
        if (value === undefined) continue;
        settled = true;
        clearTimeout(timer);
        // closeLifeline: what the child sees when we die; tests use it to prove it exits.
        resolve({
          pid,
          value,
          output: () => tail,
          stop,
          exited,
          closeLifeline: () => child.stdin.end(),
        });
        return;
      }
    });
  });
}

/**
 * @param {number} pid the group leader
 * @param {NodeJS.Signals} signal
 */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that throws past its teardown still takes its stand-ins down with it. SIGTERM, not
  // SIGKILL, so they can remove temporary data; each child bounds its own cleanup time.
  process.once('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGTERM');
  });
}
