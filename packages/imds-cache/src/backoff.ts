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

/** The longest wait between refreshes while IMDS keeps failing. */
export const RETRY_CAP_MS = 30_000;

/**
 * How long to wait before the next refresh after `failures` failed ones in a row (≥ 1): "equal
 * jitter", a uniform delay in [c/2, c) with c = min(30 s, 1 s × 2^(failures-1)), at least 500 ms.
 */
export function retryAfterFailureMs(failures: number, random: () => number): number {
  const ceiling = Math.min(RETRY_CAP_MS, 1_000 * 2 ** Math.max(0, failures - 1));
  // Half fixed, half jitter: hosts still spread out, and an outage costs at most one refresh
  // per 15 s however unlucky the draws (full jitter could draw 0 every time).
  return Math.max(500, Math.floor(ceiling / 2 + (random() * ceiling) / 2));
}
