import type { Clock } from './clock.js';
import type { ImdsCacheConfig } from './config.js';
import { acquireDaemonLock, type DaemonLock } from './daemon-lock.js';
import type { GuardMetrics } from './guard-metrics.js';
import type { Logger } from './log.js';
import { reuseOrWriteToken } from './token-file.js';
import { TokenRotation } from './token-rotation.js';

/**
 * Takes the token file's lock, then reuses the token if the file is intact or writes a new one.
 * Call only once both listeners are bound: a daemon that cannot serve must not touch the file.
 */
export async function claimTokenFile(
  config: ImdsCacheConfig,
  clock: Clock,
  log: Logger,
): Promise<{ tokens: TokenRotation; lock: DaemonLock }> {
  const lock = await acquireDaemonLock(config.tokenFile);
  try {
    const found = await reuseOrWriteToken(config.tokenFile);
    log.info(
      { tokenFile: config.tokenFile, ...(found.problem ? { why: found.problem } : {}) },
      found.reused ? 'token reused' : 'token written',
    );
    const tokens = new TokenRotation({
      tokenFile: config.tokenFile,
      token: found.token,
      overlapMs: config.tokenOverlapMs,
      clock,
    });
    return { tokens, lock };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** Rotates and logs the outcome; never rejects (a signal handler has nobody to tell). */
export function rotateAndLog(
  tokens: TokenRotation,
  tokenFile: string,
  log: Logger,
  metrics: GuardMetrics,
): Promise<void> {
  return tokens.rotate().then(
    () => {
      metrics.tokenRotations.inc({ outcome: 'rotated' });
      const until = tokens.previousValidUntilMs();
      log.info(
        {
          tokenFile,
          previousValidUntil: until === undefined ? undefined : new Date(until).toISOString(),
        },
        'token rotated',
      );
    },
    (error: unknown) => {
      metrics.tokenRotations.inc({ outcome: 'failed' });
      log.error({ err: error, tokenFile }, 'token rotation failed');
    },
  );
}
