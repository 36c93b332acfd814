// A fleet-wide restart with STS pushing back: calls beyond the quota are refused (Throttling)
// and each client retries on the cache's own jittered backoff (retryAfterFailureMs, 0.5-30 s).
// How long until every client holds credentials? A sample of clients stands for the fleet with
// the quota scaled by the same factor (a mean-field model: clients interact only through it).
import { seededRandom } from './fleet-schedule.mjs';

const dist = new URL('../../packages/imds-cache/dist/', import.meta.url);
const { refreshDueAtMs } = await import(new URL('refresh-scheduler.js', dist).href);
const { retryAfterFailureMs } = await import(new URL('backoff.js', dist).href);

/**
 * @param {{ timing: import('./fleet-schedule.mjs').Timing, durationMs: number, fleetClients: number,
 *   sampleClients: number, quotaPerSecond: number, horizonMs: number, seed: number }} plan
 */
export function simulateThrottledRestart(plan) {
  const sample = Math.min(plan.sampleClients, plan.fleetClients);
  const scale = plan.fleetClients / sample;
  // The sample's share of the quota: a token bucket refilled continuously, one second's burst.
  const ratePerMs = plan.quotaPerSecond / scale / 1000;
  const burst = Math.max(1, plan.quotaPerSecond / scale);
  let tokens = burst;
  let refilledAt = 0;
  const heap = new MinHeap();
  const randoms = [];
  const failures = new Uint16Array(sample);
  const firstSuccessMs = new Float64Array(sample).fill(Number.NaN);
  const startRandom = seededRandom(plan.seed);
  for (let c = 0; c < sample; c++) {
    randoms.push(seededRandom(plan.seed * 31 + c + 1));
    heap.push(Math.floor(((c + startRandom()) / sample) * 60_000), c);
  }
  const minuteCalls = new Float64Array(Math.ceil(plan.horizonMs / 60_000));
  let attempts = 0;
  let throttled = 0;
  for (;;) {
    const next = heap.pop();
    if (!next || next.at >= plan.horizonMs) break;
    const { at, id } = next;
    tokens = Math.min(burst, tokens + (at - refilledAt) * ratePerMs);
    refilledAt = at;
    attempts += 1;
    const random = /** @type {() => number} */ (randoms[id]);
    if (tokens >= 1) {
      tokens -= 1;
      failures[id] = 0;
      minuteCalls[Math.floor(at / 60_000)] += scale;
      if (Number.isNaN(firstSuccessMs[id])) firstSuccessMs[id] = at;
      const expiresAtMs = Math.floor((at + plan.durationMs) / 1000) * 1000;
      heap.push(refreshDueAtMs({ fetchedAtMs: at, expiresAtMs }, plan.timing, random), id);
    } else {
      throttled += 1;
      failures[id] = (failures[id] ?? 0) + 1;
      heap.push(at + retryAfterFailureMs(failures[id], random), id);
    }
  }
  const served = [...firstSuccessMs].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const quantile = (/** @type {number} */ q) =>
    served.length < sample ? Number.POSITIVE_INFINITY : (served[Math.ceil(q * sample) - 1] ?? 0);
  const laterMinutes = minuteCalls.slice(60);
  const laterMean = laterMinutes.reduce((a, b) => a + b, 0) / Math.max(1, laterMinutes.length);
  return {
    fleetClients: plan.fleetClients,
    sampleClients: sample,
    allServedAfterSeconds: quantile(1) / 1000,
    p50ServedAfterSeconds: quantile(0.5) / 1000,
    p99ServedAfterSeconds: quantile(0.99) / 1000,
    throttledPerClient: throttled / sample,
    attemptsPerClient: attempts / sample,
    // After the first hour: do the refreshes still come in waves?
    laterMinutePeakToMean: laterMean > 0 ? Math.max(...laterMinutes) / laterMean : 0,
    laterPeakPerSecond: Math.max(...laterMinutes) / 60,
  };
}

/** A binary min-heap of (time, client) pairs. */
class MinHeap {
  /** @type {number[]} */
  #at = [];
  /** @type {number[]} */
  #id = [];

  /** @param {number} at @param {number} id */
  push(at, id) {
    const a = this.#at;
    const d = this.#id;
    let i = a.length;
    a.push(at);
    d.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] ?? 0) <= at) break;
      a[i] = a[parent] ?? 0;
      d[i] = d[parent] ?? 0;
      i = parent;
    }
    a[i] = at;
    d[i] = id;
  }

  /** @returns {{ at: number, id: number } | undefined} */
  pop() {
    const a = this.#at;
    const d = this.#id;
    if (a.length === 0) return undefined;
    const top = { at: a[0] ?? 0, id: d[0] ?? 0 };
    const lastAt = a.pop() ?? 0;
    const lastId = d.pop() ?? 0;
    if (a.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= a.length) break;
      const right = left + 1;
      const child = right < a.length && (a[right] ?? 0) < (a[left] ?? 0) ? right : left;
      if ((a[child] ?? 0) >= lastAt) break;
      a[i] = a[child] ?? 0;
      d[i] = d[child] ?? 0;
      i = child;
    }
    a[i] = lastAt;
    d[i] = lastId;
    return top;
  }
}
