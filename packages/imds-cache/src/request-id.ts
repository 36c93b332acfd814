import { randomBytes } from 'node:crypto';

/**
 * Request ids unique within the process and unlikely to repeat across restarts: a random prefix
 * per id source plus a counter (a randomUUID per request cost more than the rest of a cache hit).
 */
export function requestIdSource(): () => string {
  const prefix = randomBytes(6).toString('hex');
  let counter = 0;
  return () => {
    counter += 1;
    return `${prefix}-${counter.toString(36)}`;
  };
}
