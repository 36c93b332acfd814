import type { Clock, Timer } from './clock.js';

interface Pending {
  readonly dueAt: number;
  readonly seq: number;
  readonly fire: () => void;
}

export interface FakeClockOptions {
  /** Start time, epoch milliseconds. Default: the real time at construction. */
  startMs?: number;
  /**
   * When true, `sleep(ms)` moves time forward by `ms` at once instead of waiting for `advance()`:
   * backoff and rate-limit waits then cost no real time and need no driving from the test.
   */
  autoAdvanceSleeps?: boolean;
}

/** A manual clock for tests and benchmarks: time moves only through `advance()` (or sleeps). */
export class FakeClock implements Clock {
  #nowMs: number;
  #seq = 0;
  #pending: Pending[] = [];
  readonly #autoAdvance: boolean;

  constructor(options: FakeClockOptions = {}) {
    this.#nowMs = options.startMs ?? Date.now();
    this.#autoAdvance = options.autoAdvanceSleeps ?? false;
  }

  now = (): number => this.#nowMs;

  setTimer = (fn: () => void, ms: number): Timer => {
    const entry: Pending = { dueAt: this.#nowMs + Math.max(0, ms), seq: this.#seq++, fire: fn };
    this.#pending.push(entry);
    return { cancel: () => this.#remove(entry) };
  };

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#autoAdvance) {
      this.advance(ms);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = this.setTimer(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        timer.cancel();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  /** Moves time forward, firing every timer that falls due, in due order, at its due time. */
  advance(ms: number): void {
    const target = this.#nowMs + Math.max(0, ms);
    for (;;) {
      const next = this.#earliest();
      if (!next || next.dueAt > target) break;
      this.#remove(next);
      this.#nowMs = Math.max(this.#nowMs, next.dueAt);
      next.fire();
    }
    this.#nowMs = target;
  }

  /** Sets the time to `epochMs` (forward only), firing timers on the way. */
  advanceTo(epochMs: number): void {
    this.advance(epochMs - this.#nowMs);
  }

  /** How many timers and sleeps are waiting. */
  pendingTimers(): number {
    return this.#pending.length;
  }

  #earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const entry of this.#pending) {
      if (
        !best ||
        entry.dueAt < best.dueAt ||
        (entry.dueAt === best.dueAt && entry.seq < best.seq)
      ) {
        best = entry;
      }
    }
    return best;
  }

  #remove(entry: Pending): void {
    const index = this.#pending.indexOf(entry);
    if (index >= 0) this.#pending.splice(index, 1);
  }
}
