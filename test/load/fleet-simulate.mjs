// A fleet's AssumeRole calls per second: instances × clients, each client on the daemon's refresh
// rule (fleet-schedule.mjs), counted in one-second buckets. Exact up to an event budget; beyond it
// a sample of instances is simulated and scaled (clients are independent, so rates add).
import { callGapsMs, clientCalls, seededRandom } from './fleet-schedule.mjs';

const HOUR_MS = 3_600_000;
const SMOOTH_SECONDS = 5;

/**
 * @typedef {import('./fleet-schedule.mjs').Timing} Timing
 * @typedef {{ instances: number, clients: number, method: string, meanPerSecond: number,
 *   peakPerSecond: number, firstMinutesPeak: number, hourly: { hour: number,
 *   peakPerSecond: number, meanPerSecond: number, minutePeakToMean: number }[],
 *   secondsOverQuota: number }} FleetStats
 */

/**
 * @param {{ timing: Timing, durationMs: number, clientsPerInstance: number,
 *   instanceSizes: number[], scenario: 'restart' | 'steady', horizonMs: number,
 *   eventBudget: number, quotaPerSecond: number, seed: number }} plan
 * @returns {{ sampleInstances: number, stats: FleetStats[] }}
 */
export function simulateFleet(plan) {
  const { timing, durationMs, clientsPerInstance: perInstance, horizonMs } = plan;
  const gaps = callGapsMs(timing, durationMs);
  // Steady state: instances started long ago at random, so phases are spread; warm up first.
  const warmupMs = plan.scenario === 'steady' ? 10 * gaps.maxMs : 0;
  const callsPerClient = (horizonMs + warmupMs) / gaps.minMs + 1;
  const largest = Math.max(...plan.instanceSizes);
  const affordable = Math.floor(plan.eventBudget / (callsPerClient * perInstance));
  const sampleInstances = Math.max(1, Math.min(largest, affordable));
  const seconds = Math.ceil(horizonMs / 1000);
  const sizes = [...plan.instanceSizes].sort((a, b) => a - b);
  /** @type {FleetStats[]} */
  const stats = [];
  /**
   * Simulates `count` instances; `stratified` spreads their start times evenly (a sample that
   * stands for a large fleet must not carry its own clumps into the scaled figures).
   * @param {number} count
   * @param {boolean} stratified
   * @param {(done: number, buckets: Float64Array) => void} after
   */
  const run = (count, stratified, after) => {
    const buckets = new Float64Array(seconds);
    const onCall = (/** @type {number} */ t) => {
      if (t >= 0 && t < horizonMs) buckets[Math.floor(t / 1000)] += 1;
    };
    const startRandom = seededRandom(plan.seed);
    for (let instance = 0; instance < count; instance++) {
      const u = stratified ? (instance + startRandom()) / count : startRandom();
      // A fleet-wide restart: every instance's daemon starts within one minute.
      const startMs =
        plan.scenario === 'restart' ? Math.floor(u * 60_000) : -Math.floor(u * warmupMs);
      for (let c = 0; c < perInstance; c++) {
        const random = seededRandom(plan.seed * 7_919 + instance * perInstance + c + 1);
        clientCalls(startMs, horizonMs, timing, durationMs, random, onCall);
      }
      after(instance + 1, buckets);
    }
    return buckets;
  };
  const exactSizes = sizes.filter((s) => s <= sampleInstances);
  run(Math.max(0, ...exactSizes), false, (done, buckets) => {
    if (exactSizes.includes(done)) {
      stats.push(summarise(buckets, 1, done, perInstance, 'exact', plan.quotaPerSecond));
    }
  });
  const sampledSizes = sizes.filter((s) => s > sampleInstances);
  if (sampledSizes.length > 0) {
    const buckets = run(sampleInstances, true, () => {});
    for (const size of sampledSizes) {
      const factor = size / sampleInstances;
      const method = `sampled ${sampleInstances.toLocaleString('en-US')} instances ×${factor.toFixed(1)}`;
      stats.push(summarise(buckets, factor, size, perInstance, method, plan.quotaPerSecond));
    }
  }
  return { sampleInstances, stats };
}

/**
 * @param {Float64Array} buckets calls per second of the simulated instances
 * @param {number} factor how many fleets of that size the figures stand for (1 = exact)
 * @param {number} instances
 * @param {number} clients per instance
 * @param {string} method
 * @param {number} quota
 * @returns {FleetStats}
 */
function summarise(buckets, factor, instances, clients, method, quota) {
  // A scaled sample would multiply its per-second noise too; a 5 s moving average removes most.
  const perSecond = factor === 1 ? buckets : movingAverage(buckets, SMOOTH_SECONDS, factor);
  let total = 0;
  let peak = 0;
  let over = 0;
  for (const v of perSecond) {
    total += v;
    if (v > peak) peak = v;
    if (v > quota) over += 1;
  }
  const hourly = [];
  for (let start = 0; start < perSecond.length; start += HOUR_MS / 1000) {
    const hour = perSecond.subarray(start, start + HOUR_MS / 1000);
    let sum = 0;
    let hourPeak = 0;
    let minutePeak = 0;
    for (let m = 0; m < hour.length; m += 60) {
      let minute = 0;
      for (let s = m; s < Math.min(m + 60, hour.length); s++) {
        minute += hour[s] ?? 0;
        hourPeak = Math.max(hourPeak, hour[s] ?? 0);
      }
      sum += minute;
      minutePeak = Math.max(minutePeak, minute);
    }
    const minuteMean = sum / Math.ceil(hour.length / 60);
    hourly.push({
      hour: start / 3600 + 1,
      peakPerSecond: hourPeak,
      meanPerSecond: sum / hour.length,
      minutePeakToMean: minuteMean > 0 ? minutePeak / minuteMean : 0,
    });
  }
  let firstMinutesPeak = 0;
  for (let s = 0; s < Math.min(120, perSecond.length); s++) {
    firstMinutesPeak = Math.max(firstMinutesPeak, perSecond[s] ?? 0);
  }
  return {
    instances,
    clients,
    method,
    meanPerSecond: total / perSecond.length,
    peakPerSecond: peak,
    firstMinutesPeak,
    hourly,
    secondsOverQuota: over,
  };
}

/**
 * @param {Float64Array} values
 * @param {number} window seconds, centred
 * @param {number} factor
 */
function movingAverage(values, window, factor) {
  const out = new Float64Array(values.length);
  const half = Math.floor(window / 2);
  for (let i = 0; i < values.length; i++) {
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(values.length - 1, i + half); j++) {
      sum += values[j] ?? 0;
      n += 1;
    }
    out[i] = (sum / n) * factor;
  }
  return out;
}
