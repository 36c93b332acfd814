// bench:imds — how many IMDS calls unmodified AWS SDK v3 processes make without and with the
// cache, against the IMDSv2 simulator throttled like a real instance, plus a simulated hour and
// the faults table (each IMDS fault mode, straight to IMDS vs through the daemon).
//   node test/load/bench-imds.mjs [--quick]   (--quick: N = 10 and 100 only, shorter long-lived run)
//   node test/load/bench-imds.mjs --faults-only   (re-runs only the faults table into imds.json)
//   node test/load/bench-imds.mjs --client-hours-only   (only the scoped-role clients' simulated day)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startImdsSimulator } from '../support/imds-simulator.js';
import { runClientHours } from './client-hours.mjs';
import { runClientRoles } from './client-roles.mjs';
import { startDaemon, sumMetric } from './daemon.mjs';
import { runFaultsTable } from './faults-table.mjs';
import { imdsChartSvg } from './imds-chart.mjs';
import { stopAll } from './processes.mjs';
import { machine, markdownTable, resultsDir, writeResults } from './report.mjs';
import { runLongLived, runShortLived, sdkEnv } from './sdk-workloads.mjs';
import { runSimulatedHour } from './simulated-hour.mjs';
import { writeSummary } from './summary.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const quick = process.argv.includes('--quick');
const faultsOnly = process.argv.includes('--faults-only');
const clientHoursOnly = process.argv.includes('--client-hours-only');
const processCounts = quick ? [10, 100] : [10, 100, 1000];
// Spawning is CPU-bound at ~22 processes/s on 2 cores whatever the concurrency (measured 4–50);
// 16 keeps each process under the SDK's 1 s IMDS timeout, so failures mean throttling, not CPU.
const concurrency = 16;
const rateLimit = { ratePerSecond: 20, burst: 20 };
const longLived = { m: 8, durationMs: quick ? 5_000 : 10_000, gapMs: 100 };

/** @param {import('../support/imds-simulator.js').ImdsCounters} counters */
function imdsFigures(counters) {
  return {
    imdsCalls: counters.total,
    imds429: counters.byStatus['429'] ?? 0,
    imdsByStatus: counters.byStatus,
    imdsByPath: counters.byPath,
  };
}

/**
 * One workload twice: straight to the throttled simulator, then through a cold daemon.
 * @param {import('../support/imds-simulator.js').ImdsSimulator} sim
 * @param {(env: NodeJS.ProcessEnv) => Promise<object>} workload
 */
async function withoutAndWith(sim, workload) {
  sim.setRateLimit(rateLimit);
  sim.resetCounters();
  const without = {
    ...(await workload(sdkEnv({ imdsUrl: sim.url }))),
    ...imdsFigures(sim.counters()),
  };
  // Let the bucket refill, so the second run starts where the first did.
  await sleep(1_000);
  sim.setRateLimit(rateLimit);
  sim.resetCounters();
  const daemon = await startDaemon({ imdsUrl: sim.url });
  try {
    const imdsCallsAtReady = sim.counters().total;
    const figures = await workload(sdkEnv(daemon));
    const metrics = await daemon.metrics();
    const withCache = {
      ...figures,
      ...imdsFigures(sim.counters()),
      imdsCallsAtReady,
      daemonUpstreamCalls: sumMetric(metrics, 'imds_cache_upstream_requests_total'),
    };
    const reduction = withCache.imdsCalls > 0 ? without.imdsCalls / withCache.imdsCalls : null;
    return { without, withCache, reduction };
  } finally {
    await daemon.stop();
  }
}

/** @param {number | null} reduction */
const times = (reduction) => (reduction === null ? '∞' : `${Math.round(reduction)}×`);
/** IMDS calls spent per client that did get credentials. @param {number} calls @param {number} served */
const perServed = (calls, served) => (served > 0 ? (calls / served).toPrecision(2) : '∞');
/** @param {Record<string, number>} failures */
const failureText = (failures) =>
  Object.entries(failures)
    .map(([name, count]) => `${count} ${name}`)
    .join(', ') || '0';

async function main() {
  const benchStartedMs = performance.now();
  const sim = await startImdsSimulator({ rateLimit });
  try {
    const shortLived = [];
    for (const n of processCounts) {
      console.log(`short-lived: N = ${n}, ${concurrency} at a time, without then with the cache…`);
      const result = await withoutAndWith(sim, (env) => runShortLived({ n, concurrency, env }));
      shortLived.push({ n, concurrency, ...result });
    }
    console.log(
      `long-lived: ${longLived.m} processes × ${longLived.durationMs / 1000} s, new client per request…`,
    );
    const longLivedResult = {
      ...longLived,
      ...(await withoutAndWith(sim, (env) => runLongLived({ ...longLived, env }))),
    };
    const clientRoles = await runClientRoles({ processCounts: [10, 100], concurrency });
    console.log('simulated hour with an injected clock…');
    const simulatedHour = await runSimulatedHour();
    console.log('scoped-role clients over a simulated day…');
    const clientHours = await runClientHours();
    const faults = await runFaultsTable(faultsPlan(quick));
    const data = {
      benchmark: 'imds',
      quick,
      machine: machine(),
      setup: {
        imdsRateLimit: rateLimit,
        concurrency,
        sdk: 'AWS SDK for JavaScript v3, default provider chain (fromNodeProviderChain / new S3Client)',
        daemon: 'packages/imds-cache/dist/main.js with its defaults, started cold for each run',
      },
      shortLived,
      longLived: longLivedResult,
      clientRoles,
      simulatedHour,
      clientHours,
      faults,
      benchMs: performance.now() - benchStartedMs,
    };
    writeFileSync(join(resultsDir, 'imds-calls.svg'), imdsChartSvg(data));
    writeResults('imds', data, markdown(data));
    writeSummary();
  } finally {
    await sim.close();
    await stopAll();
  }
}

/** @param {boolean} small */
function faultsPlan(small) {
  return { clientsPerMode: small ? 10 : 20, concurrency, lookupsPerSecond: 10 };
}

/** The faults table alone, written into the last full run's results (a busy machine's shortcut). */
async function faultsOnlyMain() {
  const data = JSON.parse(readFileSync(join(resultsDir, 'imds.json'), 'utf8'));
  try {
    data.faults = { ...(await runFaultsTable(faultsPlan(true))), machine: machine() };
  } finally {
    await stopAll();
  }
  writeResults('imds', data, markdown(data));
  writeSummary();
}

/** The clients' simulated day alone, written into the last full run's results. */
async function clientHoursOnlyMain() {
  const data = JSON.parse(readFileSync(join(resultsDir, 'imds.json'), 'utf8'));
  data.clientHours = { ...(await runClientHours()), machine: machine() };
  writeResults('imds', data, markdown(data));
  writeSummary();
}

/**
 * What a cold daemon asks IMDS for, and why that bounds the reduction at small N.
 * @param {any} row
 */
function coldStartNote(row) {
  const calls = Object.entries(row.withCache.imdsByPath)
    .map(([path, count]) => `${count} × ${path}`)
    .join(', ');
  return `A cold daemon's calls (N = ${row.n} row): ${calls}. Without the cache an SDK process makes at most 3 calls (token PUT, role, credentials: the SDK does not retry IMDS, so a refused token PUT or role lookup ends it after 2), so the reduction at N processes cannot exceed 3N ÷ the daemon's ${row.withCache.imdsCalls}.`;
}

/** @param {any} data */
function markdown(data) {
  const short = markdownTable(
    [
      'N processes',
      'IMDS calls without',
      '429s without',
      'clients failed without',
      'IMDS calls with cache (daemon /metrics)',
      'clients failed with cache',
      'reduction',
      'IMDS calls per client served (without / with)',
      'wall s (without / with)',
    ],
    data.shortLived.map((/** @type {any} */ r) => [
      r.n,
      r.without.imdsCalls,
      r.without.imds429,
      failureText(r.without.failuresByError),
      `${r.withCache.imdsCalls} (${r.withCache.daemonUpstreamCalls})`,
      failureText(r.withCache.failuresByError),
      times(r.reduction),
      `${perServed(r.without.imdsCalls, r.without.clientsOk)} / ${perServed(r.withCache.imdsCalls, r.withCache.clientsOk)}`,
      `${(r.without.wallMs / 1000).toFixed(1)} / ${(r.withCache.wallMs / 1000).toFixed(1)}`,
    ]),
  );
  const l = data.longLived;
  const long = markdownTable(
    [
      'long-lived',
      'requests ok',
      'requests failed',
      'IMDS calls (daemon /metrics)',
      '429s from IMDS',
    ],
    [
      [
        'without cache',
        l.without.requestsOk,
        failureText(l.without.failuresByError),
        l.without.imdsCalls,
        l.without.imds429,
      ],
      [
        'with cache',
        l.withCache.requestsOk,
        failureText(l.withCache.failuresByError),
        `${l.withCache.imdsCalls} (${l.withCache.daemonUpstreamCalls})`,
        l.withCache.imds429,
      ],
    ],
  );
  return [
    '## bench:imds — IMDS calls without and with the cache',
    '',
    `IMDSv2 simulator throttled to ${rateLimit.ratePerSecond} req/s (burst ${rateLimit.burst}, 429 beyond). Each process is an unmodified AWS SDK v3 app resolving credentials with the default provider chain; ${concurrency} run at a time. With the cache, a cold daemon is started for each row and its start-up calls are counted; in parentheses, the daemon's own count of its IMDS requests (imds_cache_upstream_requests_total).`,
    '',
    short,
    '',
    coldStartNote(data.shortLived[0]),
    '',
    `Long-lived: ${l.m} processes for ${l.durationMs / 1000} s each, a new S3 client per request, ${l.gapMs} ms apart. Reduction: ${times(l.reduction)}.`,
    '',
    long,
    '',
    ...(data.clientRoles
      ? [
          `Scoped roles per client: a daemon with a clients file (api, reports; IMDS_CACHE_SERVE_INSTANCE_ROLE=off) and the STS stand-in, N processes holding the api token, ${concurrency} at a time. AssumeRole calls are the STS stand-in's request log (in parentheses, the daemon's imds_cache_client_sts_requests_total); IMDS calls include the STS stand-in's own reads of the instance keys (in parentheses, the daemon's). Each client's role is assumed once at start and then once per refresh (sessions last 1 h, refreshed ahead), however many processes ask.`,
          '',
          data.clientRoles.markdown,
          '',
        ]
      : []),
    data.simulatedHour.markdown,
    '',
    ...(data.clientHours ? [data.clientHours.markdown, ''] : []),
    ...(data.faults
      ? [
          data.faults.markdown,
          '',
          ...(data.faults.machine
            ? [`Faults table measured separately, ${data.faults.machine.measuredAt}.`, '']
            : []),
        ]
      : []),
    `Measured on ${data.machine.cores} cores, Node ${data.machine.node}, ${data.machine.measuredAt}. Chart: test/load/results/imds-calls.svg.`,
  ].join('\n');
}

await (faultsOnly ? faultsOnlyMain() : clientHoursOnly ? clientHoursOnlyMain() : main());
