/**
 * @typedef {{ ratePerSecond: number, burst: number }} RateLimit
 * @typedef {{ tryTake: () => boolean, available: () => number }} TokenBucket
 */

/**
 * A token bucket that starts full, refills at `ratePerSecond` up to `burst`, and reads time only
 * from `now` so tests can drain and refill it without sleeping.
 * @param {RateLimit & { now: () => number }} options
 * @returns {TokenBucket}
 */
export function createTokenBucket({ ratePerSecond, burst, now }) {
  if (!(ratePerSecond > 0) || !(burst >= 1)) {
    throw new RangeError(
      `rate limit needs ratePerSecond > 0 and burst >= 1, got ${ratePerSecond}/${burst}`,
    );
  }
  let tokens = burst;
  let refilledAtMs = now();

  function refill() {
    const nowMs = now();
    // A clock moved backwards must not mint tokens (or take them away).
    const elapsedMs = Math.max(0, nowMs - refilledAtMs);
    tokens = Math.min(burst, tokens + (elapsedMs * ratePerSecond) / 1000);
    refilledAtMs = nowMs;
  }

  return {
    tryTake() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    available() {
      refill();
      return Math.floor(tokens);
    },
  };
}
