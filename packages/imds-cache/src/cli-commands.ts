import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { ImdsCacheConfig } from './config.js';
import { lockHolder } from './daemon-lock.js';
import { hostPort } from './listen-address.js';

/** What a command prints and its exit code; main.ts does the printing. */
export interface CommandResult {
  readonly code: number;
  readonly message: string;
}

/**
 * `imds-cache rotate-token`: asks the daemon holding the token file's lock to rotate (SIGHUP) and
 * waits until the file holds a new token. Run it as the daemon's user or root.
 */
export async function rotateTokenCommand(
  config: ImdsCacheConfig,
  timeoutMs = 10_000,
): Promise<CommandResult> {
  let holder: Awaited<ReturnType<typeof lockHolder>>;
  try {
    holder = await lockHolder(config.tokenFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { code: 1, message: `cannot read the daemon's lock (${code}): run as its user or root` };
  }
  if (!holder) {
    return {
      code: 1,
      message: `no imds-cache is running for ${config.tokenFile}; nothing changed`,
    };
  }
  const before = await readFile(config.tokenFile, 'utf8').catch(() => '');
  try {
    process.kill(holder.pid, 'SIGHUP');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'EPERM' ? 'not allowed' : 'failed';
    return {
      code: 1,
      message: `signalling imds-cache (pid ${holder.pid}) ${why}: run as its user or root`,
    };
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = await readFile(config.tokenFile, 'utf8').catch(() => before);
    if (now !== before) {
      const overlapS = Math.round(config.tokenOverlapMs / 1000);
      return {
        code: 0,
        message: `token rotated by imds-cache (pid ${holder.pid}); the previous token stays valid for ${overlapS} s`,
      };
    }
    await delay(50);
  }
  return { code: 1, message: `imds-cache (pid ${holder.pid}) did not rotate the token in time` };
}

/**
 * `imds-cache wait-ready [PID]`: waits until /readyz answers 200 from process PID (default: any),
 * so a supervisor's "started" means this start's token is in place and credentials are held.
 */
export async function waitReadyCommand(
  config: ImdsCacheConfig,
  pid: number | undefined,
  timeoutMs = 15_000,
): Promise<CommandResult> {
  const url = `http://${hostPort(config.opsListen.host, config.opsListen.port)}/readyz`;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      const body = (await response.json()) as { pid?: number; reason?: string };
      if (response.status === 200 && (pid === undefined || body.pid === pid)) {
        return { code: 0, message: `imds-cache (pid ${body.pid}) is ready` };
      }
      last = body.pid !== pid ? `answered by pid ${body.pid}` : (body.reason ?? 'not ready');
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await delay(100);
  }
  return { code: 1, message: `imds-cache not ready at ${url} after ${timeoutMs} ms: ${last}` };
}
