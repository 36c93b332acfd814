import { setTimeout as delay } from 'node:timers/promises';

/** A timer that can be cancelled; what `Clock.setTimer` returns. */
export interface Timer {
  cancel(): void;
}

/**
 * Every source of time the daemon uses: wall-clock milliseconds, sleeps and timers. Tests inject a
 * FakeClock so TTLs, backoff, refresh-ahead and rate limits run without real waiting.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (credential Expiration is compared against this). */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms`. The timer never keeps the process alive on its own. */
  setTimer(fn: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(Math.max(0, ms), undefined, signal ? { signal, ref: false } : { ref: false });
  },
  setTimer: (fn, ms) => {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};
