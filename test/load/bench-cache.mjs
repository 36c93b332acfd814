// bench:cache — how fast the daemon answers GET /v1/credentials, next to a bare node:http server
// answering the same number of bytes (the ceiling), and what its rate limit does under overload.
//   node test/load/bench-cache.mjs [--quick]   (--quick: 2 s runs)
import { join } from 'node:path';
import { startImdsSimulator } from '../support/imds-simulator.js';
import { startDaemon } from './daemon.mjs';
import { loadRun } from './load-run.mjs';
import { cpuBetween, loadAverage1m, procSample, systemCpuSample } from './proc-stats.mjs';
import { spawnTracked, stopAll, stopChild, waitForLine } from './processes.mjs';
import { fmt, machine, markdownTable, repoRoot, writeResults } from './report.mjs';
import { writeSummary } from './summary.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const quick = process.argv.includes('--quick');
const durationS = quick ? 2 : 5;
const connectionCounts = [1, 16, 64, 256];
// RSS: issue 10's bound with the caller lookup and the audit log on (they are always on).
const goals = { ceilingRatio: 0.6, p99MsAt64: 2, rssMb: 96 };
// A pair of runs during which other processes took more than this share of a core is run again
// (at most maxAttempts times in all) and the least disturbed pair is kept; the table says so.
const disturbedCorePercent = 25;
const maxAttempts = 2;

/**
 * Runs autocannon against a daemon process and samples its CPU and memory around the run.
 * @param {{ url: string, pid: number, connections: number, headers?: Record<string, string> }} target
 */
async function measured({ url, pid, connections, headers }) {
  const before = procSample(pid);
  const systemBefore = systemCpuSample();
  const selfBefore = process.cpuUsage();
  const load = await loadRun({ url, connections, durationS, headers });
  const self = process.cpuUsage(selfBefore);
  const systemAfter = systemCpuSample();
  const after = procSample(pid);
  const server = cpuBetween(before, after);
  const wallMs = systemAfter.atMs - systemBefore.atMs;
  const loadGeneratorCorePercent = (100 * (self.user + self.system)) / 1000 / wallMs;
  // What neither the server nor autocannon used: other processes on the machine (noise).
  const otherCorePercent =
    (100 * (systemAfter.busyMs - systemBefore.busyMs)) / wallMs -
    server.corePercent -
    loadGeneratorCorePercent;
  return {
    ...load,
    rssMb: after.rssMb,
    peakRssMb: after.peakRssMb,
    ...server,
    // CPU per request holds up better than req/s when other work shares the machine.
    cpuUsPerRequest: (1000 * server.cpuMs) / Math.max(1, load.requests),
    loadGeneratorCorePercent,
    otherCorePercent: Math.max(0, otherCorePercent),
  };
}

/**
 * Polls the ops endpoint while the rate-limited run is under way: it must stay unaffected.
 * @param {string} url
 * @param {AbortSignal} signal
 */
async function pollReadiness(url, signal) {
  /** @type {number[]} */
  const latencies = [];
  /** @type {Record<string, number>} */
  const statuses = {};
  while (!signal.aborted) {
    const startedMs = performance.now();
    const status = await fetch(url)
      .then(async (res) => {
        await res.arrayBuffer();
        return String(res.status);
      })
      .catch(() => 'error');
    latencies.push(performance.now() - startedMs);
    statuses[status] = (statuses[status] ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { statuses, maxMs: Math.max(...latencies) };
}

async function main() {
  const startedMs = performance.now();
  const loadAtStart = loadAverage1m();
  const sim = await startImdsSimulator();
  try {
    const daemon = await startDaemon({ imdsUrl: sim.url, rateLimitRps: 0 });
    const headers = { authorization: daemon.token };
    const probe = await fetch(daemon.credentialsUrl, { headers });
    const body = await probe.text();
    if (probe.status !== 200) throw new Error(`daemon answered ${probe.status}, not 200`);
    const bodyBytes = Buffer.byteLength(body);
    const contentType = probe.headers.get('content-type') ?? 'application/json';
    const ceilingChild = spawnTracked(process.execPath, [
      join(repoRoot, 'test/load/ceiling-server.mjs'),
      String(bodyBytes),
      contentType,
    ]);
    const ceilingUrl = JSON.parse(
      await waitForLine(ceilingChild, (l) => l.startsWith('{'), 10_000),
    ).url;
    const ceilingPid = /** @type {number} */ (ceilingChild.pid);
    const idle = procSample(daemon.pid);

    // One discarded second each, so both run JIT-compiled code from the first measured request.
    await loadRun({ url: ceilingUrl, connections: 16, durationS: 1 });
    await loadRun({ url: daemon.credentialsUrl, connections: 16, durationS: 1, headers });

    const rows = [];
    for (const connections of connectionCounts) {
      /** @type {any} */
      let best;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        console.log(`${connections} connections: ceiling, then the daemon, ${durationS} s each…`);
        const ceiling = await measured({ url: ceilingUrl, pid: ceilingPid, connections });
        const cache = await measured({
          url: daemon.credentialsUrl,
          pid: daemon.pid,
          connections,
          headers,
        });
        const otherCorePercent = Math.max(ceiling.otherCorePercent, cache.otherCorePercent);
        if (!best || otherCorePercent < best.otherCorePercent) {
          best = {
            connections,
            cache,
            ceiling,
            ratio: cache.requestsPerS / ceiling.requestsPerS,
            otherCorePercent,
          };
        }
        best.attempts = attempt;
        if (otherCorePercent <= disturbedCorePercent) break;
        console.log(`  other processes used ${Math.round(otherCorePercent)} % of a core meanwhile`);
      }
      rows.push(best);
    }
    await stopChild(ceilingChild);
    await daemon.stop();

    console.log(`rate limit at its default: 64 connections, ${durationS} s…`);
    const limited = await startDaemon({ imdsUrl: sim.url });
    const limitedHeaders = { authorization: limited.token };
    await loadRun({
      url: limited.credentialsUrl,
      connections: 4,
      durationS: 1,
      headers: limitedHeaders,
    });
    const polling = new AbortController();
    const readiness = pollReadiness(`${limited.opsUrl}/readyz`, polling.signal);
    const limitedRun = await measured({
      url: limited.credentialsUrl,
      pid: limited.pid,
      connections: 64,
      headers: limitedHeaders,
    });
    polling.abort();
    // The limit's own settings, as the daemon parses them from an empty environment.
    const { parseConfig } = await import('../../packages/imds-cache/dist/config.js');
    const { rateLimitRps, rateLimitBurst } = parseConfig({});
    const defaultLimit = {
      ...limitedRun,
      rateLimitRps,
      rateLimitBurst,
      // A 1 s warm-up ran first, so the bucket may hold up to a full burst when the run starts.
      max200: Math.ceil(rateLimitRps * limitedRun.durationS + rateLimitBurst),
      readiness: await readiness,
    };
    await limited.stop();

    const data = {
      benchmark: 'cache',
      quick,
      machine: machine(),
      setup: {
        durationS,
        bodyBytes,
        contentType,
        daemon:
          'packages/imds-cache/dist/main.js, IMDS_CACHE_RATE_LIMIT_RPS=0, default log level, caller lookup and audit log on',
        ceiling: 'test/load/ceiling-server.mjs: bare node:http, same body size, separate process',
        loadGenerator: 'autocannon (programmatic) in the benchmark process, on the same 2 cores',
      },
      goals,
      loadAverage1m: { atStart: loadAtStart, atEnd: loadAverage1m() },
      idleRssMb: idle.rssMb,
      rows,
      defaultLimit,
      benchMs: performance.now() - startedMs,
    };
    writeResults('cache', data, markdown(data));
    writeSummary();
  } finally {
    await sim.close();
    await stopAll();
  }
}

/** @param {number} ms */
const ms = (ms) => (Number.isFinite(ms) ? ms.toFixed(2) : '–');

/** @param {any} data */
function markdown(data) {
  const table = markdownTable(
    [
      'connections',
      'cache req/s',
      'ceiling req/s',
      'ratio',
      'cache p50 / p99 ms',
      'ceiling p50 / p99 ms',
      'errors',
    ],
    data.rows.map((/** @type {any} */ r) => [
      r.connections,
      Math.round(r.cache.requestsPerS),
      Math.round(r.ceiling.requestsPerS),
      `${r.ratio.toFixed(2)}×`,
      `${ms(r.cache.p50Ms)} / ${ms(r.cache.p99Ms)}`,
      `${ms(r.ceiling.p50Ms)} / ${ms(r.ceiling.p99Ms)}`,
      r.cache.errors + r.cache.timeouts + r.cache.non2xx,
    ]),
  );
  const resources = markdownTable(
    [
      'connections',
      'daemon CPU %',
      'daemon CPU µs/request',
      'ceiling CPU µs/request',
      'CPU-cost ratio (ceiling ÷ daemon)',
      'autocannon CPU %',
      'other CPU %',
      'daemon RSS MB',
    ],
    data.rows.map((/** @type {any} */ r) => [
      r.connections,
      Math.round(r.cache.corePercent),
      Math.round(r.cache.cpuUsPerRequest),
      Math.round(r.ceiling.cpuUsPerRequest),
      `${(r.ceiling.cpuUsPerRequest / r.cache.cpuUsPerRequest).toFixed(2)}×`,
      Math.round(r.cache.loadGeneratorCorePercent),
      Math.round(r.cache.otherCorePercent),
      r.cache.rssMb,
    ]),
  );
  const d = data.defaultLimit;
  const at64 = data.rows.find((/** @type {any} */ r) => r.connections === 64);
  const peakRssMb = Math.max(...data.rows.map((/** @type {any} */ r) => r.cache.peakRssMb));
  const worstRatio = Math.min(...data.rows.map((/** @type {any} */ r) => r.ratio));
  const cpuRatios = data.rows.map(
    (/** @type {any} */ r) => r.ceiling.cpuUsPerRequest / r.cache.cpuUsPerRequest,
  );
  const verdict = (/** @type {boolean} */ met) => (met ? 'met' : 'missed');
  const statuses = Object.entries(d.statusCounts)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');
  return [
    '## bench:cache — GET /v1/credentials throughput',
    '',
    `autocannon, ${data.setup.durationS} s per run, keep-alive, one request in flight per connection. Rate limit off (IMDS_CACHE_RATE_LIMIT_RPS=0). Ceiling: a bare node:http server answering the same ${data.setup.bodyBytes}-byte body, in its own process. autocannon runs on the same ${data.machine.cores} cores as the server under test, so every figure is a lower bound for a dedicated client. CPU % is of one core; "other" is what the rest of the machine used meanwhile (noise; 1-min load average ${data.loadAverage1m.atStart} at the start). A pair of runs during which other processes used more than ${disturbedCorePercent} % of a core was repeated (${maxAttempts} attempts at most) and the least disturbed pair kept: ${data.rows.filter((/** @type {any} */ r) => r.attempts > 1).length} of ${data.rows.length} rows were repeated.`,
    '',
    table,
    '',
    'Resources during the cache runs (CPU from /proc, 10 ms ticks; µs/request = process CPU ÷ requests answered):',
    '',
    resources,
    '',
    `Goals: ≥ ${goals.ceilingRatio}× the ceiling at every connection count — ${verdict(worstRatio >= goals.ceilingRatio)} (worst ${worstRatio.toFixed(2)}× in req/s; in CPU per request the daemon is ${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}× as efficient as the ceiling); p99 < ${goals.p99MsAt64} ms at 64 connections — ${verdict(at64 && at64.cache.p99Ms < goals.p99MsAt64)} (${ms(at64?.cache.p99Ms)} ms; the ceiling's own p99 there is ${ms(at64?.ceiling.p99Ms)} ms); RSS < ${goals.rssMb} MB — ${verdict(peakRssMb < goals.rssMb)} (peak ${peakRssMb.toFixed(1)} MB, idle ${data.idleRssMb.toFixed(1)} MB).`,
    '',
    `At the default rate limit (${fmt(d.rateLimitRps)} req/s, burst ${fmt(d.rateLimitBurst)}; 64 connections, ${data.setup.durationS} s): ${Math.round(d.requestsPerS)} req/s answered: ${statuses} (the limit allows at most ${fmt(d.max200)} × 200 in this run); ${d.errors} errors, ${d.timeouts} timeouts, p99 ${ms(d.p99Ms)} ms (200s only: ${ms(d.okP99Ms ?? Number.NaN)} ms). /readyz polled every 100 ms meanwhile: ${Object.entries(
      d.readiness.statuses,
    )
      .map(([status, count]) => `${count} × ${status}`)
      .join(', ')}, slowest ${ms(d.readiness.maxMs)} ms.`,
    '',
    `Measured on ${data.machine.cores} cores, Node ${data.machine.node}, ${data.machine.measuredAt}.`,
  ].join('\n');
}

await main();
