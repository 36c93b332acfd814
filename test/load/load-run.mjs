// One bounded autocannon run. autocannon's own histogram rounds latency to whole milliseconds;
// a sub-millisecond daemon needs better, so each response's time is also kept here.
import autocannon from 'autocannon';

/**
 * @typedef {{ connections: number, durationS: number, requests: number, requestsPerS: number,
 *   p50Ms: number, p90Ms: number, p99Ms: number, maxMs: number, okP99Ms: number | null,
 *   statusCounts: Record<string, number>, errors: number, timeouts: number, resets: number,
 *   non2xx: number, bytesPerResponse: number }} LoadResult
 */

/**
 * @param {number[]} sorted ascending
 * @param {number} fraction 0..1
 */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/**
 * @param {{ url: string, connections: number, durationS: number,
 *   headers?: Record<string, string>, timeoutS?: number }} options
 * @returns {Promise<LoadResult>}
 */
export async function loadRun({ url, connections, durationS, headers = {}, timeoutS = 10 }) {
  /** @type {number[]} */
  const all = [];
  /** @type {number[]} */
  const ok = [];
  let bytes = 0;
  const instance = autocannon({
    url,
    connections,
    duration: durationS,
    headers,
    timeout: timeoutS,
    pipelining: 1,
  });
  instance.on(
    'response',
    (
      /** @type {unknown} */ _client,
      /** @type {number} */ status,
      /** @type {number} */ resBytes,
      /** @type {number} */ ms,
    ) => {
      all.push(ms);
      if (status >= 200 && status < 300) ok.push(ms);
      bytes += resBytes;
    },
  );
  const result = await instance;
  all.sort((a, b) => a - b);
  ok.sort((a, b) => a - b);
  /** @type {Record<string, number>} */
  const statusCounts = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statusCounts[status] = count;
  }
  const elapsedS = result.duration || durationS;
  return {
    connections,
    durationS: elapsedS,
    requests: all.length,
    requestsPerS: all.length / elapsedS,
    p50Ms: percentile(all, 0.5),
    p90Ms: percentile(all, 0.9),
    p99Ms: percentile(all, 0.99),
    maxMs: all.at(-1) ?? Number.NaN,
    okP99Ms: ok.length > 0 ? percentile(ok, 0.99) : null,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    non2xx: result.non2xx,
    bytesPerResponse: all.length > 0 ? bytes / all.length : 0,
  };
}
