// test/load/results/summary.md: the latest figures of all three benchmarks in one section, ready
// for the root README's "Performance" section. Rebuilt from the JSON results after every run.
//   node test/load/summary.mjs
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fmt, markdownTable, resultsDir } from './report.mjs';

/** @param {string} name */
function readResult(name) {
  const path = join(resultsDir, `${name}.json`);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

/** @param {number | null} reduction */
const times = (reduction) => (reduction === null ? '∞' : `${Math.round(reduction)}×`);
/** @param {number} ms */
const ms = (ms) => (Number.isFinite(ms) ? ms.toFixed(2) : '–');

/** @param {any} imds */
function imdsSection(imds) {
  const rows = imds.shortLived.map((/** @type {any} */ r) => [
    `${fmt(r.n)} short-lived processes`,
    r.without.imdsCalls,
    r.withCache.imdsCalls,
    times(r.reduction),
    `${r.without.clientsFailed} / ${r.withCache.clientsFailed}`,
  ]);
  const l = imds.longLived;
  rows.push([
    `${l.m} long-lived processes, ${l.durationMs / 1000} s, new client per request`,
    l.without.imdsCalls,
    l.withCache.imdsCalls,
    times(l.reduction),
    `${l.without.requestsFailed} / ${l.withCache.requestsFailed} requests`,
  ]);
  const hour = imds.simulatedHour.hour;
  const at100 = imds.shortLived.find((/** @type {any} */ r) => r.n === 100);
  const goal = at100
    ? `Goal ≥ 100× fewer calls at N = 100: ${at100.reduction >= 100 ? 'met' : 'missed'} (${times(at100.reduction)}). A cold daemon makes ${at100.withCache.imdsCalls} calls (token, role, credentials, identity document) and an SDK process at most 3, so at N = 100 the reduction cannot exceed ${Math.floor(300 / at100.withCache.imdsCalls)}×. With the cache no client failed.`
    : '';
  return [
    `### IMDS calls — \`npm run bench:imds\``,
    '',
    `Unmodified AWS SDK v3 processes (default provider chain) against an IMDSv2 simulator throttled like an instance (${imds.setup.imdsRateLimit.ratePerSecond} req/s, 429 beyond), ${imds.setup.concurrency} at a time; with the cache they only see \`AWS_CONTAINER_CREDENTIALS_FULL_URI\`. The cache's column includes a cold daemon's start-up calls.`,
    '',
    markdownTable(
      [
        'workload',
        'IMDS calls without',
        'with imds-cache',
        'reduction',
        'clients failed without / with',
      ],
      rows,
    ),
    '',
    goal,
    '',
    ...(imds.clientRoles ? [clientRolesSection(imds), ''] : []),
    `Over a simulated hour (injected clock, credentials rotated every 15 min, ${fmt(hour.lookups)} client lookups) the daemon made ${hour.upstreamCalls} IMDS calls at its default ${hour.ttlMs / 1000} s TTL (${hour.credentialFetches} credential fetches, ${hour.tokenFetches} token, ${hour.roleLookups} role lookup); the plain bound 60 min / TTL + token + role is ${hour.naiveBound}, and ${hour.schedulerBound} with the scheduler's 10–20 % early refresh.`,
    ...(imds.faults ? ['', faultsSection(imds.faults)] : []),
  ].join('\n');
}

/**
 * Scoped roles per client: IMDS and AssumeRole calls per client, flat in N.
 * @param {any} imds
 */
function clientRolesSection(imds) {
  return [
    `**Scoped roles per client** (a daemon with a clients file \`api\`, \`reports\`, the STS stand-in, \`IMDS_CACHE_SERVE_INSTANCE_ROLE=off\`; N processes holding the api token${imds.quick ? '; `--quick` run on a loaded machine' : ''}): AssumeRole calls from the STS stand-in's request log, IMDS calls at the simulator (in parentheses, the daemon's own).`,
    '',
    markdownTable(
      [
        'N processes (api token)',
        'clients failed',
        'IMDS calls',
        'AssumeRole api',
        'AssumeRole reports',
      ],
      imds.clientRoles.rows.map((/** @type {any} */ r) => [
        r.n,
        Object.values(r.failuresByError).reduce(
          (/** @type {number} */ a, /** @type {number} */ b) => a + b,
          0,
        ),
        `${r.imdsCalls} (${r.daemonImdsCalls})`,
        r.assumeRoleByClient.api,
        r.assumeRoleByClient.reports,
      ]),
    ),
  ].join('\n');
}

/**
 * The faults table, shortened for the README (the full one is in results/imds.md).
 * @param {any} faults
 */
function faultsSection(faults) {
  const { clientsPerMode, lookupsPerSecond } = faults.plan;
  const rows = faults.rows.map((/** @type {any} */ r) => [
    r.mode,
    r.direct.callsPerHourAtRate,
    `${r.direct.clients - r.direct.clientsOk} of ${r.direct.clients}`,
    r.daemon.upstreamCalls,
    `${r.daemon.failures} of ${fmt(r.daemon.lookups)}`,
  ]);
  const bound = faults.rows[0]?.daemon.bound;
  return [
    `**IMDS faults** (each for the whole run): *direct*, ${clientsPerMode} SDK processes straight to the faulted simulator, IMDS calls scaled to ${lookupsPerSecond} processes a second for an hour; *daemon*, a simulated hour (injected clock) of ${lookupsPerSecond} lookups a second through the daemon's cache, its credentials expiring 30 min in, so every mode also crosses expiry (served extended, \`IMDS_CACHE_STATIC_STABILITY=extend\`). The daemon's bound is ${fmt(bound ?? 0)} IMDS calls an hour in every mode, asserted per mode by \`test/integration/imds-cache-fault-hour.test.ts\`.`,
    '',
    markdownTable(
      [
        'IMDS fault',
        'IMDS calls per hour, direct',
        'SDK processes failed, direct',
        'IMDS calls in the hour, daemon',
        'lookups failed, daemon',
      ],
      rows,
    ),
  ].join('\n');
}

/** @param {any} cache */
function cacheSection(cache) {
  const rows = cache.rows.map((/** @type {any} */ r) => [
    r.connections,
    Math.round(r.cache.requestsPerS),
    Math.round(r.ceiling.requestsPerS),
    `${r.ratio.toFixed(2)}×`,
    `${ms(r.cache.p50Ms)} / ${ms(r.cache.p99Ms)}`,
    r.cache.errors + r.cache.timeouts + r.cache.non2xx,
    r.cache.rssMb,
  ]);
  const d = cache.defaultLimit;
  const at64 = cache.rows.find((/** @type {any} */ r) => r.connections === 64);
  const ratios = cache.rows.map((/** @type {any} */ r) => r.ratio);
  const peakRssMb = Math.max(...cache.rows.map((/** @type {any} */ r) => r.cache.peakRssMb));
  const verdict = (/** @type {boolean} */ met) => (met ? 'met' : 'missed');
  const goals = cache.goals;
  return [
    '### Credential endpoint — `npm run bench:cache`',
    '',
    `autocannon against \`GET /v1/credentials\` (rate limit off), ${cache.setup.durationS} s per run, next to a bare \`node:http\` server answering the same ${cache.setup.bodyBytes} bytes (the ceiling). autocannon shares the ${cache.machine.cores} cores with the server.`,
    '',
    markdownTable(
      ['connections', 'req/s', 'ceiling req/s', 'ratio', 'p50 / p99 ms', 'errors', 'daemon RSS MB'],
      rows,
    ),
    '',
    `At the default rate limit, 64 connections: ${Object.entries(d.statusCounts)
      .map(([status, count]) => `${fmt(count)} × ${status}`)
      .join(', ')}; ${d.errors} errors, ${d.timeouts} timeouts.`,
    '',
    `Goals: ≥ ${goals.ceilingRatio}× the ceiling — ${verdict(Math.min(...ratios) >= goals.ceilingRatio)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×); p99 < ${goals.p99MsAt64} ms at 64 connections — ${verdict(at64?.cache.p99Ms < goals.p99MsAt64)} (${ms(at64?.cache.p99Ms)} ms, ceiling ${ms(at64?.ceiling.p99Ms)} ms); RSS < ${goals.rssMb} MB — ${verdict(peakRssMb < goals.rssMb)} (peak ${peakRssMb.toFixed(0)} MB, idle ${cache.idleRssMb.toFixed(0)} MB). Details: \`test/load/results/cache.md\`.`,
  ].join('\n');
}

/** @param {any} api */
function apiSection(api) {
  return ['### API — `npm run bench:api`', '', api.summaryMarkdown].join('\n');
}

export function writeSummary() {
  const imds = readResult('imds');
  const cache = readResult('cache');
  const api = readResult('api');
  const runAll = readResult('run-all');
  const runLine = runAll
    ? `The last full \`npm run bench\` took ${(runAll.totalSeconds / 60).toFixed(1)} min (${runAll.runs
        .map((/** @type {any} */ r) => `${r.name} ${Math.round(r.seconds)} s`)
        .join(', ')}) and left no process running.`
    : '';
  const machineOf = imds?.machine ?? cache?.machine ?? api?.machine;
  const parts = [
    '## Performance',
    '',
    `Measured with \`npm run bench\` on ${machineOf ? `${machineOf.cores} cores, Node ${machineOf.node}` : 'this machine'}, loopback only.${runLine ? ` ${runLine}` : ''} Full tables: \`test/load/results/*.md\`; how to read them: \`test/load/README.md\`.`,
    '',
    '![IMDS calls without and with the cache](test/load/results/imds-calls.svg)',
    '',
  ];
  const quick = [imds, cache, api].filter((r) => r?.quick).map((r) => r.benchmark);
  if (quick.length > 0) {
    parts.push(
      `> Shortened (--quick) runs: ${quick.join(', ')}. Run \`npm run bench\` for the real figures.`,
      '',
    );
  }
  if (imds) parts.push(imdsSection(imds), '');
  if (cache) parts.push(cacheSection(cache), '');
  if (api) parts.push(apiSection(api), '');
  writeFileSync(join(resultsDir, 'summary.md'), `${parts.join('\n').trimEnd()}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) writeSummary();
