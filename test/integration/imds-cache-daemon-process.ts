// The built daemon as a process (`node packages/imds-cache/dist/main.js`) with the token file in a
// directory the test chooses, so restarts and stray second starts can share it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

export const MAIN = fileURLToPath(
  new URL('../../packages/imds-cache/dist/main.js', import.meta.url),
);

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** The environment minus tap's hooks and anything AWS or IMDS_CACHE from outside. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !key.startsWith('AWS_') && !key.startsWith('IMDS_CACHE_') && !key.startsWith('NODE_'),
    ),
  );
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

/** Runs main.js with `env` (added to baseEnv) and `args`; killed at teardown if still running. */
export function runDaemon(t: Test, env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, output: () => output, exited } satisfies DaemonProcess;
}

/** Resolves once `found(output)` gives a value; rejects if the process exits first. */
export function waitForOutput<T>(
  daemon: DaemonProcess,
  found: (output: string) => T | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = found(daemon.output());
      if (value === undefined) return false;
      daemon.child.stdout?.off('data', check);
      daemon.child.stderr?.off('data', check);
      resolve(value);
      return true;
    };
    if (check()) return;
    daemon.child.stdout?.on('data', check);
    daemon.child.stderr?.on('data', check);
    void daemon.exited.then(() => {
      if (!check()) reject(new Error(`daemon exited first:\n${daemon.output()}`));
    });
  });
}

/** Resolves with the first output line matching `pattern`. */
export function waitForLine(daemon: DaemonProcess, pattern: RegExp): Promise<string> {
  return waitForOutput(daemon, (output) => output.split('\n').find((l) => pattern.test(l)));
}

/** Resolves once `pattern` (global) has matched `count` times in the output. */
export function waitForCount(daemon: DaemonProcess, pattern: RegExp, count: number) {
  return waitForOutput(daemon, (output) =>
    (output.match(pattern)?.length ?? 0) >= count ? true : undefined,
  );
}

/** Starts a daemon and waits for its "listening" line: `{ url, opsUrl }`. */
export async function startDaemonProcess(t: Test, env: Record<string, string>) {
  const daemon = runDaemon(t, env);
  const line = await waitForLine(daemon, /"msg":"listening"/);
  const { url, opsUrl } = JSON.parse(line) as { url: string; opsUrl: string };
  return { ...daemon, url, opsUrl };
}

/** The exit code, or 'still running' (and the process killed) if it has not exited in `limitMs`. */
export async function exitCode(daemon: DaemonProcess, limitMs = 15_000) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), limitMs);
  });
  const result = await Promise.race([daemon.exited, late]);
  clearTimeout(timer);
  if (result === 'still running') daemon.child.kill('SIGKILL');
  return result;
}
