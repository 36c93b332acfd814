// Scoped-role clients over simulated hours: the daemon's instance cache (over the IMDS simulator)
// and each client's CredentialCache + RefreshScheduler (AssumeRole against the STS stand-in, real
// HTTP on 127.0.0.1), all on one injected clock, counting AssumeRole and IMDS calls per hour.
import { countingImdsClient } from '../support/counting-imds-client.js';
import { startImdsSimulator } from '../support/imds-simulator.js';
import { imdsTrustedSource } from '../support/sts-imds-link.js';
import { startStsSimulator } from '../support/sts-simulator.js';
import { callGapsMs } from './fleet-schedule.mjs';
import { markdownTable } from './report.mjs';

const dist = new URL('../../packages/imds-cache/dist/', import.meta.url);
const load = (/** @type {string} */ file) => import(new URL(file, dist).href);
const HOUR_MS = 3_600_000;
const ACCOUNT = '123456789012';
export const CLIENTS = [
  { name: 'api', durationSeconds: 3_600 },
  { name: 'reports', durationSeconds: 1_800 },
];

/**
 * @param {{ hours: number, lookupsPerSecond: number, stepMs?: number }} plan
 */
export async function simulateClientHours({ hours, lookupsPerSecond, stepMs = 10_000 }) {
  const [{ FakeClock }, { parseConfig }, cacheModule] = await Promise.all([
    load('fake-clock.js'),
    load('config.js'),
    load('credential-cache.js'),
  ]);
  const [{ RefreshScheduler }, { AssumeRoleSource }, { clientTiming }] = await Promise.all([
    load('refresh-scheduler.js'),
    load('assume-role-source.js'),
    load('client-registry.js'),
  ]);
  const clock = new FakeClock({ startMs: Date.parse('2025-01-01T00:00:00Z') });
  const startMs = clock.now();
  const imds = await startImdsSimulator({ now: clock.now });
  const sts = await startStsSimulator({
    now: clock.now,
    trustedSource: imdsTrustedSource(imds.url),
  });
  const config = parseConfig({ IMDS_CACHE_IMDS_ENDPOINT: imds.url });
  // Counts the daemon's IMDS requests and, through `track`, the clients' STS calls.
  const counting = countingImdsClient({ config, clock });
  const instance = new cacheModule.CredentialCache({
    source: counting.client,
    clock,
    ttlMs: config.ttlMs,
    minRemainingMs: config.minRemainingMs,
    serveFloorMs: config.serveFloorMs,
  });
  const timing = { ttlMs: config.ttlMs, minRemainingMs: config.minRemainingMs };
  const schedulers = [new RefreshScheduler({ cache: instance, clock, timing })];
  const clients = CLIENTS.map((c) => {
    const spec = {
      name: c.name,
      tokenFile: `/nonexistent/${c.name}.token`,
      group: undefined,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${c.name}`,
      roleName: c.name,
      accountId: ACCOUNT,
      sessionPolicy: undefined,
      durationSeconds: c.durationSeconds,
    };
    const source = new AssumeRoleSource({
      client: spec,
      // The SDK memoizes these until 5 min before Expiration by the wall clock, which stands
      // still here: an Expiration 1 wall-minute away makes it ask the (in-memory) cache each call.
      instanceCredentials: async () => {
        const { document } = await instance.get();
        return { ...document, Expiration: new Date(Date.now() + 60_000).toISOString() };
      },
      instanceId: 'i-0123456789abcdef0',
      region: 'us-east-1',
      stsEndpoint: sts.url,
      callerUserName: c.name,
      clock,
    });
    // The SDK signs with the wall clock: give it the simulated time, as a skewed host would.
    const skewed = {
      roleName: () => source.roleName(),
      credentials: (/** @type {string} */ roleName) =>
        counting.track(() => {
          source.stsClient.config.systemClockOffset = clock.now() - Date.now();
          return source.credentials(roleName);
        }),
    };
    const clientTimingMs = clientTiming(config, c.durationSeconds);
    const cache = new cacheModule.CredentialCache({
      source: skewed,
      clock,
      ...clientTimingMs,
      serveFloorMs: Math.min(config.serveFloorMs, clientTimingMs.minRemainingMs / 2),
      roleName: c.name,
    });
    schedulers.push(new RefreshScheduler({ cache, clock, timing: clientTimingMs }));
    return { ...c, spec, source, cache, timing: clientTimingMs, lookups: 0, failures: 0 };
  });
  const settle = () => counting.settle();
  const lookupsPerStep = Math.round((lookupsPerSecond * stepMs) / 1000);
  const realStartedMs = performance.now();
  try {
    for (const s of schedulers) s.start();
    await settle();
    for (let elapsedMs = 0; elapsedMs < hours * HOUR_MS; elapsedMs += stepMs) {
      // IMDS hands out new instance keys hourly, well before the old ones expire (6 h).
      if (elapsedMs > 0 && elapsedMs % HOUR_MS === 0) imds.rotateCredentials();
      clock.advance(stepMs);
      await settle();
      for (const c of clients) {
        for (let i = 0; i < lookupsPerStep; i++) {
          c.lookups += 1;
          if (!(await c.cache.get().catch(() => undefined))) c.failures += 1;
        }
      }
      await settle();
    }
  } finally {
    for (const s of schedulers) s.stop();
    for (const c of clients) c.source.destroy();
    await sts.close();
    await imds.close();
  }
  const calls = sts.assumeRoleCalls();
  // Every STS request refused (expired or unknown instance keys, skew): 0 in a sound run.
  const refused = sts.requests().filter((r) => r.outcome !== 'ok').length;
  const perHour = (/** @type {number[]} */ atMs) => {
    const counts = Array.from({ length: hours }, () => 0);
    for (const t of atMs) counts[Math.min(hours - 1, Math.floor(t / HOUR_MS))] += 1;
    return {
      total: atMs.length,
      meanPerHour: atMs.length / hours,
      maxInAnyHour: Math.max(...counts),
      counts,
    };
  };
  const imdsCalls = perHour(counting.imdsAtMs);
  return {
    hours,
    lookupsPerSecond,
    imdsCalls,
    stsRequestsRefused: refused,
    clients: clients.map((c) => {
      const mine = calls.filter((call) => call.roleArn === c.spec.roleArn);
      // The scheduler's shortest gap between two refreshes (most jitter) bounds the count.
      const { minMs, maxMs } = callGapsMs(c.timing, c.durationSeconds * 1000);
      return {
        name: c.name,
        durationSeconds: c.durationSeconds,
        refreshGapMs: { min: minMs, max: maxMs },
        assumeRole: perHour(mine.map((call) => call.atMs - startMs)),
        assumeRoleFailed: mine.filter((call) => call.outcome !== 'ok').length,
        boundTotal: 1 + Math.floor((hours * HOUR_MS) / minMs),
        boundPerHour: 1 + Math.floor(HOUR_MS / minMs),
        lookups: c.lookups,
        lookupFailures: c.failures,
      };
    }),
    realMs: performance.now() - realStartedMs,
  };
}

/** 24 simulated hours at 10 lookups/s per client, for bench:imds. */
export async function runClientHours() {
  const day = await simulateClientHours({ hours: 24, lookupsPerSecond: 10 });
  const min = (/** @type {number} */ ms) => `${Math.round(ms / 6_000) / 10}`;
  const rows = day.clients.map((c) => [
    `${c.name} (${c.durationSeconds / 60} min sessions)`,
    `${min(c.refreshGapMs.min)}–${min(c.refreshGapMs.max)} min`,
    `${c.assumeRole.meanPerHour.toFixed(2)} / ${c.assumeRole.maxInAnyHour}`,
    `${c.assumeRole.total} (${c.assumeRoleFailed} failed)`,
    `${c.boundTotal} / ${c.boundPerHour} per hour`,
    `${day.imdsCalls.meanPerHour.toFixed(1)} / ${day.imdsCalls.maxInAnyHour}`,
    `${c.lookups.toLocaleString('en-US')} (${c.lookupFailures} failed)`,
  ]);
  const markdown = [
    `Scoped-role clients over ${day.hours} simulated hours (injected clock; the instance cache over the IMDS simulator and each client's CredentialCache + RefreshScheduler with the registry's timing, AssumeRole over real HTTP to the STS stand-in), ${day.lookupsPerSecond} lookups/s per client. A client refreshes when min(ttl, expiry − min(IMDS_CACHE_MIN_REMAINING_MS, ttl/4)) minus 10–20 % of ttl is reached, so consecutive AssumeRoles are the gap below apart; bound = 1 + ⌊time ÷ shortest gap⌋. IMDS calls are the daemon's (instance role, shared by all clients); STS requests refused: ${day.stsRequestsRefused}.`,
    '',
    markdownTable(
      [
        'client',
        'refresh gap',
        'AssumeRole per hour (mean / max)',
        'AssumeRole total',
        'bound (total / per hour)',
        'IMDS calls per hour (mean / max)',
        'client lookups',
      ],
      rows,
    ),
  ].join('\n');
  return { ...day, markdown };
}
