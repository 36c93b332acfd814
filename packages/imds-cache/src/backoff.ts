/** Exponential backoff with full jitter: a uniform delay in [0, min(cap, base * 2^attempt)). */
export function fullJitterDelayMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** How long to wait before the next refresh after `failures` failed ones in a row (≥ 1). */
export function retryAfterFailureMs(failures: number, random: () => number): number {
  // Full jitter spreads many hosts' retries apart; the floor keeps one host from spinning.
  return Math.max(500, fullJitterDelayMs(failures - 1, 1_000, 30_000, random));
}
